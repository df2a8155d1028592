#include "router/cluster_stats.h"

#include <cstddef>

namespace switchyard::router {

namespace {

bool holds(const sy_cluster_stats* stats, size_t end_of_field) { return stats->size >= end_of_field; }

}  // namespace

sy_result readClusterStats(const config::ClusterCounters& counters, sy_cluster_stats* stats) {
  if (stats == nullptr || !holds(stats, offsetof(sy_cluster_stats, active_retries) + sizeof(uint64_t))) {
    return SY_ERR_INVALID_ARGUMENT;
  }
  stats->active_requests = counters.active_requests.load(std::memory_order_relaxed);
  stats->pending_requests = counters.pending_requests.load(std::memory_order_relaxed);
  stats->active_retries = counters.active_retries.load(std::memory_order_relaxed);
  // Fields a caller built against a smaller struct does not have are left alone.
  if (holds(stats, offsetof(sy_cluster_stats, active_connections) + sizeof(uint64_t))) {
    stats->active_connections = counters.active_connections.load(std::memory_order_relaxed);
  }
  if (holds(stats, offsetof(sy_cluster_stats, idle_connections) + sizeof(uint64_t))) {
    stats->idle_connections = counters.idle_connections.load(std::memory_order_relaxed);
  }
  return SY_OK;
}

}  // namespace switchyard::router
