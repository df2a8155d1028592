// CoreMetrics: the process-wide totals, under the flat names /stats has
// always shown ("downstream_rq_total"), beside the labelled series of each
// listener, route and cluster (listener_metrics.h, cluster_metrics.h).
#pragma once

#include <cstdint>

namespace switchyard::stats {

struct CoreMetrics {
  uint32_t downstream_cx_total, downstream_cx_active, downstream_rq_total, downstream_rq_active;
  uint32_t downstream_rq_1xx, downstream_rq_2xx, downstream_rq_3xx, downstream_rq_4xx, downstream_rq_5xx;
  uint32_t downstream_rq_bad_request;
  uint32_t downstream_rq_time_ms;  // histogram, recorded in microseconds, shown in ms
  uint32_t upstream_cx_total, upstream_cx_active, upstream_cx_connect_fail, upstream_cx_reused;
  uint32_t upstream_rq_total, upstream_rq_reset, upstream_rq_protocol_error;
  uint32_t upstream_rq_retry, upstream_rq_hedge;  // attempts after the first, by how they started
  // Requests sent upstream with a replay copy kept (a filter asks for replay).
  uint32_t upstream_rq_replay_kept;

  // Defined in the global registry at first use.
  static const CoreMetrics& get();
  // Adds 1 to `by_class[status / 100 - 1]` for a status 100..599.
  static void recordStatusClass(const uint32_t (&by_class)[5], int status);
};

// Records into the global registry.
void recordMetric(uint32_t id, int64_t value = 1);

}  // namespace switchyard::stats
