// The admin API's view of the metrics: GET /stats (text, ?format=json,
// ?filter=REGEX) and GET /stats/prometheus.
#pragma once

#include <functional>
#include <vector>

#include "admin/admin_handlers.h"
#include "stats/metric_registry.h"

namespace switchyard::stats {

// Appends series kept outside the registry (live gauges that other parts
// keep as plain atomics, such as each cluster's active requests), read at
// the time of the request.
using LiveSeries = std::function<void(std::vector<MetricSnapshot>&)>;

// Adds GET /stats and GET /stats/prometheus over the global registry and
// `live_series`.
void addStatsEndpoints(admin::AdminHandlers& handlers, LiveSeries live_series);

}  // namespace switchyard::stats
