// The hash-based load-balancing policies, RING_HASH and MAGLEV: a key keeps
// its host; adding, removing or un-healthying a host moves about that
// host's share of the keys and no more (measured over 10,000 keys);
// weights give proportional shares; unhealthy and already tried hosts are
// skipped deterministically. The shared candidate rules (panic mode, avoid
// lists without a key) are in load_balancer_test.cc, which runs them for
// every policy. A membership change (service discovery) rebuilds the table
// over the new members, moving only the keys of the host that came or went.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "common/stable_hash.h"
#include "upstream/cluster_health.h"
#include "upstream/load_balancer.h"
#include "upstream/ring_hash_balancer.h"

namespace switchyard::upstream {
namespace {

// Every host healthy, Envoy's default panic threshold.
HostSet hostSetOf(const std::vector<config::EndpointConfig>& endpoints) {
  return HostSet(endpoints, std::make_shared<ClusterHealth>(endpoints.size()), 50);
}

constexpr int kKeyCount = 10'000;

std::vector<config::EndpointConfig> endpointsWithWeights(const std::vector<uint32_t>& weights) {
  std::vector<config::EndpointConfig> endpoints(weights.size());
  for (size_t i = 0; i < weights.size(); ++i) {
    endpoints[i].text = "10.0.0." + std::to_string(i + 1) + ":8080";
    endpoints[i].weight = weights[i];
  }
  return endpoints;
}

std::vector<config::EndpointConfig> equalEndpoints(size_t count) {
  return endpointsWithWeights(std::vector<uint32_t>(count, 1));
}

std::unique_ptr<LoadBalancer> balancerFor(config::Cluster::LbPolicy policy, const HostSet& hosts,
                                          uint64_t seed = 1) {
  config::ClusterConfig cluster;
  cluster.lb_policy = policy;
  cluster.ring_hash = {1024, 8 * 1024 * 1024};  // the defaults
  cluster.maglev_table_size = 65537;
  return makeLoadBalancer(cluster, hosts, std::mt19937_64(seed));
}

// Keys as the router makes them: the stable hash of a header value.
std::vector<uint64_t> testKeys(int count = kKeyCount) {
  std::vector<uint64_t> keys;
  for (int i = 0; i < count; ++i) keys.push_back(stableHash("user-" + std::to_string(i)));
  return keys;
}

// The address of the host each key goes to; addresses rather than indices,
// so that host sets with a host removed compare.
std::vector<std::string> hostOfEachKey(LoadBalancer& balancer, const HostSet& hosts,
                                       const std::vector<uint64_t>& keys,
                                       const std::vector<size_t>& avoid = {}) {
  std::vector<std::string> chosen;
  for (uint64_t key : keys) chosen.push_back(hosts.endpoint(balancer.chooseHost(avoid, key)).text);
  return chosen;
}

std::map<std::string, int> keysPerHost(const std::vector<std::string>& chosen) {
  std::map<std::string, int> counts;
  for (const auto& host : chosen) ++counts[host];
  return counts;
}

class HashPolicy : public testing::TestWithParam<config::Cluster::LbPolicy> {};

INSTANTIATE_TEST_SUITE_P(LoadBalancer, HashPolicy,
                         testing::Values(config::Cluster::RING_HASH, config::Cluster::MAGLEV),
                         [](const auto& info) { return config::Cluster::LbPolicy_Name(info.param); });

TEST_P(HashPolicy, AKeyAlwaysGoesToTheSameHostOnEveryWorker) {
  HostSet hosts = hostSetOf(equalEndpoints(5));
  // Two workers: separate balancers with separate random generators.
  auto worker_one = balancerFor(GetParam(), hosts, 1);
  auto worker_two = balancerFor(GetParam(), hosts, 2);
  auto keys = testKeys(1000);
  auto first = hostOfEachKey(*worker_one, hosts, keys);
  EXPECT_EQ(hostOfEachKey(*worker_one, hosts, keys), first);
  EXPECT_EQ(hostOfEachKey(*worker_two, hosts, keys), first);
  EXPECT_EQ(keysPerHost(first).size(), 5u);
}

TEST_P(HashPolicy, WithoutAKeyRequestsSpreadLikeRandom) {
  HostSet hosts = hostSetOf(endpointsWithWeights({3, 1}));
  auto balancer = balancerFor(GetParam(), hosts);
  std::map<size_t, int> counts;
  for (int i = 0; i < 10000; ++i) ++counts[balancer->chooseHost({}, std::nullopt)];
  EXPECT_NEAR(counts[0], 7500, 250);  // binomial standard deviation 43
  EXPECT_NEAR(counts[1], 2500, 250);
}

// Adding a host to N equal hosts should move 1/(N+1) of the keys, all to the
// new host. The ring moves exactly the keys on the new host's arcs (their
// share varies by a few percent with the points' placement); Maglev moves
// those plus the few slots that change hands between old hosts.
TEST_P(HashPolicy, AddingAHostMovesAboutItsShareOfTheKeys) {
  auto keys = testKeys();
  for (size_t count : {3u, 5u, 10u}) {
    HostSet before_hosts = hostSetOf(equalEndpoints(count));
    HostSet after_hosts = hostSetOf(equalEndpoints(count + 1));
    auto before = hostOfEachKey(*balancerFor(GetParam(), before_hosts), before_hosts, keys);
    auto after = hostOfEachKey(*balancerFor(GetParam(), after_hosts), after_hosts, keys);
    const std::string& added = after_hosts.endpoint(count).text;
    int moved = 0, moved_to_the_new_host = 0;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (before[i] == after[i]) continue;
      ++moved;
      if (after[i] == added) ++moved_to_the_new_host;
    }
    double ideal = double(kKeyCount) / double(count + 1);
    std::cout << config::Cluster::LbPolicy_Name(GetParam()) << ": " << count << " -> " << count + 1
              << " hosts moved " << moved << " of " << kKeyCount << " keys (ideal " << int(ideal) << "), "
              << moved_to_the_new_host << " to the new host\n";
    EXPECT_LE(moved, 1.5 * ideal) << count << " hosts";
    EXPECT_GE(moved, 0.5 * ideal) << count << " hosts";
    if (GetParam() == config::Cluster::RING_HASH) {
      EXPECT_EQ(moved, moved_to_the_new_host);
    }
    EXPECT_GE(moved_to_the_new_host, 0.95 * moved);
  }
}

TEST_P(HashPolicy, RemovingAHostMovesItsKeysAndAtMostAFewOthers) {
  auto keys = testKeys();
  for (size_t count : {3u, 5u, 10u}) {
    auto endpoints = equalEndpoints(count);
    HostSet before_hosts = hostSetOf(endpoints);
    auto before = hostOfEachKey(*balancerFor(GetParam(), before_hosts), before_hosts, keys);
    std::string removed = endpoints[1].text;
    endpoints.erase(endpoints.begin() + 1);
    HostSet after_hosts = hostSetOf(endpoints);
    auto after = hostOfEachKey(*balancerFor(GetParam(), after_hosts), after_hosts, keys);
    int moved_of_others = 0, removed_keys = 0;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (before[i] == removed) {
        ++removed_keys;
      } else if (before[i] != after[i]) {
        ++moved_of_others;
      }
    }
    std::cout << config::Cluster::LbPolicy_Name(GetParam()) << ": " << count << " -> " << count - 1
              << " hosts moved the removed host's " << removed_keys << " keys and " << moved_of_others
              << " others\n";
    if (GetParam() == config::Cluster::RING_HASH) {
      EXPECT_EQ(moved_of_others, 0) << count << " hosts";
    } else {
      EXPECT_LE(moved_of_others, 0.05 * kKeyCount / double(count)) << count << " hosts";
    }
  }
}

// An unhealthy host's keys are taken over deterministically, by several
// other hosts; nobody else's keys move, and they all come back with it.
TEST_P(HashPolicy, AnUnhealthyHostMovesOnlyItsOwnKeysAndGetsThemBack) {
  HostSet hosts = hostSetOf(equalEndpoints(5));
  auto balancer = balancerFor(GetParam(), hosts);
  auto keys = testKeys();
  auto healthy = hostOfEachKey(*balancer, hosts, keys);
  const std::string& failing = hosts.endpoint(2).text;
  hosts.setHealthFlag(2, HostHealthFlag::kFailedActiveCheck);
  auto degraded = hostOfEachKey(*balancer, hosts, keys);
  EXPECT_EQ(hostOfEachKey(*balancer, hosts, keys), degraded);  // deterministic
  std::map<std::string, int> takers;
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_NE(degraded[i], failing);
    if (healthy[i] == failing) {
      ++takers[degraded[i]];
    } else {
      EXPECT_EQ(degraded[i], healthy[i]);
    }
  }
  // About 500 keys each for the four others.
  EXPECT_EQ(takers.size(), 4u);
  for (const auto& [host, taken] : takers) EXPECT_GT(taken, 250) << host;
  hosts.clearHealthFlag(2, HostHealthFlag::kFailedActiveCheck);
  EXPECT_EQ(hostOfEachKey(*balancer, hosts, keys), healthy);
}

// A retry that avoids the hosts it tried walks on the same way for the
// same key: the second try of a key is as sticky as the first.
TEST_P(HashPolicy, AvoidedHostsAreSkippedDeterministically) {
  HostSet hosts = hostSetOf(equalEndpoints(4));
  auto balancer = balancerFor(GetParam(), hosts);
  for (uint64_t key : testKeys(200)) {
    size_t first = balancer->chooseHost({}, key);
    size_t second = balancer->chooseHost({first}, key);
    EXPECT_NE(second, first);
    EXPECT_EQ(balancer->chooseHost({first}, key), second);
    size_t third = balancer->chooseHost({first, second}, key);
    EXPECT_NE(third, first);
    EXPECT_NE(third, second);
    // Every host tried: the candidates are every host again, so the key's own.
    EXPECT_EQ(balancer->chooseHost({0, 1, 2, 3}, key), first);
  }
}

TEST_P(HashPolicy, AnAvoidedHealthyHostBeatsAnUnhealthyOne) {
  HostSet hosts = hostSetOf(equalEndpoints(2));
  hosts.setHealthFlag(1, HostHealthFlag::kDraining);
  auto balancer = balancerFor(GetParam(), hosts);
  for (uint64_t key : testKeys(100)) EXPECT_EQ(balancer->chooseHost({0}, key), 0u);
}

// In panic (no host healthy) every host is routable: keys keep their hosts.
TEST_P(HashPolicy, InPanicEveryKeyKeepsItsHost) {
  HostSet hosts = hostSetOf(equalEndpoints(3));
  auto balancer = balancerFor(GetParam(), hosts);
  auto keys = testKeys(1000);
  auto healthy = hostOfEachKey(*balancer, hosts, keys);
  for (size_t host = 0; host < 3; ++host) hosts.setHealthFlag(host, HostHealthFlag::kFailedActiveCheck);
  EXPECT_EQ(hostOfEachKey(*balancer, hosts, keys), healthy);
}

// Key shares follow weight. Maglev's table splits almost exactly (65537
// slots); the ring's shares vary with where the points fall, a few percent
// of a share with 1024 points per unit of weight. Tolerances: 3% of the
// keys for Maglev (key sampling alone has a standard deviation of 0.5%),
// 10% of the expected share for the ring.
TEST_P(HashPolicy, KeySharesFollowWeights) {
  HostSet hosts = hostSetOf(endpointsWithWeights({1, 2, 3, 4}));
  auto balancer = balancerFor(GetParam(), hosts);
  auto keys = testKeys(50'000);
  auto counts = keysPerHost(hostOfEachKey(*balancer, hosts, keys));
  for (size_t host = 0; host < 4; ++host) {
    double expected = keys.size() * (host + 1) / 10.0;
    double tolerance = GetParam() == config::Cluster::MAGLEV ? 0.03 * expected + 150 : 0.10 * expected;
    EXPECT_NEAR(counts[hosts.endpoint(host).text], expected, tolerance) << "host " << host;
  }
}

TEST_P(HashPolicy, AnAddressListedTwiceGetsTwoShares) {
  auto endpoints = equalEndpoints(2);
  endpoints.push_back(endpoints[0]);
  HostSet hosts = hostSetOf(endpoints);
  auto balancer = balancerFor(GetParam(), hosts);
  std::map<size_t, int> counts;
  for (uint64_t key : testKeys()) ++counts[balancer->chooseHost({}, key)];
  for (size_t host = 0; host < 3; ++host) EXPECT_NEAR(counts[host], kKeyCount / 3, 500) << "host " << host;
}

// ---------------------------------------------------------------------------
// RING_HASH: the ring's size

TEST(RingHash, EachHostGetsMinimumRingSizePointsPerLowestWeight) {
  HostSet hosts = hostSetOf(endpointsWithWeights({2, 2, 4}));
  RingHashBalancer balancer(hosts, {100, 1'000'000}, std::mt19937_64(1));
  EXPECT_EQ(balancer.ringSize(), 400u);  // 100 + 100 + 200
}

TEST(RingHash, TheMaximumScalesEveryHostDown) {
  HostSet hosts = hostSetOf(endpointsWithWeights({1, 1000, 1000}));
  RingHashBalancer balancer(hosts, {1024, 20'000}, std::mt19937_64(1));
  // 1024 per unit of weight would be 2 million points; 20000 / 2001 per
  // unit rounds to 10, 9995 and 9995.
  EXPECT_EQ(balancer.ringSize(), 20'000u);
}

TEST(RingHash, EveryHostKeepsAPoint) {
  HostSet hosts = hostSetOf(endpointsWithWeights({1, 1'000'000}));
  RingHashBalancer balancer(hosts, {1024, 1000}, std::mt19937_64(1));
  EXPECT_EQ(balancer.ringSize(), 1u + 1000);
  size_t light_host_keys = 0;
  for (uint64_t key : testKeys()) light_host_keys += balancer.chooseHost({}, key) == 0 ? 1 : 0;
  EXPECT_LT(light_host_keys, 100u);
  hosts.setHealthFlag(1, HostHealthFlag::kDraining);
  for (uint64_t key : testKeys(100)) EXPECT_EQ(balancer.chooseHost({}, key), 0u);
}

TEST_P(HashPolicy, AMembershipChangeRebuildsTheTableOverTheMembers) {
  std::vector<config::EndpointConfig> endpoints = equalEndpoints(3);
  HostSet hosts(std::make_shared<ClusterHealth>(3), 50);  // three empty slots
  auto balancer = balancerFor(GetParam(), hosts);
  hosts.addHost(0, endpoints[0]);
  hosts.addHost(1, endpoints[1]);
  std::vector<uint64_t> keys = testKeys();
  std::vector<std::string> before = hostOfEachKey(*balancer, hosts, keys);
  EXPECT_EQ(keysPerHost(before).size(), 2u);

  hosts.addHost(2, endpoints[2]);
  std::vector<std::string> after = hostOfEachKey(*balancer, hosts, keys);
  int moved = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (after[i] != before[i]) {
      ++moved;
      EXPECT_EQ(after[i], endpoints[2].text);  // only to the newcomer
    }
  }
  // About a third of the keys: the newcomer's share.
  EXPECT_GT(moved, kKeyCount / 4);
  EXPECT_LT(moved, kKeyCount * 2 / 5);

  hosts.removeHost(0);
  EXPECT_EQ(keysPerHost(hostOfEachKey(*balancer, hosts, keys)).count(endpoints[0].text), 0u);
}

}  // namespace
}  // namespace switchyard::upstream
