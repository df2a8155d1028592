// Cluster reports (ABI 1.3): what filter modules add to the admin API's
// description of one cluster, through their cluster_report hook and the
// report_field host call. A module's breaker states, for example, appear
// beside the core's view of the cluster's hosts.
#pragma once

#include <switchyard/filter.h>

#include <string>
#include <utility>
#include <vector>

// The opaque sy_report of the ABI: the fields one module adds to one report.
struct sy_report {
  std::vector<std::pair<std::string, std::string>> fields;
};

namespace switchyard::module {

struct ModuleClusterReport {
  std::string module;  // the module's name
  std::vector<std::pair<std::string, std::string>> fields;
};

// sy_host_api.report_field.
sy_result reportField(sy_report* report, sy_slice name, sy_slice value);

}  // namespace switchyard::module
