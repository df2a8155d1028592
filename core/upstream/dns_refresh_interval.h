// When a STRICT_DNS cluster looks its names up again.
#pragma once

#include <cstdint>
#include <optional>

#include "config/proxy_config.h"

namespace switchyard::upstream {

// `smallest_ttl_s`: the smallest TTL among the records of a refresh whose
// lookups all succeeded, or nullopt when one failed (or nothing was looked
// up: every target is an IP literal). With respect_ttl that TTL, bounded by
// [min_refresh_rate, max_refresh_rate]; otherwise, and after a failure,
// refresh_rate.
uint64_t dnsRefreshIntervalMs(const config::DnsDiscoveryConfig& dns, std::optional<uint32_t> smallest_ttl_s);

}  // namespace switchyard::upstream
