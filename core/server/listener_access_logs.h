// ListenerAccessLogs: the access logs of one listener as the config built
// them — each destination file with its format — and the headers those
// formats read, which each stream copies before the headers move on.
// Immutable once built and shared by every worker; the files are shared by
// every listener naming the same path.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "access_log/access_log_file.h"
#include "access_log/access_log_format.h"
#include "config/proxy_config.h"

namespace switchyard::server {

struct AccessLogSink {
  std::shared_ptr<access_log::AccessLogFile> file;
  access_log::AccessLogFormat format;
};

struct ListenerAccessLogs {
  std::vector<AccessLogSink> sinks;
  access_log::HeaderSelection request_headers;
  access_log::HeaderSelection response_headers;
  // Counter of lines the disk did not keep up with (AccessLogFile's bound),
  // "access_log.dropped_lines" in /stats; none when the registry is full.
  std::optional<uint32_t> dropped_lines_metric;
};

// The open files of one config, by path.
using AccessLogFiles = std::map<std::string, std::shared_ptr<access_log::AccessLogFile>>;

// Null when the listener has no access_log. Opens each path not yet in
// `files`; a path that cannot be opened appends "<source>: <field path>:
// <reason>" to *errors and yields null.
std::unique_ptr<const ListenerAccessLogs> buildListenerAccessLogs(const config::ListenerConfig& listener,
                                                                  const std::string& source, AccessLogFiles& files,
                                                                  std::vector<std::string>* errors);

}  // namespace switchyard::server
