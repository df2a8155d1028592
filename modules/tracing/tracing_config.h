// The tracing filter's config (README.md), read through the host's typed
// config calls; immutable once built and shared by every worker.
#pragma once

#include <switchyard/filter.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace tracing {

enum class ExportFormat { kOtlp, kZipkin };

struct ExportConfig {
  ExportFormat format = ExportFormat::kOtlp;
  std::string cluster;
  std::string path;          // default by format
  uint32_t batch_size = 64;  // spans per export call
  uint64_t flush_interval_ms = 1000;
  uint64_t timeout_ms = 2000;  // one export call
  uint32_t max_queue = 2048;   // spans waiting per worker; more are dropped
  uint32_t max_in_flight = 2;  // export calls per worker at once
};

struct Metrics {
  uint32_t spans_started = 0;
  uint32_t spans_exported = 0;
  uint32_t spans_dropped = 0;
  uint32_t exports = 0;
  uint32_t export_failures = 0;
  uint32_t requests_unsampled = 0;
  uint32_t request_ids_generated = 0;
};

class ExporterRegistry;

struct Config {
  std::string service_name = "switchyard";
  bool propagate_w3c = true;
  bool propagate_b3 = false;
  bool propagate_b3_single = false;
  double sampling_percent = 100;
  std::string force_header = "x-switchyard-force-trace";
  bool exporting = false;  // `export` given
  ExportConfig export_config;
  Metrics metrics;
  // Per-worker exporters, made on a worker's first sampled span; the one
  // mutable part, behind its own lock (see exporter_registry.h).
  std::unique_ptr<ExporterRegistry> exporters;

  Config();
  ~Config();
};

// Reads and checks the config; null with errors recorded on the context.
std::unique_ptr<Config> readConfig(const sy_host_api* host, sy_config_context* context);

}  // namespace tracing
