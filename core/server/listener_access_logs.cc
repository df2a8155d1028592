#include "server/listener_access_logs.h"

#include "config/access_log_config.h"
#include "config/field_path.h"
#include "stats/metric_registry.h"

namespace switchyard::server {

std::unique_ptr<const ListenerAccessLogs> buildListenerAccessLogs(const config::ListenerConfig& listener,
                                                                  const std::string& source, AccessLogFiles& files,
                                                                  std::vector<std::string>* errors) {
  const config::Listener& proto = *listener.proto;
  if (proto.access_log().empty()) return nullptr;
  auto logs = std::make_unique<ListenerAccessLogs>();
  logs->dropped_lines_metric =
      stats::MetricRegistry::global().define(
          stats::MetricKind::kCounter, stats::flatMetricName("access_log.dropped_lines", "Access log lines dropped"));
  std::string listener_path = config::indexPath("listeners", listener.index);
  bool ok = true;
  for (int i = 0; i < proto.access_log_size(); ++i) {
    const config::AccessLog& log = proto.access_log(i);
    std::string path = config::indexPath(config::fieldPath(listener_path, "access_log"), size_t(i));
    std::vector<std::string> format_errors;  // none: the config was validated
    auto format = config::compileAccessLogFormat(log, path, logs->request_headers, logs->response_headers,
                                                 &format_errors);
    std::shared_ptr<access_log::AccessLogFile>& file = files[log.path()];
    std::string error;
    if (!file) file = access_log::AccessLogFile::open(log.path(), &error);
    if (!file) {
      files.erase(log.path());
      errors->push_back(source + ": " + config::fieldPath(path, "path") + ": " + error);
      ok = false;
      continue;
    }
    if (format) logs->sinks.push_back(AccessLogSink{file, std::move(*format)});
  }
  if (!ok) return nullptr;
  return logs;
}

}  // namespace switchyard::server
