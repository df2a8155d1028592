// Serialising heads and body framing for HTTP/1.1, and the header rules a
// proxy applies between the two sides (hop-by-hop removal).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/header_map.h"

namespace switchyard::http {

// Removes hop-by-hop fields (Connection and every field it names,
// Keep-Alive, Proxy-Connection, TE, Transfer-Encoding, Upgrade, Trailer).
void removeHopByHopHeaders(HeaderMap& headers);

// "METHOD PATH HTTP/1.1\r\nHost: ...\r\n<fields>\r\n" from a request map with
// pseudo-headers; ":authority" becomes Host. Framing headers are the caller's.
void appendRequestHead(std::string& out, const HeaderMap& headers);

// "HTTP/1.x STATUS REASON\r\n<fields>\r\n" from a response map with ":status".
void appendResponseHead(std::string& out, const HeaderMap& headers, int http_minor);

// Chunked framing: "<hex size>\r\n" before a chunk's data and "\r\n" after.
void appendChunkPrefix(std::string& out, size_t chunk_size);
inline constexpr std::string_view kChunkSuffix = "\r\n";
// The last chunk with optional trailers.
void appendLastChunk(std::string& out, const HeaderMap* trailers);

std::string_view reasonPhrase(int status);

// Parses ":status"; 0 when missing or malformed.
int statusOf(const HeaderMap& response_headers);

}  // namespace switchyard::http
