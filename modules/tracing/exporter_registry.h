// Each worker's span exporter for one config. A config is shared by every
// worker, but an exporter (its queue, its timer, its calls) belongs to one
// worker's loop: the registry makes it on the worker's first sampled span
// and frees them all with the config, after the workers stopped.
#pragma once

#include <switchyard/filter.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace tracing {

class SpanExporter;
struct Config;

class ExporterRegistry {
 public:
  ExporterRegistry();
  ~ExporterRegistry();
  // The exporter of `worker` (the calling thread's); the lock is taken
  // only the first time each worker asks.
  SpanExporter& forWorker(const sy_host_api* host, sy_worker* worker, const Config& config);

 private:
  const uint64_t id_;  // never reused, unlike the registry's address
  std::mutex mutex_;
  std::unordered_map<sy_worker*, std::unique_ptr<SpanExporter>> exporters_;
};

}  // namespace tracing
