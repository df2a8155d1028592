// When a STRICT_DNS cluster refreshes: the answers' smallest TTL within the
// configured bounds, or the fixed rate when TTLs are ignored or a lookup
// failed.
#include "upstream/dns_refresh_interval.h"

#include <gtest/gtest.h>

namespace switchyard::upstream {
namespace {

config::DnsDiscoveryConfig defaults() {
  config::DnsDiscoveryConfig dns;
  dns.refresh_rate_ms = 5'000;
  dns.respect_ttl = true;
  dns.min_refresh_rate_ms = 1'000;
  dns.max_refresh_rate_ms = 60'000;
  return dns;
}

TEST(DnsRefreshInterval, FollowsTheSmallestTtl) { EXPECT_EQ(dnsRefreshIntervalMs(defaults(), 30), 30'000u); }

TEST(DnsRefreshInterval, TtlIsBoundedByMinAndMax) {
  EXPECT_EQ(dnsRefreshIntervalMs(defaults(), 0), 1'000u);
  EXPECT_EQ(dnsRefreshIntervalMs(defaults(), 3600), 60'000u);
  EXPECT_EQ(dnsRefreshIntervalMs(defaults(), 4'000'000'000u), 60'000u);  // no overflow
}

TEST(DnsRefreshInterval, AFailedRefreshUsesTheRefreshRate) {
  EXPECT_EQ(dnsRefreshIntervalMs(defaults(), std::nullopt), 5'000u);
}

TEST(DnsRefreshInterval, IgnoringTtlsUsesTheRefreshRate) {
  config::DnsDiscoveryConfig dns = defaults();
  dns.respect_ttl = false;
  EXPECT_EQ(dnsRefreshIntervalMs(dns, 30), 5'000u);
}

TEST(DnsRefreshInterval, AMinAboveTheMaxWins) {
  config::DnsDiscoveryConfig dns = defaults();
  dns.min_refresh_rate_ms = 90'000;
  EXPECT_EQ(dnsRefreshIntervalMs(dns, 30), 90'000u);
}

}  // namespace
}  // namespace switchyard::upstream
