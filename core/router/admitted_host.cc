#include "router/admitted_host.h"

#include <algorithm>

#include "upstream/host_candidates.h"

namespace switchyard::router {

namespace {

bool contains(const std::vector<size_t>& hosts, size_t host) {
  return std::find(hosts.begin(), hosts.end(), host) != hosts.end();
}

}  // namespace

HostChoice chooseAdmittedHost(upstream::ClusterState& cluster, const AttemptToPlace& attempt,
                              const AdmitHost& admit) {
  HostChoice choice;
  cluster.syncMembership();
  if (!upstream::hasRoutableHost(cluster.hosts)) {
    choice.no_host = true;
    return choice;
  }
  std::vector<size_t> refused;
  std::vector<size_t> skip = attempt.avoid;
  sy_attempt_info candidate{};
  candidate.size = sizeof candidate;
  candidate.number = attempt.number;
  candidate.hedged = attempt.hedged ? 1 : 0;
  for (;;) {
    size_t host = cluster.balancer->chooseHost(skip, attempt.hash_key);
    // The balancer falls back to skipped hosts only when none else is left:
    // drop the preference for untried hosts before giving up on the refused.
    if (contains(refused, host) && skip.size() > refused.size()) {
      skip = refused;
      host = cluster.balancer->chooseHost(skip, attempt.hash_key);
    }
    if (contains(refused, host)) return choice;  // every routable host refused
    const std::string& host_text = cluster.pools[host]->endpoint().text;
    candidate.upstream_host = sy_slice{host_text.data(), host_text.size()};
    switch (admit(candidate, &choice.refusal_reason)) {
      case SY_ADMIT:
        choice.host = host;
        return choice;
      case SY_ADMIT_REFUSE_HOST:
        refused.push_back(host);
        if (!contains(skip, host)) skip.push_back(host);
        break;
      default:  // SY_ADMIT_REFUSE_ATTEMPT, and values a newer module may invent
        return choice;
    }
  }
}

}  // namespace switchyard::router
