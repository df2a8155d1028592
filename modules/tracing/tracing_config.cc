#include "tracing_config.h"

#include <cstdlib>

#include "config_reader.h"
#include "exporter_registry.h"

namespace tracing {

namespace {

std::string_view view(sy_slice slice) {
  return slice.ptr == nullptr ? "" : std::string_view(slice.ptr, slice.len);
}

// Reads member `name` as a string into *out; absent keeps the default.
bool readString(const config_reader& reader, const sy_config_value* object, const char* name,
                std::string* out) {
  sy_slice text;
  if (reader.host->config_read_string(reader.context, config_field(&reader, object, name), &text) != SY_OK) {
    return false;
  }
  *out = std::string(view(text));
  return true;
}

struct PropagationVisit {
  const config_reader* reader;
  Config* config;
};

sy_result visitPropagation(void* user_data, sy_config_context*, const sy_config_value* element,
                           sy_slice text) {
  auto* visit = static_cast<PropagationVisit*>(user_data);
  Config* config = visit->config;
  std::string_view format = view(text);
  if (format == "w3c") {
    config->propagate_w3c = true;
  } else if (format == "b3") {
    config->propagate_b3 = true;
  } else if (format == "b3_single") {
    config->propagate_b3_single = true;
  } else {
    config_errorf(visit->reader, element,
                  "unknown propagation format \"%.*s\" (expected w3c, b3 or b3_single)",
                  int(format.size() < 64 ? format.size() : 64), format.data());
  }
  return SY_OK;
}

void readPropagation(const config_reader& reader, const sy_config_value* root, Config& config) {
  const sy_config_value* list = config_field(&reader, root, "propagation");
  if (list == nullptr) return;
  config.propagate_w3c = false;
  PropagationVisit visit{&reader, &config};
  reader.host->config_visit_strings(reader.context, list, visitPropagation, &visit);
  if (reader.host->config_kind(list) == SY_CONFIG_ARRAY && reader.host->config_length(list) == 0) {
    config_errorf(&reader, list, "expected at least one of w3c, b3 or b3_single");
  }
}

void readSampling(const config_reader& reader, const sy_config_value* root, Config& config) {
  static const char* const kFields[] = {"percent"};
  const sy_config_value* sampling = config_read_section(&reader, root, "sampling", kFields, 1);
  if (sampling == nullptr) return;
  reader.host->config_read_number(reader.context, config_field(&reader, sampling, "percent"), 0, 100,
                                  &config.sampling_percent);
}

void readExport(const config_reader& reader, const sy_config_value* root, Config& config) {
  static const char* const kFields[] = {"format",         "cluster", "path",      "batch_size",
                                        "flush_interval", "timeout", "max_queue", "max_in_flight"};
  const sy_config_value* section =
      config_read_section(&reader, root, "export", kFields, sizeof kFields / sizeof kFields[0]);
  if (section == nullptr) return;
  config.exporting = true;
  ExportConfig& out = config.export_config;
  std::string format = "otlp";
  const sy_config_value* format_value = config_field(&reader, section, "format");
  readString(reader, section, "format", &format);
  if (format == "otlp") {
    out.format = ExportFormat::kOtlp;
    out.path = "/v1/traces";
  } else if (format == "zipkin") {
    out.format = ExportFormat::kZipkin;
    out.path = "/api/v2/spans";
  } else {
    config_errorf(&reader, format_value, "unknown export format \"%.*s\" (expected otlp or zipkin)",
                  int(format.size() < 64 ? format.size() : 64), format.data());
  }
  const sy_config_value* cluster = config_field(&reader, section, "cluster");
  if (cluster == nullptr) {
    config_errorf(&reader, section, "missing the required field cluster (the collector's cluster)");
  } else if (readString(reader, section, "cluster", &out.cluster) && out.cluster.empty()) {
    config_errorf(&reader, cluster, "expected a cluster name, got an empty string");
  }
  const sy_config_value* path = config_field(&reader, section, "path");
  if (readString(reader, section, "path", &out.path) && (out.path.empty() || out.path[0] != '/')) {
    config_errorf(&reader, path, "expected a path starting with /");
  }
  config_read_u32_field(&reader, section, "batch_size", 1, 10000, &out.batch_size);
  config_read_ms_field(&reader, section, "flush_interval", 1, 3600 * 1000, &out.flush_interval_ms);
  config_read_ms_field(&reader, section, "timeout", 1, 600 * 1000, &out.timeout_ms);
  config_read_u32_field(&reader, section, "max_queue", 1, 1000000, &out.max_queue);
  config_read_u32_field(&reader, section, "max_in_flight", 1, 64, &out.max_in_flight);
}

}  // namespace

Config::Config() : exporters(std::make_unique<ExporterRegistry>()) {}
Config::~Config() = default;

std::unique_ptr<Config> readConfig(const sy_host_api* host, sy_config_context* context) {
  const config_reader reader = {host, context};
  static const char* const kFields[] = {"service_name", "propagation", "sampling", "force_trace_header",
                                        "export"};
  const sy_config_value* root = host->config_root(context);
  config_check_fields(&reader, root, kFields, sizeof kFields / sizeof kFields[0]);
  auto config = std::make_unique<Config>();
  const sy_config_value* service = config_field(&reader, root, "service_name");
  if (readString(reader, root, "service_name", &config->service_name) && config->service_name.empty()) {
    config_errorf(&reader, service, "expected a service name, got an empty string");
  }
  readPropagation(reader, root, *config);
  readSampling(reader, root, *config);
  const sy_config_value* force = config_field(&reader, root, "force_trace_header");
  char* force_name = nullptr;
  size_t force_length = 0;
  if (config_read_header_name(&reader, force, &force_name, &force_length) == SY_OK) {
    config->force_header.assign(force_name, force_length);
    free(force_name);
  }
  readExport(reader, root, *config);
  if (host->config_error_count(context) > 0) return nullptr;
  return config;
}

}  // namespace tracing
