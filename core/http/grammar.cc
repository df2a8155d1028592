#include "http/grammar.h"

#include <arpa/inet.h>

#include <string>

namespace switchyard::http {

namespace {

bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isHexDigit(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool isTchar(char c) {
  return isAlpha(c) || isDigit(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// reg-name = *( unreserved / pct-encoded / sub-delims ), here non-empty:
// an http URI with an empty host is invalid (RFC 9110 4.2.1).
bool isRegName(std::string_view host) {
  if (host.empty()) return false;
  for (size_t i = 0; i < host.size(); ++i) {
    char c = host[i];
    if (c == '%') {
      if (i + 2 >= host.size() || !isHexDigit(host[i + 1]) || !isHexDigit(host[i + 2])) return false;
      i += 2;
    } else if (!isAlpha(c) && !isDigit(c) && std::string_view("-._~!$&'()*+,;=").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool isIpv6Literal(std::string_view literal) {
  // inet_pton refuses zone identifiers and IPvFuture, which a Host field
  // has no use for.
  in6_addr address;
  return inet_pton(AF_INET6, std::string(literal).c_str(), &address) == 1;
}

bool isPort(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  unsigned value = 0;
  for (char c : port) {
    if (!isDigit(c)) return false;
    value = value * 10 + unsigned(c - '0');
  }
  return value <= 65535;
}

std::string_view trimOws(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

bool isToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!isTchar(c)) return false;
  }
  return true;
}

bool isValidAuthority(std::string_view authority) {
  std::string_view host = authority;
  std::string_view rest;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos || !isIpv6Literal(authority.substr(1, close - 1))) return false;
    rest = authority.substr(close + 1);
  } else {
    size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (!isRegName(host)) return false;
    if (colon != std::string_view::npos) rest = authority.substr(colon);
  }
  if (rest.empty()) return true;
  return rest.front() == ':' && isPort(rest.substr(1));
}

TransferCoding checkTransferEncoding(const HeaderMap& headers) {
  size_t codings = 0;
  size_t chunked = 0;
  bool last_is_chunked = false;
  for (size_t i = 0; auto value = headers.get("transfer-encoding", i); ++i) {
    std::string_view list = *value;
    while (true) {
      size_t comma = list.find(',');
      // Empty list elements are allowed and ignored (RFC 9110 5.6.1).
      if (std::string_view coding = trimOws(list.substr(0, comma)); !coding.empty()) {
        ++codings;
        last_is_chunked = equalsIgnoreCase(coding, "chunked");
        if (last_is_chunked) ++chunked;
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  if (!last_is_chunked || chunked > 1) return TransferCoding::kMalformed;
  return codings == 1 ? TransferCoding::kChunked : TransferCoding::kUnsupported;
}

void HeaderSectionScanner::begin(StartLine start_line) {
  start_line_ = start_line;
  previous_ = 0;
  at_line_start_ = true;
  on_start_line_ = start_line != StartLine::kNone;
  line_seen_ = start_line == StartLine::kNone;
  colon_seen_ = false;
  start_line_spaces_ = 0;
  done_ = false;
}

const char* HeaderSectionScanner::scanStartLineByte(char byte) {
  auto c = static_cast<unsigned char>(byte);
  if (start_line_ == StartLine::kRequest) {
    if (c == ' ') {
      if (at_line_start_ || previous_ == ' ') return "request line is not method SP target SP version";
      ++start_line_spaces_;
    } else if (c < 0x21 || c > 0x7e) {
      return "invalid byte in request line";
    }
  } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
    return "control byte in status line";
  }
  return nullptr;
}

const char* HeaderSectionScanner::scan(std::string_view data) {
  for (char byte : data) {
    if (done_) break;
    if (previous_ == '\r' && byte != '\n') return "CR not followed by LF in header section";
    if (byte == '\n') {
      if (previous_ != '\r') return "bare LF in header section";
      if (at_line_start_ && line_seen_) {
        done_ = true;  // the empty line that ends the section
        break;
      }
      if (on_start_line_ && line_seen_) {
        if (start_line_ == StartLine::kRequest && start_line_spaces_ != 2) {
          return "request line is not method SP target SP version";
        }
        on_start_line_ = false;
      }
      at_line_start_ = true;
      colon_seen_ = false;
    } else if (byte != '\r') {
      if (on_start_line_) {
        if (const char* error = scanStartLineByte(byte)) return error;
      } else {
        if (at_line_start_ && (byte == ' ' || byte == '\t')) return "obsolete line folding in header section";
        if (byte == ':' && !colon_seen_) {
          colon_seen_ = true;
          if (previous_ == ' ' || previous_ == '\t') return "whitespace between header field name and colon";
        }
      }
      at_line_start_ = false;
      line_seen_ = true;
    }
    previous_ = byte;
  }
  return nullptr;
}

}  // namespace switchyard::http
