#include "config/access_log_config.h"

#include "config/field_path.h"

namespace switchyard::config {

std::optional<access_log::AccessLogFormat> compileAccessLogFormat(const AccessLog& log, const std::string& path,
                                                                  access_log::HeaderSelection& request_headers,
                                                                  access_log::HeaderSelection& response_headers,
                                                                  std::vector<std::string>* errors) {
  size_t errors_before = errors->size();
  auto parse = [&](const std::string& text, const std::string& field_path) {
    std::string error;
    auto parsed = access_log::FormatTemplate::parse(text, request_headers, response_headers, &error);
    if (!parsed) errors->push_back(field_path + ": " + error);
    return parsed;
  };
  if (!log.json_format().empty()) {
    if (!log.format().empty()) {
      errors->push_back(fieldPath(path, "json_format") + ": give either format or json_format, not both");
    }
    std::map<std::string, access_log::FormatTemplate> fields;
    for (const auto& [key, value] : log.json_format()) {
      auto parsed = parse(value, mapKeyPath(fieldPath(path, "json_format"), key));
      if (parsed) fields.emplace(key, std::move(*parsed));
    }
    if (errors->size() != errors_before) return std::nullopt;
    return access_log::AccessLogFormat::json(std::move(fields));
  }
  std::string text = log.format().empty() ? std::string(access_log::AccessLogFormat::kDefaultText) : log.format();
  auto parsed = parse(text, fieldPath(path, "format"));
  if (!parsed) return std::nullopt;
  return access_log::AccessLogFormat::text(std::move(*parsed));
}

void validateAccessLogs(const Listener& listener, const std::string& path, std::vector<std::string>* errors) {
  access_log::HeaderSelection request_headers, response_headers;
  for (int i = 0; i < listener.access_log_size(); ++i) {
    const AccessLog& log = listener.access_log(i);
    std::string log_path = indexPath(fieldPath(path, "access_log"), size_t(i));
    if (log.path().empty()) {
      errors->push_back(fieldPath(log_path, "path") + ": required (a file, /dev/stdout or /dev/stderr)");
    }
    compileAccessLogFormat(log, log_path, request_headers, response_headers, errors);
  }
}

}  // namespace switchyard::config
