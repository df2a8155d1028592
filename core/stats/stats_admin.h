// The admin API's view of the metrics: GET /stats.
#pragma once

#include <functional>
#include <string>

#include "admin/admin_handlers.h"

namespace switchyard::stats {

// Adds GET /stats: every metric of the registry as "name: value" lines
// (histograms with their count), then `extra_lines()` (live gauges kept
// outside the registry, such as cluster counters).
void addStatsEndpoint(admin::AdminHandlers& handlers, std::function<std::string()> extra_lines);

}  // namespace switchyard::stats
