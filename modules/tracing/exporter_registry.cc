#include "exporter_registry.h"

#include <atomic>

#include "span_exporter.h"

namespace tracing {

namespace {

std::atomic<uint64_t> next_registry_id{1};

// What this thread (a worker's) already looked up, by registry id.
struct CachedExporter {
  sy_worker* worker;
  SpanExporter* exporter;
};
thread_local std::unordered_map<uint64_t, CachedExporter> cached_exporters;

}  // namespace

ExporterRegistry::ExporterRegistry() : id_(next_registry_id.fetch_add(1)) {}
ExporterRegistry::~ExporterRegistry() = default;

SpanExporter& ExporterRegistry::forWorker(const sy_host_api* host, sy_worker* worker, const Config& config) {
  auto cached = cached_exporters.find(id_);
  if (cached != cached_exporters.end() && cached->second.worker == worker) return *cached->second.exporter;
  std::lock_guard<std::mutex> lock(mutex_);
  auto& exporter = exporters_[worker];
  if (!exporter) exporter = std::make_unique<SpanExporter>(host, worker, config);
  cached_exporters[id_] = CachedExporter{worker, exporter.get()};
  return *exporter;
}

}  // namespace tracing
