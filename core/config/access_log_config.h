// The access_log entries of a listener (config.proto AccessLog) turned into
// parsed formats: used by validation, which reports every problem with its
// field path, and by the server, which builds the listener's logs from a
// config that passed it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "access_log/access_log_format.h"
#include "config.pb.h"

namespace switchyard::config {

// The format of `log` (the default one when it names none); null, with one
// message per problem appended to *errors ("<path>.format: unknown operator
// %FOO% at offset 3"), when it does not parse. Header names go into the
// listener's selections.
std::optional<access_log::AccessLogFormat> compileAccessLogFormat(const AccessLog& log, const std::string& path,
                                                                  access_log::HeaderSelection& request_headers,
                                                                  access_log::HeaderSelection& response_headers,
                                                                  std::vector<std::string>* errors);

// Checks every access_log entry of a listener (`path` is the listener's).
void validateAccessLogs(const Listener& listener, const std::string& path, std::vector<std::string>* errors);

}  // namespace switchyard::config
