#include "upstream/cluster_discovery.h"

#include <algorithm>

#include "common/log.h"
#include "common/uv_util.h"
#include "stats/metric_registry.h"
#include "upstream/dns_refresh_interval.h"

namespace switchyard::upstream {

namespace {

AddressFamilies addressFamilies(config::Cluster::DnsLookupFamily family) {
  switch (family) {
    case config::Cluster::V4_ONLY: return AddressFamilies::kIpv4Only;
    case config::Cluster::V6_ONLY: return AddressFamilies::kIpv6Only;
    case config::Cluster::AUTO: return AddressFamilies::kIpv6Preferred;
    case config::Cluster::ALL: return AddressFamilies::kAll;
    default: return AddressFamilies::kIpv4Preferred;
  }
}

// "cluster.<name>.<stat>", for Prometheus cluster_<stat>{cluster="<name>"}.
uint32_t defineMetric(stats::MetricKind kind, const std::string& cluster, const std::string& stat, const char* help) {
  stats::MetricName name{"cluster." + cluster + "." + stat, "cluster_" + stat, {{"cluster", cluster}}, help};
  // The registry is full only with many thousands of series; then this one
  // is dropped rather than failing discovery (record() ignores the id).
  return stats::MetricRegistry::global().define(kind, name).value_or(stats::MetricRegistry::kMaxSeries);
}

void record(uint32_t id, int64_t value) {
  if (value != 0) stats::MetricRegistry::global().record(id, value);
}

config::EndpointConfig endpointOf(const sockaddr_storage& address, const config::DnsTarget& target) {
  config::EndpointConfig endpoint;
  endpoint.address = address;
  reinterpret_cast<sockaddr_in&>(endpoint.address).sin_port = htons(target.port);
  endpoint.text = formatSocketAddress(endpoint.address);
  endpoint.weight = target.weight;
  return endpoint;
}

}  // namespace

ClusterDiscovery::ClusterDiscovery(uv_loop_t* loop, const config::ClusterConfig& cluster,
                                   ClusterMembership& membership, const ClusterHealth& health)
    : loop_(loop), cluster_(cluster), membership_(membership), health_(health), slots_(membership.slotCount()) {
  using stats::MetricKind;
  const std::string& name = cluster.name;
  metrics_.refreshes = defineMetric(MetricKind::kCounter, name, "dns_refreshes", "DNS lookups that answered");
  metrics_.failures = defineMetric(MetricKind::kCounter, name, "dns_failures", "DNS lookups that failed");
  metrics_.hosts_added = defineMetric(MetricKind::kCounter, name, "dns_hosts_added", "Hosts DNS added");
  metrics_.hosts_removed = defineMetric(MetricKind::kCounter, name, "dns_hosts_removed", "Hosts DNS removed");
  metrics_.hosts_overflow = defineMetric(MetricKind::kCounter, name, "dns_hosts_overflow",
                                         "Addresses ignored: every host slot was taken");
  metrics_.hosts = defineMetric(MetricKind::kGauge, name, "dns_hosts", "Hosts the cluster has from DNS now");
  for (const auto& target_config : cluster.dns.targets) {
    Target target;
    target.config = &target_config;
    sockaddr_storage literal;
    if (parseSocketAddress(target_config.hostname, target_config.port, &literal)) {
      target.literal = true;
      config::EndpointConfig endpoint;
      endpoint.address = literal;
      endpoint.text = formatSocketAddress(literal);
      endpoint.weight = target_config.weight;
      target.last_good.push_back(endpoint);
    }
    targets_.push_back(std::move(target));
  }
}

ClusterDiscovery::~ClusterDiscovery() {
  // The hosts stay published: a drain keeps serving them.
  closeAndDelete(timer_);
  resolver_.reset();
}

bool ClusterDiscovery::start(std::string* error) {
  resolver_ = DnsResolver::create(loop_, cluster_.dns.resolvers, error);
  if (!resolver_) {
    *error = "cluster '" + cluster_.name + "': " + *error;
    return false;
  }
  timer_ = new uv_timer_t;
  uv_timer_init(loop_, timer_);
  timer_->data = this;
  refresh();
  return true;
}

void ClusterDiscovery::refresh() {
  refresh_failed_ = false;
  std::vector<Target*> lookups;
  for (Target& target : targets_) {
    target.smallest_ttl_s.reset();
    if (!target.literal) lookups.push_back(&target);
  }
  // Counted before the first lookup: an answer may come inside resolve().
  lookups_pending_ = lookups.size();
  if (lookups.empty()) {
    finishRefresh();
    return;
  }
  for (Target* target : lookups) {
    resolver_->resolve(target->config->hostname, addressFamilies(cluster_.dns.lookup_family), [this, target](DnsAnswer answer) {
      onAnswer(*target, std::move(answer));
    });
  }
}

void ClusterDiscovery::onAnswer(Target& target, DnsAnswer answer) {
  const std::string& hostname = target.config->hostname;
  if (answer.ok) {
    if (target.failing) SY_LOG(kInfo, "cluster '%s': %s resolves again", cluster_.name.c_str(), hostname.c_str());
    target.failing = false;
    target.last_good.clear();
    for (const ResolvedAddress& resolved : answer.addresses) {
      target.last_good.push_back(endpointOf(resolved.address, *target.config));
      target.smallest_ttl_s = std::min(target.smallest_ttl_s.value_or(resolved.ttl_s), resolved.ttl_s);
    }
  } else {
    record(metrics_.failures, 1);
    refresh_failed_ = true;
    if (!target.failing) {
      SY_LOG(kWarn, "cluster '%s': DNS lookup of %s failed (%s); keeping its %zu last known address(es)",
             cluster_.name.c_str(), hostname.c_str(), answer.error.c_str(), target.last_good.size());
    }
    target.failing = true;
  }
  if (--lookups_pending_ == 0) finishRefresh();
}

void ClusterDiscovery::finishRefresh() {
  publish();
  record(metrics_.refreshes, 1);
  std::optional<uint32_t> smallest_ttl_s;
  bool looked_up = false;
  for (const Target& target : targets_) {
    if (target.literal) continue;
    looked_up = true;
    if (target.smallest_ttl_s) {
      smallest_ttl_s = std::min(smallest_ttl_s.value_or(*target.smallest_ttl_s), *target.smallest_ttl_s);
    }
  }
  if (!looked_up) return;  // literals only: nothing will change
  uint64_t next_ms = dnsRefreshIntervalMs(cluster_.dns, refresh_failed_ ? std::nullopt : smallest_ttl_s);
  uv_timer_start(timer_, [](uv_timer_t* timer) { static_cast<ClusterDiscovery*>(timer->data)->refresh(); },
                 next_ms, 0);
}

void ClusterDiscovery::publish() {
  std::vector<config::EndpointConfig> addresses;
  for (const Target& target : targets_) {
    addresses.insert(addresses.end(), target.last_good.begin(), target.last_good.end());
  }
  HostSlots::Changes changes =
      slots_.assign(addresses, [this](size_t slot) {
        return health_.host(slot).active_requests.load(std::memory_order_relaxed) > 0;
      });
  record(metrics_.hosts_added, int64_t(changes.added));
  record(metrics_.hosts_removed, int64_t(changes.removed));
  record(metrics_.hosts_overflow, int64_t(changes.overflow));
  if (changes.overflow > 0 && !overflow_warned_) {
    SY_LOG(kWarn, "cluster '%s': %zu address(es) ignored, every one of its %zu host slots (max_hosts) is taken",
           cluster_.name.c_str(), changes.overflow, slots_.size());
  }
  overflow_warned_ = changes.overflow > 0;
  if (!changes.membersChanged()) return;
  std::vector<std::optional<config::EndpointConfig>> members(slots_.size());
  for (size_t slot = 0; slot < slots_.size(); ++slot) {
    if (slots_.state(slot) == SlotState::kActive) members[slot] = slots_.endpoint(slot);
  }
  membership_.publish(std::move(members));
  int64_t hosts = int64_t(slots_.activeCount());
  record(metrics_.hosts, hosts - published_hosts_);
  published_hosts_ = hosts;
  SY_LOG(kInfo, "cluster '%s': %zu host(s) after DNS refresh (%zu added, %zu removed)", cluster_.name.c_str(),
         size_t(hosts), changes.added, changes.removed);
}

}  // namespace switchyard::upstream
