#include "router/http_calls.h"

#include <vector>

#include "router/http_call.h"
#include "upstream/host_candidates.h"

namespace switchyard::router {

HttpCalls::HttpCalls(uv_loop_t* loop, std::shared_ptr<const config::ProxyConfig> config,
                     upstream::ClusterManager& clusters)
    : loop_(loop), config_(std::move(config)), clusters_(clusters), random_(std::random_device{}()) {}

HttpCalls::~HttpCalls() { shutdown(); }

module::OutboundCall* HttpCalls::start(module::HttpCallSpec&& spec, sy_http_call_done_fn done,
                                       void* user_data) {
  if (stopped_) return nullptr;
  const config::ClusterConfig* cluster_config = config_->findCluster(spec.cluster);
  auto* call = new HttpCall(loop_, std::move(spec), done, user_data,
                            [this](HttpCall& ended) { calls_.erase(&ended); });
  calls_.insert(call);
  if (cluster_config == nullptr) {
    call->failLater("unknown_cluster");
    return call;
  }
  if (calls_.size() > kMaxCallsInFlight) {
    call->failLater("overflow");
    return call;
  }
  upstream::ClusterState& cluster = clusters_.cluster(*cluster_config);
  std::optional<size_t> host = healthyHost(cluster);
  if (!host) {
    call->failLater("no_healthy_upstream");
    return call;
  }
  call->start(cluster, *host);
  return call;
}

std::optional<size_t> HttpCalls::healthyHost(upstream::ClusterState& cluster) {
  cluster.syncMembership();
  if (cluster.hosts.memberCount() == 0) return std::nullopt;
  if (!upstream::inPanic(cluster.hosts)) {
    static const std::vector<size_t> kNoHostsToAvoid;
    return cluster.balancer->chooseHost(kNoHostsToAvoid, std::nullopt);
  }
  // In panic mode the balancer would pick among every host; a call, which
  // nobody waits for, only goes to a healthy one.
  std::vector<size_t> healthy;
  for (size_t host = 0; host < cluster.hosts.size(); ++host) {
    if (cluster.hosts.isMember(host) && cluster.hosts.healthy(host)) healthy.push_back(host);
  }
  if (healthy.empty()) return std::nullopt;
  return upstream::drawByWeight(cluster.hosts, healthy, random_);
}

void HttpCalls::shutdown() {
  stopped_ = true;
  // Each report may start (refused) or cancel calls: take one at a time.
  while (!calls_.empty()) (*calls_.begin())->failNow("shutdown");
}

}  // namespace switchyard::router
