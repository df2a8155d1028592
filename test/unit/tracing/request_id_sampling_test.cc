// Request ids (kept or generated as UUIDv4) and the sampling decision.
#include <gtest/gtest.h>

#include <regex>

#include "request_id.h"
#include "sampling.h"

namespace tracing {
namespace {

TEST(RequestIdTest, KeepsWhatTheHostAcceptsAsAnId) {
  EXPECT_TRUE(usableRequestId("abc-123"));
  EXPECT_TRUE(usableRequestId(std::string(128, 'x')));
  EXPECT_FALSE(usableRequestId(""));
  EXPECT_FALSE(usableRequestId(std::string(129, 'x')));
  EXPECT_FALSE(usableRequestId("has space"));
  EXPECT_FALSE(usableRequestId("tab\there"));
  EXPECT_FALSE(usableRequestId("caf\xc3\xa9"));
}

TEST(RequestIdTest, GeneratesVersion4Uuids) {
  const std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (uint64_t seed : {0ull, ~0ull, 0x0123456789abcdefull}) {
    std::string id = uuidV4(seed, ~seed);
    EXPECT_TRUE(std::regex_match(id, uuid)) << id;
  }
  EXPECT_EQ(uuidV4(0, 0), "00000000-0000-4000-8000-000000000000");
  EXPECT_NE(uuidV4(1, 2), uuidV4(1, 3));
}

TEST(SamplingTest, ForceWinsThenTheCallerThenThePercentage) {
  SamplingInputs inputs;
  inputs.percent = 0;
  inputs.caller_decided = false;
  inputs.forced = true;
  EXPECT_TRUE(decideSampling(inputs, 0));
  inputs.forced = false;
  inputs.percent = 100;
  EXPECT_FALSE(decideSampling(inputs, 0)) << "the caller said no";
  inputs.caller_decided = true;
  inputs.percent = 0;
  EXPECT_TRUE(decideSampling(inputs, ~0ull)) << "the caller said yes";
  inputs.caller_decided.reset();
  EXPECT_FALSE(decideSampling(inputs, 0));
  inputs.percent = 100;
  EXPECT_TRUE(decideSampling(inputs, ~0ull));
}

TEST(SamplingTest, APercentageSamplesThatShareOfUniformDraws) {
  SamplingInputs inputs;
  inputs.percent = 12.5;  // fractions allowed
  const uint64_t kDraws = 1 << 16;
  uint64_t sampled = 0;
  for (uint64_t i = 0; i < kDraws; ++i) {
    // i / 2^16 of the 64-bit range: evenly spread.
    if (decideSampling(inputs, i << 48)) ++sampled;
  }
  EXPECT_EQ(sampled, kDraws / 8);
}

}  // namespace
}  // namespace tracing
