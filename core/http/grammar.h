// The pieces of the HTTP grammar (RFC 9110, RFC 9112, RFC 3986) that the
// decoders check themselves because llhttp lets them through, and the raw
// header-section scanner for what can only be seen in the bytes (line
// endings, folding, whitespace before a colon, spacing of the start line).
#pragma once

#include <string_view>

#include "http/header_map.h"

namespace switchyard::http {

// field-name and method: 1*tchar.
bool isToken(std::string_view text);

// `uri-host [":" port]` as a Host field or an absolute-form authority may
// carry: a reg-name (which covers IPv4 addresses) or a bracketed IPv6
// literal, and a port of 1 to 5 digits up to 65535. No userinfo.
bool isValidAuthority(std::string_view authority);

enum class TransferCoding {
  kChunked,      // exactly one coding, "chunked": the only framing relayed
  kMalformed,    // empty, or chunked missing, repeated or not the last
  kUnsupported,  // well-formed but another coding comes before chunked
};

// Judges every Transfer-Encoding field of `headers` taken as one list
// (RFC 9112 6.1, 6.3). Only meaningful when at least one is present.
TransferCoding checkTransferEncoding(const HeaderMap& headers);

// Scans the raw bytes of one header section, from its start line (if any)
// to the empty line that ends it, across any number of scan() calls.
class HeaderSectionScanner {
 public:
  enum class StartLine { kRequest, kStatus, kNone };

  // Starts a new section. kNone is a trailer section: field lines only.
  void begin(StartLine start_line);
  // Scans `data` up to the end of the section; returns what is wrong, or
  // nullptr. Bytes after the section are not looked at.
  const char* scan(std::string_view data);
  bool done() const { return done_; }

 private:
  const char* scanStartLineByte(char byte);

  StartLine start_line_ = StartLine::kRequest;
  char previous_ = 0;
  bool at_line_start_ = true;
  bool on_start_line_ = true;
  bool line_seen_ = false;  // empty lines before a request line do not count
  bool colon_seen_ = false;
  int start_line_spaces_ = 0;
  bool done_ = false;
};

}  // namespace switchyard::http
