#include "upstream/load_balancer.h"

#include "upstream/least_request_balancer.h"
#include "upstream/random_balancer.h"
#include "upstream/round_robin_balancer.h"

namespace switchyard::upstream {

std::unique_ptr<LoadBalancer> makeLoadBalancer(config::Cluster::LbPolicy policy, const HostSet& hosts,
                                               std::mt19937_64 random) {
  switch (policy) {
    case config::Cluster::LEAST_REQUEST:
      return std::make_unique<LeastRequestBalancer>(hosts, random);
    case config::Cluster::RANDOM:
      return std::make_unique<RandomBalancer>(hosts, random);
    case config::Cluster::ROUND_ROBIN:
    default:  // protobuf's range sentinels; config parsing admits only named policies
      return std::make_unique<RoundRobinBalancer>(hosts);
  }
}

}  // namespace switchyard::upstream
