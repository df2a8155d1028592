// ClusterDiscovery: keeps one STRICT_DNS cluster's membership current. On
// the control loop it looks up every endpoint's name, turns the answers into
// host slots (host_slots.h) and publishes them (cluster_membership.h) for
// the workers to follow, then waits for the next refresh
// (dns_refresh_interval.h).
//
// A failed lookup keeps its name's last good addresses, counts
// cluster.<name>.dns_failures, and warns once per streak of failures (and
// says when the name answers again). Other metrics: dns_refreshes (rounds
// done), dns_hosts_added, dns_hosts_removed, dns_hosts_overflow, and the
// gauge dns_hosts (hosts in the cluster now).
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/proxy_config.h"
#include "upstream/cluster_health.h"
#include "upstream/cluster_membership.h"
#include "upstream/dns_resolver.h"
#include "upstream/host_slots.h"

namespace switchyard::upstream {

class ClusterDiscovery {
 public:
  // `health` is the cluster's: its per-host request counts tell which
  // draining slots are free to reuse.
  ClusterDiscovery(uv_loop_t* loop, const config::ClusterConfig& cluster, ClusterMembership& membership,
                   const ClusterHealth& health);
  // Closes the timer and the resolver: no callback runs afterwards.
  ~ClusterDiscovery();
  ClusterDiscovery(const ClusterDiscovery&) = delete;
  ClusterDiscovery& operator=(const ClusterDiscovery&) = delete;

  // Starts the first refresh; false with *error when c-ares cannot start.
  bool start(std::string* error);

 private:
  struct Target {
    const config::DnsTarget* config = nullptr;
    bool literal = false;                         // an IP address: never looked up
    std::vector<config::EndpointConfig> last_good;  // its addresses, from the last answer that had some
    std::optional<uint32_t> smallest_ttl_s;       // of this refresh's answer, when it succeeded
    bool failing = false;                         // the last lookup failed (warned once)
  };
  struct Metrics {
    uint32_t refreshes, failures, hosts_added, hosts_removed, hosts_overflow, hosts;
  };

  void refresh();
  void onAnswer(Target& target, DnsAnswer answer);
  // Every lookup of the refresh answered: assign slots, publish, schedule.
  void finishRefresh();
  void publish();

  uv_loop_t* loop_;
  const config::ClusterConfig& cluster_;
  ClusterMembership& membership_;
  const ClusterHealth& health_;
  std::unique_ptr<DnsResolver> resolver_;
  uv_timer_t* timer_ = nullptr;
  std::vector<Target> targets_;
  HostSlots slots_;
  Metrics metrics_{};
  size_t lookups_pending_ = 0;
  bool refresh_failed_ = false;
  bool overflow_warned_ = false;
  int64_t published_hosts_ = 0;
};

}  // namespace switchyard::upstream
