#include "access_log/access_log_format.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <initializer_list>

namespace switchyard::access_log {

namespace {

using Kind = FormatPiece::Kind;

constexpr std::string_view kAbsent = "-";
constexpr std::string_view kDefaultTimeFormat = "%Y-%m-%dT%H:%M:%S.%3fZ";
constexpr size_t kMaxMaxLength = 1 << 20;

enum class Arguments { kNone, kOptional, kRequired };

struct OperatorSpec {
  std::string_view name;
  Kind kind;
  Arguments arguments;
};

constexpr OperatorSpec kOperators[] = {
    {"START_TIME", Kind::kStartTime, Arguments::kOptional},
    {"REQ", Kind::kRequestHeader, Arguments::kRequired},
    {"RESP", Kind::kResponseHeader, Arguments::kRequired},
    {"PROTOCOL", Kind::kProtocol, Arguments::kNone},
    {"RESPONSE_CODE", Kind::kResponseCode, Arguments::kNone},
    {"RESPONSE_FLAGS", Kind::kResponseFlags, Arguments::kNone},
    {"RESPONSE_CODE_DETAILS", Kind::kResponseCodeDetails, Arguments::kNone},
    {"BYTES_RECEIVED", Kind::kBytesReceived, Arguments::kNone},
    {"BYTES_SENT", Kind::kBytesSent, Arguments::kNone},
    {"DURATION", Kind::kDuration, Arguments::kNone},
    {"UPSTREAM_SERVICE_TIME", Kind::kUpstreamServiceTime, Arguments::kNone},
    {"UPSTREAM_HOST", Kind::kUpstreamHost, Arguments::kNone},
    {"UPSTREAM_CLUSTER", Kind::kUpstreamCluster, Arguments::kNone},
    {"ROUTE_NAME", Kind::kRouteName, Arguments::kNone},
    {"REQUEST_ID", Kind::kRequestId, Arguments::kNone},
    {"UPSTREAM_REQUEST_ATTEMPT_COUNT", Kind::kAttemptCount, Arguments::kNone},
    {"DOWNSTREAM_REMOTE_ADDRESS", Kind::kDownstreamRemoteAddress, Arguments::kNone},
    {"DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT", Kind::kDownstreamRemoteAddressWithoutPort, Arguments::kNone},
};

// Joins pieces of a message. (GCC 12 at -O3 warns falsely, -Wrestrict, on
// "literal" + std::string.)
std::string concat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out.append(part);
  return out;
}

bool isOperatorNameChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

bool isHeaderName(std::string_view name) {
  if (name.empty()) return false;
  std::string_view token = name.front() == ':' ? name.substr(1) : name;
  return !token.empty() && std::all_of(token.begin(), token.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$&'*+-.^_`|~").find(c) !=
                                                                std::string_view::npos;
  });
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Fills the header indexes of a REQ/RESP piece from "X" or "X?Y".
bool parseHeaderArguments(std::string_view arguments, HeaderSelection& selection, FormatPiece& piece,
                          std::string* error) {
  size_t question = arguments.find('?');
  std::string_view main = arguments.substr(0, question);
  std::string_view alternative =
      question == std::string_view::npos ? std::string_view() : arguments.substr(question + 1);
  if (!isHeaderName(main) || (question != std::string_view::npos && !isHeaderName(alternative))) {
    *error = concat({"\"", arguments, "\" is not a header name (or two separated by '?')"});
    return false;
  }
  piece.header = selection.intern(main);
  if (question != std::string_view::npos) piece.alternative = selection.intern(alternative);
  return true;
}

// "%3f" "%6f" "%9f" (and "%f", nine digits) become the fraction of the
// second; everything else is strftime's.
std::string expandFractions(std::string_view format, long nanoseconds) {
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    char next = format[i + 1];
    int digits = 0;
    if (next == 'f') {
      digits = 9;
    } else if ((next == '3' || next == '6' || next == '9') && i + 2 < format.size() && format[i + 2] == 'f') {
      digits = next - '0';
    }
    if (digits == 0) {
      out += format.substr(i, 2);  // "%%" stays one unit
      ++i;
      continue;
    }
    char fraction[16];
    snprintf(fraction, sizeof fraction, "%09ld", nanoseconds);
    out.append(fraction, size_t(digits));
    i += next == 'f' ? 1 : 2;
  }
  return out;
}

void appendTime(std::string_view format, std::chrono::system_clock::time_point when, std::string& out) {
  auto since_epoch = when.time_since_epoch();
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  long nanoseconds = long(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count());
  time_t whole = time_t(seconds.count());
  tm utc{};
  gmtime_r(&whole, &utc);
  std::string expanded = expandFractions(format.empty() ? kDefaultTimeFormat : format, nanoseconds);
  char text[256];
  size_t length = strftime(text, sizeof text, expanded.c_str(), &utc);
  out.append(text, length);
}

std::string_view headerValue(std::span<const std::string> values, const FormatPiece& piece) {
  if (piece.header < values.size() && !values[piece.header].empty()) return values[piece.header];
  if (piece.alternative < values.size()) return values[piece.alternative];
  return {};
}

bool isNumeric(Kind kind) {
  return kind == Kind::kResponseCode || kind == Kind::kBytesReceived || kind == Kind::kBytesSent ||
         kind == Kind::kDuration || kind == Kind::kUpstreamServiceTime || kind == Kind::kAttemptCount;
}

// Appends the piece's value; false (nothing appended) when it is absent.
bool appendValue(const FormatPiece& piece, const RequestFacts& facts, std::string& out) {
  size_t start = out.size();
  auto text = [&](std::string_view value) {
    if (value.empty()) return false;
    out.append(value);
    return true;
  };
  auto number = [&](uint64_t value) {
    out += std::to_string(value);
    return true;
  };
  bool present = false;
  switch (piece.kind) {
    case Kind::kLiteral: out += piece.text; return true;
    case Kind::kStartTime: appendTime(piece.text, facts.start_time, out); present = true; break;
    case Kind::kRequestHeader: present = text(headerValue(facts.request_headers, piece)); break;
    case Kind::kResponseHeader: present = text(headerValue(facts.response_headers, piece)); break;
    case Kind::kProtocol: present = text(facts.protocol); break;
    case Kind::kResponseCode: present = facts.response_code != 0 && number(uint64_t(facts.response_code)); break;
    case Kind::kResponseFlags: present = text(facts.response_flags); break;
    case Kind::kResponseCodeDetails: present = text(facts.response_code_details); break;
    case Kind::kBytesReceived: present = number(facts.bytes_received); break;
    case Kind::kBytesSent: present = number(facts.bytes_sent); break;
    case Kind::kDuration: present = number(facts.duration_ms); break;
    case Kind::kUpstreamServiceTime:
      present = facts.upstream_service_time_ms.has_value() && number(*facts.upstream_service_time_ms);
      break;
    case Kind::kUpstreamHost: present = text(facts.upstream_host); break;
    case Kind::kUpstreamCluster: present = text(facts.upstream_cluster); break;
    case Kind::kRouteName: present = text(facts.route_name); break;
    case Kind::kRequestId: present = text(facts.request_id); break;
    case Kind::kAttemptCount: present = number(facts.attempt_count); break;
    case Kind::kDownstreamRemoteAddress:
      if (facts.downstream_ip.empty()) break;
      if (facts.downstream_ip.find(':') != std::string_view::npos) {
        out += '[' + std::string(facts.downstream_ip) + ']';
      } else {
        out += facts.downstream_ip;
      }
      out += ':' + std::to_string(facts.downstream_port);
      present = true;
      break;
    case Kind::kDownstreamRemoteAddressWithoutPort: present = text(facts.downstream_ip); break;
  }
  if (present && out.size() - start > piece.max_length) out.resize(start + piece.max_length);
  return present;
}

// The length of the valid UTF-8 sequence at the start of `text`, or 0.
size_t utf8SequenceLength(std::string_view text) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  uint32_t code = length == 1 ? lead : lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) code = (code << 6) | (byte(i) & 0x3F);
  static constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kSmallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

}  // namespace

size_t HeaderSelection::intern(std::string_view name) {
  std::string lowered = lowercase(name);
  auto found = std::find(names_.begin(), names_.end(), lowered);
  if (found != names_.end()) return size_t(found - names_.begin());
  names_.push_back(std::move(lowered));
  return names_.size() - 1;
}

std::optional<FormatTemplate> FormatTemplate::parse(std::string_view text, HeaderSelection& request_headers,
                                                    HeaderSelection& response_headers, std::string* error) {
  FormatTemplate parsed;
  auto fail = [&](size_t offset, const std::string& problem) {
    *error = concat({problem, " at offset ", std::to_string(offset)});
    return std::nullopt;
  };
  size_t i = 0;
  while (i < text.size()) {
    size_t percent = text.find('%', i);
    if (percent != i) {
      FormatPiece literal;
      literal.text = std::string(text.substr(i, percent - i));
      parsed.pieces_.push_back(std::move(literal));
      if (percent == std::string_view::npos) break;
    }
    size_t name_end = percent + 1;
    while (name_end < text.size() && isOperatorNameChar(text[name_end])) ++name_end;
    std::string_view name = text.substr(percent + 1, name_end - percent - 1);
    if (name.empty()) return fail(percent, "'%' does not start an operator (such as %RESPONSE_CODE%)");
    const OperatorSpec* spec = nullptr;
    for (const auto& candidate : kOperators) {
      if (candidate.name == name) spec = &candidate;
    }
    if (spec == nullptr) return fail(percent, concat({"unknown operator %", name, "%"}));
    FormatPiece piece;
    piece.kind = spec->kind;
    size_t cursor = name_end;
    if (cursor < text.size() && text[cursor] == '(') {
      size_t close = text.find(')', cursor);
      if (close == std::string_view::npos) return fail(cursor, concat({"%", name, "( has no closing ')'"}));
      if (spec->arguments == Arguments::kNone) return fail(cursor, concat({"%", name, "% takes no arguments"}));
      std::string_view arguments = text.substr(cursor + 1, close - cursor - 1);
      if (spec->kind == Kind::kStartTime) {
        piece.text = std::string(arguments);
      } else {
        HeaderSelection& selection = spec->kind == Kind::kRequestHeader ? request_headers : response_headers;
        std::string problem;
        if (!parseHeaderArguments(arguments, selection, piece, &problem)) return fail(cursor + 1, problem);
      }
      cursor = close + 1;
    } else if (spec->arguments == Arguments::kRequired) {
      return fail(cursor, concat({"%", name, "% needs a header name: %", name, "(X)%"}));
    }
    if (cursor < text.size() && text[cursor] == ':') {
      size_t digits_end = cursor + 1;
      while (digits_end < text.size() && std::isdigit(static_cast<unsigned char>(text[digits_end]))) ++digits_end;
      std::string_view digits = text.substr(cursor + 1, digits_end - cursor - 1);
      if (digits.empty() || digits.size() > 7 || std::stoul(std::string(digits)) == 0 ||
          std::stoul(std::string(digits)) > kMaxMaxLength) {
        return fail(cursor + 1, "the length after ':' must be a number from 1 to " + std::to_string(kMaxMaxLength));
      }
      piece.max_length = std::stoul(std::string(digits));
      cursor = digits_end;
    }
    if (cursor >= text.size() || text[cursor] != '%') {
      return fail(cursor, concat({"%", name, " is not closed by '%'"}));
    }
    parsed.pieces_.push_back(std::move(piece));
    i = cursor + 1;
  }
  return parsed;
}

void FormatTemplate::appendText(const RequestFacts& facts, std::string& out) const {
  for (const auto& piece : pieces_) {
    if (!appendValue(piece, facts, out)) out += kAbsent;
  }
}

void FormatTemplate::appendJson(const RequestFacts& facts, std::string& out) const {
  if (pieces_.size() == 1 && pieces_[0].kind != Kind::kLiteral) {
    std::string value;
    if (!appendValue(pieces_[0], facts, value)) {
      out += "null";
    } else if (isNumeric(pieces_[0].kind) && pieces_[0].max_length == FormatPiece::kNone) {
      out += value;
    } else {
      appendJsonString(value, out);
    }
    return;
  }
  std::string value;
  appendText(facts, value);
  appendJsonString(value, out);
}

AccessLogFormat AccessLogFormat::text(FormatTemplate line) {
  AccessLogFormat format;
  format.text_ = std::move(line);
  return format;
}

AccessLogFormat AccessLogFormat::json(std::map<std::string, FormatTemplate> fields) {
  AccessLogFormat format;
  format.json_fields_ = std::move(fields);
  return format;
}

void AccessLogFormat::format(const RequestFacts& facts, std::string& out) const {
  if (text_) {
    text_->appendText(facts, out);
    if (out.empty() || out.back() != '\n') out += '\n';
    return;
  }
  out += '{';
  bool first = true;
  for (const auto& [key, value] : json_fields_) {
    if (!first) out += ',';
    first = false;
    appendJsonString(key, out);
    out += ':';
    value.appendJson(facts, out);
  }
  out += "}\n";
}

void appendJsonString(std::string_view text, std::string& out) {
  out += '"';
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char escaped[8];
          snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else if (c < 0x80) {
          out += char(c);
        } else if (size_t length = utf8SequenceLength(text.substr(i)); length > 0) {
          out.append(text.substr(i, length));
          i += length;
          continue;
        } else {
          out += "\\ufffd";
        }
    }
    ++i;
  }
  out += '"';
}

}  // namespace switchyard::access_log
