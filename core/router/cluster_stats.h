// sy_host_api.cluster_stats: a cluster's live counters (summed over every
// worker) as a filter reads them, for callers built against any ABI minor.
#pragma once

#include <switchyard/filter.h>

#include "config/proxy_config.h"

namespace switchyard::router {

// Fills `stats` up to the size its caller built it with (ABI 1.1 callers
// have no active_connections, 1.2 callers no idle_connections);
// SY_ERR_INVALID_ARGUMENT when it is smaller than the 1.1 struct's first
// three counters.
sy_result readClusterStats(const config::ClusterCounters& counters, sy_cluster_stats* stats);

}  // namespace switchyard::router
