#include "upstream/dns_refresh_interval.h"

#include <algorithm>

namespace switchyard::upstream {

uint64_t dnsRefreshIntervalMs(const config::DnsDiscoveryConfig& dns, std::optional<uint32_t> smallest_ttl_s) {
  if (!dns.respect_ttl || !smallest_ttl_s) return dns.refresh_rate_ms;
  // Not std::clamp: a min above the max (one of them left at its default)
  // is no error; the min wins.
  return std::max(dns.min_refresh_rate_ms, std::min(uint64_t{*smallest_ttl_s} * 1000, dns.max_refresh_rate_ms));
}

}  // namespace switchyard::upstream
