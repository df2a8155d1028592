#include "upstream/load_balancer.h"

#include "upstream/least_request_balancer.h"
#include "upstream/maglev_balancer.h"
#include "upstream/random_balancer.h"
#include "upstream/ring_hash_balancer.h"
#include "upstream/round_robin_balancer.h"

namespace switchyard::upstream {

std::unique_ptr<LoadBalancer> makeLoadBalancer(const config::ClusterConfig& cluster, const HostSet& hosts,
                                               std::mt19937_64 random) {
  switch (cluster.lb_policy) {
    case config::Cluster::LEAST_REQUEST:
      return std::make_unique<LeastRequestBalancer>(hosts, random);
    case config::Cluster::RANDOM:
      return std::make_unique<RandomBalancer>(hosts, random);
    case config::Cluster::RING_HASH:
      return std::make_unique<RingHashBalancer>(hosts, cluster.ring_hash, random);
    case config::Cluster::MAGLEV:
      return std::make_unique<MaglevBalancer>(hosts, cluster.maglev_table_size, random);
    case config::Cluster::ROUND_ROBIN:
    default:  // protobuf's range sentinels; config parsing admits only named policies
      return std::make_unique<RoundRobinBalancer>(hosts);
  }
}

}  // namespace switchyard::upstream
