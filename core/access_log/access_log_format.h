// AccessLogFormat: an access log line format, parsed once when the config
// loads and applied to each finished exchange without parsing again.
//
// Text formats are Envoy's command operators between literal text:
//   %START_TIME%  %START_TIME(%Y-%m-%d %H:%M:%S.%3f)%   (UTC; %3f %6f %9f
//                 are fractions of the second)
//   %REQ(X?Y):Z%  request header X, else Y, cut to Z bytes; ":METHOD",
//                 ":PATH", ":AUTHORITY", ":SCHEME" are the request line's
//   %RESP(X?Y):Z% response header (":STATUS" too)
//   %PROTOCOL% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%
//   %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %UPSTREAM_SERVICE_TIME%
//   %UPSTREAM_HOST% %UPSTREAM_CLUSTER% %ROUTE_NAME% %REQUEST_ID%
//   %UPSTREAM_REQUEST_ATTEMPT_COUNT% %DOWNSTREAM_REMOTE_ADDRESS%
//   %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%
// Any operator takes ":Z" to cut its value to Z bytes. An absent value is
// "-". A JSON format maps keys to such strings and yields one JSON object
// per line; a value that is a single numeric operator is a JSON number, a
// single absent operator is null.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "access_log/request_facts.h"

namespace switchyard::access_log {

// The distinct (lowercased) header names the formats of one listener read,
// so a stream copies those values and no others.
class HeaderSelection {
 public:
  // The index of `name` (any case), added when new.
  size_t intern(std::string_view name);
  const std::vector<std::string>& names() const { return names_; }
  bool empty() const { return names_.empty(); }

 private:
  std::vector<std::string> names_;
};

// One operator or piece of literal text.
struct FormatPiece {
  enum class Kind {
    kLiteral, kStartTime, kRequestHeader, kResponseHeader, kProtocol, kResponseCode, kResponseFlags,
    kResponseCodeDetails, kBytesReceived, kBytesSent, kDuration, kUpstreamServiceTime, kUpstreamHost,
    kUpstreamCluster, kRouteName, kRequestId, kAttemptCount, kDownstreamRemoteAddress,
    kDownstreamRemoteAddressWithoutPort,
  };
  static constexpr size_t kNone = size_t(-1);

  Kind kind = Kind::kLiteral;
  std::string text;  // the literal, or START_TIME's strftime format
  size_t header = kNone;       // HeaderSelection index of X
  size_t alternative = kNone;  // ... and of Y
  size_t max_length = kNone;
};

// A parsed format string: literal text and operators, in order.
class FormatTemplate {
 public:
  // Null with *error (what is wrong and at which byte offset) when the text
  // has an unknown operator or a malformed one. Header names go into the
  // listener's selections.
  static std::optional<FormatTemplate> parse(std::string_view text, HeaderSelection& request_headers,
                                             HeaderSelection& response_headers, std::string* error);

  // Appends the value; the absent marker "-" for absent operators.
  void appendText(const RequestFacts& facts, std::string& out) const;
  // Appends the value as a JSON value (string, number or null).
  void appendJson(const RequestFacts& facts, std::string& out) const;
  const std::vector<FormatPiece>& pieces() const { return pieces_; }

 private:
  std::vector<FormatPiece> pieces_;
};

class AccessLogFormat {
 public:
  // Envoy's default line, adapted: switchyard's own request id instead of
  // x-request-id, and no original-path header of its own.
  static constexpr std::string_view kDefaultText =
      "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" %RESPONSE_CODE% "
      "%RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %UPSTREAM_SERVICE_TIME% "
      "\"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" \"%REQUEST_ID%\" \"%REQ(:AUTHORITY)%\" "
      "\"%UPSTREAM_HOST%\"";

  // One line per exchange; a newline is added when the text ends without one.
  static AccessLogFormat text(FormatTemplate line);
  // One JSON object per line, keys in sorted order.
  static AccessLogFormat json(std::map<std::string, FormatTemplate> fields);

  // Appends the line for `facts`, newline included.
  void format(const RequestFacts& facts, std::string& out) const;

 private:
  std::optional<FormatTemplate> text_;
  std::map<std::string, FormatTemplate> json_fields_;
};

// Appends `text` as a JSON string (quoted, escaped; bytes that are not
// UTF-8 become U+FFFD so the line stays valid JSON).
void appendJsonString(std::string_view text, std::string& out);

}  // namespace switchyard::access_log
