#include "upstream/host_candidates.h"

#include <algorithm>

namespace switchyard::upstream {

bool inPanic(size_t healthy_hosts, size_t hosts, double threshold_percent) {
  // healthy / hosts < threshold / 100, without dividing. A threshold of 0
  // turns panic mode off, even with no healthy host left.
  if (threshold_percent <= 0) return false;
  return healthy_hosts == 0 || double(healthy_hosts) * 100 < threshold_percent * double(hosts);
}

bool inPanic(const HostSet& hosts) {
  return inPanic(hosts.healthyCount(), hosts.memberCount(), hosts.healthyPanicThresholdPercent());
}

bool hasRoutableHost(const HostSet& hosts) {
  return hosts.memberCount() > 0 && (hosts.healthyCount() > 0 || inPanic(hosts));
}

bool isRoutable(const HostSet& hosts, size_t host) {
  return hosts.isMember(host) && (hosts.healthy(host) || inPanic(hosts));
}

void selectCandidates(const HostSet& hosts, const std::vector<size_t>& avoid,
                      std::vector<size_t>& candidates) {
  candidates.clear();
  for (size_t host = 0; host < hosts.size(); ++host) {
    if (isRoutable(hosts, host) && std::find(avoid.begin(), avoid.end(), host) == avoid.end()) {
      candidates.push_back(host);
    }
  }
  if (!candidates.empty()) return;
  for (size_t host = 0; host < hosts.size(); ++host) {
    if (isRoutable(hosts, host)) candidates.push_back(host);
  }
  if (!candidates.empty()) return;
  // Other threads change health between the reads above (a flag set before
  // the healthy count drops): in that instant every host may look out of
  // rotation without panic. Any member beats no host.
  for (size_t host = 0; host < hosts.size(); ++host) {
    if (hosts.isMember(host)) candidates.push_back(host);
  }
}

size_t drawByWeight(const HostSet& hosts, std::span<const size_t> candidates, std::mt19937_64& random) {
  uint64_t total = 0;
  for (size_t host : candidates) total += hosts.weight(host);
  uint64_t point = std::uniform_int_distribution<uint64_t>(0, total - 1)(random);
  for (size_t host : candidates) {
    if (point < hosts.weight(host)) return host;
    point -= hosts.weight(host);
  }
  return candidates.back();  // unreachable: point < total
}

}  // namespace switchyard::upstream
