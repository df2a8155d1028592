#include "config/field_checks.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cctype>

#include "common/uv_util.h"
#include "config/config_text.h"
#include "config/field_path.h"

namespace switchyard::config {

namespace {

bool isHostnameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

}  // namespace

bool isHostname(std::string_view host) {
  if (host.empty()) return false;
  size_t label_start = 0;
  while (true) {
    size_t dot = host.find('.', label_start);
    std::string_view label = host.substr(label_start, dot - label_start);
    if (label.empty() || !std::all_of(label.begin(), label.end(), isHostnameChar)) return false;
    if (dot == std::string_view::npos) return true;
    label_start = dot + 1;
  }
}

bool isIpLiteral(const std::string& address) {
  sockaddr_storage parsed;
  return parseSocketAddress(address, 0, &parsed);
}

void FieldChecks::fail(const std::string& path, const std::string& problem) {
  errors_.push_back(path + ": " + problem);
}

bool FieldChecks::checkIpLiteral(const std::string& address, const std::string& path) {
  if (isIpLiteral(address)) return true;
  fail(path, quotedExcerpt(address) + " is not an IPv4 or IPv6 address");
  return false;
}

void FieldChecks::checkHostnameOrIp(const std::string& address, const std::string& path) {
  // A fully qualified name may end in a dot ("api.internal.").
  std::string_view name = address;
  if (name.size() > 1 && name.back() == '.') name.remove_suffix(1);
  if (!isIpLiteral(address) && !isHostname(name)) {
    fail(path, quotedExcerpt(address) + " is not a host name or an IP address");
  }
}

bool FieldChecks::checkPort(uint32_t port, const std::string& path) {
  if (port == 0) {
    fail(path, "required (1-65535)");
    return false;
  }
  if (port > kMaxPort) {
    fail(path, std::to_string(port) + " is out of range 1-65535");
    return false;
  }
  return true;
}

void FieldChecks::checkDuration(bool present, const google::protobuf::Duration& duration,
                                const std::string& path) {
  if (present && (duration.seconds() < 0 || duration.nanos() < 0)) {
    fail(path, "must not be negative (got " + google::protobuf::util::TimeUtil::ToString(duration) + ")");
  }
}

// A duration that must be at least 1 ms when it is given (else its default
// applies): durations become whole milliseconds. Returns whether the value
// (if present) is usable.
bool FieldChecks::checkPositiveDuration(bool present, const google::protobuf::Duration& duration,
                                        const std::string& path) {
  if (!present) return true;
  if (duration.seconds() > 0 || (duration.seconds() == 0 && duration.nanos() >= 1'000'000)) return true;
  fail(path, "must be at least 1ms (got " + google::protobuf::util::TimeUtil::ToString(duration) + ")");
  return false;
}

void FieldChecks::checkStartsWithSlash(const std::string& value, const std::string& path) {
  if (value.empty() || value.front() != '/') fail(path, quotedExcerpt(value) + " must start with '/'");
}

// `seen` maps each name to the path of the first object using it.
void FieldChecks::checkUniqueName(const std::string& name, const std::string& path, const char* kind,
                                  std::map<std::string, std::string>& seen) {
  std::string name_path = fieldPath(path, "name");
  if (name.empty()) {
    fail(name_path, "required");
    return;
  }
  auto [first, inserted] = seen.emplace(name, path);
  if (!inserted) {
    fail(name_path,
         "duplicate " + std::string(kind) + " name " + quotedExcerpt(name) + " (also " + first->second + ")");
  }
}

}  // namespace switchyard::config
