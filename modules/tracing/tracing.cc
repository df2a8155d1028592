// The tracing filter: request ids, W3C and B3 trace context, a server span
// per exchange and a client span per upstream attempt, exported in batches
// (OTLP/HTTP protobuf or Zipkin v2 JSON) through the host's outbound HTTP
// calls (filter ABI 1.4). See README.md.
//
// This file holds the module table, the host check and the config
// lifecycle; tracing_stream.cc has the hooks, propagation.cc the headers,
// span_exporter.cc the batches, and the pure pieces (trace_context,
// request_id, sampling, the encoders) their own files.
#include <switchyard/filter.h>

#include <cstdio>
#include <memory>

#include "config_reader.h"
#include "tracing_config.h"
#include "tracing_module.h"
#include "tracing_stream.h"

namespace tracing {

const sy_host_api* host = nullptr;

namespace {

// The 1.4 calls this filter cannot do without.
bool hostHasTracingCalls() {
  return SY_HAS_FIELD(host, sy_host_api, http_call_cancel) && host->http_call != nullptr &&
         host->stream_set_request_id != nullptr && host->timer_new_for_worker != nullptr;
}

sy_result checkHost(char* error, size_t error_capacity) {
  if (!hostHasTracingCalls()) {
    std::snprintf(error, error_capacity,
                  "tracing needs the ABI 1.4 calls stream_set_request_id and http_call, "
                  "but this host (ABI %u.%u) does not provide them",
                  unsigned(host->abi.major), unsigned(host->abi.minor));
    return SY_ERR_UNSUPPORTED;
  }
  if (!config_host_has_typed_access(host)) return config_refuse_host(host, "tracing", error, error_capacity);
  return SY_OK;
}

sy_result moduleInit(char* error, size_t error_capacity) noexcept { return checkHost(error, error_capacity); }

struct MetricDefinition {
  const char* name;
  uint32_t Metrics::*id;
};

constexpr MetricDefinition kMetricDefinitions[] = {
    {"spans_started", &Metrics::spans_started},
    {"spans_exported", &Metrics::spans_exported},
    {"spans_dropped", &Metrics::spans_dropped},
    {"exports", &Metrics::exports},
    {"export_failures", &Metrics::export_failures},
    {"requests_unsampled", &Metrics::requests_unsampled},
    {"request_ids_generated", &Metrics::request_ids_generated},
};

sy_result configNew(sy_config_context* context, sy_slice, void** config_out, char* error,
                    size_t error_capacity) noexcept {
  sy_result host_check = checkHost(error, error_capacity);
  if (host_check != SY_OK) return host_check;
  std::unique_ptr<Config> config = readConfig(host, context);
  if (!config) return SY_ERR_INVALID_ARGUMENT;
  for (const MetricDefinition& metric : kMetricDefinitions) {
    if (host->metric_define(context, SY_METRIC_COUNTER, sliceOf(metric.name),
                            &(config->metrics.*metric.id)) != SY_OK) {
      std::snprintf(error, error_capacity, "metrics: the host refused to define %s", metric.name);
      return SY_ERR_FAILED;
    }
  }
  *config_out = config.release();
  return SY_OK;
}

void configDestroy(void* config) noexcept { delete static_cast<Config*>(config); }

sy_filter_module makeModuleTable() {
  sy_filter_module table{};
  table.size = sizeof(sy_filter_module);
  table.abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR};
  table.name = "tracing";
  table.version = "1.0.0";
  table.module_init = moduleInit;
  table.config_new = configNew;
  table.config_destroy = configDestroy;
  table.stream_new = streamNew;
  table.stream_destroy = streamDestroy;
  table.request_headers = requestHeaders;
  table.response_headers = responseHeaders;
  table.stream_complete = streamComplete;
  table.attempt_started = attemptStarted;
  table.attempt_finished = attemptFinished;
  return table;
}

const sy_filter_module kModule = makeModuleTable();

}  // namespace

}  // namespace tracing

extern "C" SY_EXPORT const sy_filter_module* sy_filter_module_entry(const sy_host_api* host_api) {
  tracing::host = host_api;
  return &tracing::kModule;
}
