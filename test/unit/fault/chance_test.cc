// modules/fault's chances: percentages as text (runtime values, request
// headers) to parts per million, the hit test, and the seeded sequence.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "fault_chance.h"

namespace {

uint32_t ppmOf(const std::string& text, uint32_t fallback = 4242) {
  uint32_t ppm = fallback;
  fault_percent_text_to_ppm(text.data(), text.size(), &ppm);
  return ppm;
}

TEST(FaultChance, PercentTextBecomesPartsPerMillion) {
  EXPECT_EQ(ppmOf("0"), 0u);
  EXPECT_EQ(ppmOf("50"), 500000u);
  EXPECT_EQ(ppmOf("100"), 1000000u);
  EXPECT_EQ(ppmOf("100.0"), 1000000u);
  EXPECT_EQ(ppmOf("0.01"), 100u) << "one in ten thousand";
  EXPECT_EQ(ppmOf("0.0001"), 1u) << "one in a million";
  EXPECT_EQ(ppmOf("12.5"), 125000u);
}

TEST(FaultChance, TextThatIsNoPercentageLeavesTheValueAlone) {
  for (const char* bad : {"", "100.0001", "101", "-1", "1e2", "5%", " 5", "5.", ".5", "0.00001", "abc",
                          "99999999999999999999"}) {
    EXPECT_EQ(ppmOf(bad), 4242u) << bad;
  }
}

TEST(FaultChance, IntegerTextIsBounded) {
  uint64_t value = 7;
  EXPECT_TRUE(fault_integer_text("503", 3, 200, 599, &value));
  EXPECT_EQ(value, 503u);
  EXPECT_FALSE(fault_integer_text("600", 3, 200, 599, &value));
  EXPECT_FALSE(fault_integer_text("5x3", 3, 200, 599, &value));
  EXPECT_FALSE(fault_integer_text("", 0, 0, 599, &value));
  EXPECT_EQ(value, 503u);
}

TEST(FaultChance, HitsFollowTheChance) {
  EXPECT_FALSE(fault_chance_hits(0, 0));
  EXPECT_TRUE(fault_chance_hits(1000000, UINT64_MAX));
  EXPECT_TRUE(fault_chance_hits(1, 0));
  EXPECT_FALSE(fault_chance_hits(1, 1));
  // Over a million seeded draws, 20% hits within 0.5% of 200000 (the
  // sequence is fixed, so this never flakes; it shows the draws are even).
  int hits = 0;
  for (uint64_t i = 0; i < 1000000; ++i) hits += fault_chance_hits(200000, fault_seeded_draw(42, i));
  EXPECT_NEAR(hits, 200000, 1000);
}

TEST(FaultChance, TheSeededSequenceIsTheSameForTheSameSeed) {
  EXPECT_EQ(fault_seeded_draw(1, 0), fault_seeded_draw(1, 0));
  EXPECT_NE(fault_seeded_draw(1, 0), fault_seeded_draw(1, 1));
  EXPECT_NE(fault_seeded_draw(1, 0), fault_seeded_draw(2, 0));
}

}  // namespace
