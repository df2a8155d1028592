// The tracing filter's wire formats: traceparent checked to the letter of
// W3C Trace Context level 1, B3 in both header forms, and what we write.
#include "trace_context.h"

#include <gtest/gtest.h>

namespace tracing {
namespace {

constexpr char kTrace[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kParent[] = "00f067aa0ba902b7";

std::string traceparent(std::string version, std::string trace, std::string parent, std::string flags) {
  return version + "-" + trace + "-" + parent + "-" + flags;
}

TEST(TraceparentTest, AcceptsAValidHeader) {
  auto context = parseTraceparent(traceparent("00", kTrace, kParent, "01"));
  ASSERT_TRUE(context);
  EXPECT_EQ(hex(context->trace_id), kTrace);
  EXPECT_EQ(hex(context->parent_span_id), kParent);
  EXPECT_EQ(context->sampled, true);
  EXPECT_EQ(parseTraceparent(traceparent("00", kTrace, kParent, "00"))->sampled, false);
  // Other flag bits are ignored; only bit 0 samples.
  EXPECT_EQ(parseTraceparent(traceparent("00", kTrace, kParent, "fe"))->sampled, false);
}

TEST(TraceparentTest, RefusesWhatTheSpecRefuses) {
  const std::string refused[] = {
      traceparent("ff", kTrace, kParent, "01"),                              // version ff
      traceparent("00", std::string(32, '0'), kParent, "01"),                // zero trace id
      traceparent("00", kTrace, std::string(16, '0'), "01"),                 // zero parent id
      traceparent("00", "4BF92F3577B34DA6A3CE929D0E0E4736", kParent, "01"),  // upper case
      traceparent("0g", kTrace, kParent, "01"),                              // not hex
      traceparent("00", kTrace, kParent, "01") + "-",                        // version 00 is exact
      traceparent("00", kTrace, kParent, "1"),                               // short flags
      traceparent("00", std::string(kTrace).substr(1), kParent, "01"),       // short trace id
      "00_" + std::string(kTrace) + "-" + kParent + "-01",                   // wrong separator
      "",
  };
  for (const auto& value : refused) EXPECT_FALSE(parseTraceparent(value)) << value;
}

TEST(TraceparentTest, ALaterVersionMayAppendFields) {
  EXPECT_TRUE(parseTraceparent(traceparent("01", kTrace, kParent, "01") + "-what-comes-next"));
  EXPECT_TRUE(parseTraceparent(traceparent("01", kTrace, kParent, "01")));
  EXPECT_FALSE(parseTraceparent(traceparent("01", kTrace, kParent, "01") + "x"));
}

TEST(B3SingleTest, ReadsIdsSamplingAndAParent) {
  auto parsed = parseB3Single(std::string(kTrace) + "-" + kParent + "-1-05e3ac9a4f6e3b90");
  ASSERT_TRUE(parsed.context);
  EXPECT_EQ(hex(parsed.context->trace_id), kTrace);
  EXPECT_EQ(hex(parsed.context->parent_span_id), kParent);
  EXPECT_EQ(parsed.sampled, true);
  parsed = parseB3Single(std::string(kTrace) + "-" + kParent);
  ASSERT_TRUE(parsed.context);
  EXPECT_FALSE(parsed.sampled) << "no sampling state: the decision is ours";
  EXPECT_EQ(parseB3Single(std::string(kTrace) + "-" + kParent + "-d").sampled, true);
}

TEST(B3SingleTest, PadsA64BitTraceId) {
  auto parsed = parseB3Single("463ac35c9f6413ad-a2fb4a1d1a96d312-0");
  ASSERT_TRUE(parsed.context);
  EXPECT_EQ(hex(parsed.context->trace_id), "0000000000000000463ac35c9f6413ad");
  EXPECT_EQ(parsed.sampled, false);
}

TEST(B3SingleTest, ASamplingStateAloneCarriesOnlyTheDecision) {
  EXPECT_EQ(parseB3Single("0").sampled, false);
  EXPECT_FALSE(parseB3Single("0").context);
  EXPECT_EQ(parseB3Single("d").sampled, true);
  EXPECT_FALSE(parseB3Single("x").sampled);
}

TEST(B3SingleTest, RefusesMalformedHeaders) {
  const std::string refused[] = {
      std::string(kTrace) + "-" + kParent + "-2",         // bad sampling state
      std::string(kTrace) + "-" + kParent + "-1-zz",      // bad parent
      std::string(kTrace) + "-xyz-1",                     // bad span id
      std::string(kTrace).substr(0, 20) + "-" + kParent,  // 80-bit trace id
      std::string(32, '0') + "-" + kParent,               // zero trace id
      std::string(kTrace) + "-" + std::string(16, '0'),   // zero span id
  };
  for (const auto& value : refused) EXPECT_FALSE(parseB3Single(value).context) << value;
}

TEST(B3MultiTest, ReadsTheHeaders) {
  auto parsed = parseB3Multi("463ac35c9f6413ad", "a2fb4a1d1a96d312", "1", "");
  ASSERT_TRUE(parsed.context);
  EXPECT_EQ(hex(parsed.context->trace_id), "0000000000000000463ac35c9f6413ad");
  EXPECT_EQ(parsed.context->sampled, true);
  EXPECT_EQ(parseB3Multi(kTrace, kParent, "", "1").sampled, true) << "debug samples";
  EXPECT_EQ(parseB3Multi(kTrace, kParent, "false", "").sampled, false);
  EXPECT_FALSE(parseB3Multi(kTrace, kParent, "", "").sampled);
  // A decision without ids.
  auto decision_only = parseB3Multi("", "", "0", "");
  EXPECT_FALSE(decision_only.context);
  EXPECT_EQ(decision_only.sampled, false);
  EXPECT_FALSE(parseB3Multi(kTrace, "", "1", "").context);
  EXPECT_FALSE(parseB3Multi("XYZ", kParent, "1", "").context);
}

TEST(TracestateTest, KeepsAReasonableListOnly) {
  EXPECT_EQ(acceptedTracestate("rojo=00f067aa0ba902b7, congo=t61rcWkgMzE"),
            "rojo=00f067aa0ba902b7, congo=t61rcWkgMzE");
  EXPECT_EQ(acceptedTracestate(std::string(513, 'a')), "");
  EXPECT_EQ(acceptedTracestate("a=\x01"), "");
}

TEST(FormatTest, WritesEveryFormat) {
  TraceId trace = parseTraceparent(traceparent("00", kTrace, kParent, "01"))->trace_id;
  EXPECT_EQ(formatTraceparent(trace, 0x00f067aa0ba902b7, true), traceparent("00", kTrace, kParent, "01"));
  EXPECT_EQ(formatTraceparent(trace, 0x00f067aa0ba902b7, false), traceparent("00", kTrace, kParent, "00"));
  EXPECT_EQ(formatB3Single(trace, 0x00f067aa0ba902b7, true, 0), std::string(kTrace) + "-" + kParent + "-1");
  EXPECT_EQ(formatB3Single(trace, 1, false, 2), std::string(kTrace) + "-0000000000000001-0-0000000000000002");
}

uint64_t zeroThenOne() {
  static int calls = 0;
  return ++calls > 2 ? 1 : 0;
}

TEST(IdTest, NewIdsAreNeverZero) {
  EXPECT_NE(newSpanId(zeroThenOne), 0u);
  TraceId id = newTraceId(zeroThenOne);
  EXPECT_NE(hex(id), std::string(32, '0'));
}

}  // namespace
}  // namespace tracing
