// FieldChecks: the error list of one config validation, and the checks of
// single fields that every part of the config shares (addresses, ports,
// durations, names). A failed check records "FIELD.PATH: problem" and the
// validation goes on, so that the user sees every problem at once.
#pragma once

#include <google/protobuf/duration.pb.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::config {

inline constexpr uint32_t kMaxPort = 65535;

// Dot-separated labels of [A-Za-z0-9_-], none empty.
bool isHostname(std::string_view host);
bool isIpLiteral(const std::string& address);

class FieldChecks {
 public:
  void fail(const std::string& path, const std::string& problem);
  std::vector<std::string> takeErrors() { return std::move(errors_); }
  // For a validator that appends whole "FIELD.PATH: problem" lines itself.
  std::vector<std::string>* errorList() { return &errors_; }

  bool checkIpLiteral(const std::string& address, const std::string& path);
  void checkHostnameOrIp(const std::string& address, const std::string& path);
  bool checkPort(uint32_t port, const std::string& path);
  void checkDuration(bool present, const google::protobuf::Duration& duration, const std::string& path);
  // A duration that must be at least 1 ms when it is given (else its default
  // applies): durations become whole milliseconds. Returns whether the value
  // (if present) is usable.
  bool checkPositiveDuration(bool present, const google::protobuf::Duration& duration,
                             const std::string& path);
  void checkStartsWithSlash(const std::string& value, const std::string& path);
  // `seen` maps each name to the path of the first object using it.
  void checkUniqueName(const std::string& name, const std::string& path, const char* kind,
                       std::map<std::string, std::string>& seen);

 private:
  std::vector<std::string> errors_;
};

}  // namespace switchyard::config
