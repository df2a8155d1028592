#include "config/config_text.h"

#include <gtest/gtest.h>

#include <string>

#include "config/config_limits.h"

namespace switchyard::config {
namespace {

using namespace std::string_literals;

TEST(Excerpt, ShortPrintableTextIsUnchanged) {
  EXPECT_EQ(excerpt("listeners"), "listeners");
  EXPECT_EQ(excerpt("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(quotedExcerpt("say \"hi\""), R"("say \"hi\"")");
}

TEST(Excerpt, ControlBytesAndBytesThatAreNotUtf8AreEscaped) {
  EXPECT_EQ(excerpt("a\0b"s), R"(a\x00b)");
  EXPECT_EQ(excerpt("\x1b[31mred"), R"(\x1b[31mred)");
  EXPECT_EQ(excerpt("\x7f"), R"(\x7f)");
  EXPECT_EQ(excerpt("tab\tline\nreturn\r"), R"(tab\tline\nreturn\r)");
  EXPECT_EQ(excerpt("\xA9\xFF"), R"(\xa9\xff)");
  EXPECT_EQ(excerpt("\xC0\xAF"), R"(\xc0\xaf)");          // overlong '/'
  EXPECT_EQ(excerpt("\xED\xA0\x80"), R"(\xed\xa0\x80)");  // a UTF-16 surrogate
  EXPECT_EQ(excerpt("\xC2\x9B"
                    "2J"),
            R"(\xc2\x9b2J)");  // C1 CSI
  // A backslash is doubled, so \x00 in a message always means a byte.
  EXPECT_EQ(excerpt(R"(C:\x00)"), R"(C:\\x00)");
}

TEST(Excerpt, LongTextIsCutAndItsLengthGiven) {
  std::string value(1'000'000, 'x');
  EXPECT_EQ(excerpt(value), std::string(kMaxQuotedBytes, 'x') + "\u2026(1000000 bytes)");
  EXPECT_EQ(quotedExcerpt(value), "\"" + std::string(kMaxQuotedBytes, 'x') + "\u2026(1000000 bytes)\"");
  EXPECT_EQ(excerpt(std::string(kMaxQuotedBytes, 'x')), std::string(kMaxQuotedBytes, 'x'));
}

TEST(Excerpt, CutNeverSplitsACharacter) {
  // 63 ASCII bytes, then a two-byte character across the 64-byte mark.
  std::string text = std::string(kMaxQuotedBytes - 1, 'a') + "\xC3\xA9" + "tail";
  EXPECT_EQ(excerpt(text), std::string(kMaxQuotedBytes - 1, 'a') + "\u2026(69 bytes)");
}

TEST(FindUnreadableByte, TextWithTabsLineBreaksAndUtf8IsReadable) {
  EXPECT_FALSE(findUnreadableByte("a:\tb\r\nc: \"caf\xC3\xA9 \xF0\x9F\x9A\x82\"\n").has_value());
  EXPECT_FALSE(findUnreadableByte("\xEF\xBB\xBF"
                                  "a: 1\n")
                   .has_value());  // a UTF-8 byte order mark
}

TEST(FindUnreadableByte, ControlCharacterIsNamedWithItsPlace) {
  auto error = findUnreadableByte("listeners:\n  - name: \"ht\0tp\"\n"s);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->line, 2);
  EXPECT_EQ(error->column, 14);
  EXPECT_EQ(
      error->message,
      "control character \\x00 is not allowed in config text (inside a double-quoted string, write it as "
      "an escape sequence)");
}

TEST(FindUnreadableByte, ByteThatIsNotUtf8IsNamedWithItsPlace) {
  auto error = findUnreadableByte("name: caf\xC3\xA9\xA9\n");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->line, 1);
  EXPECT_EQ(error->column, 11);  // characters, not bytes
  EXPECT_EQ(error->message, "byte \\xa9 is not valid UTF-8 (a config is UTF-8 text)");
  EXPECT_TRUE(findUnreadableByte("truncated \xE2\x80").has_value());
}

TEST(FindJsonNestingTooDeep, NestingUpToTheLimitPasses) {
  std::string json = std::string(kMaxNestingDepth, '[') + std::string(kMaxNestingDepth, ']');
  EXPECT_FALSE(findJsonNestingTooDeep(json).has_value());
  // Siblings do not add up.
  std::string siblings = "[";
  for (int i = 0; i < 1000; ++i) siblings += "{},";
  siblings += "{}]";
  EXPECT_FALSE(findJsonNestingTooDeep(siblings).has_value());
}

TEST(FindJsonNestingTooDeep, BracketsInStringsDoNotCount) {
  std::string json = R"({"a": ")" + std::string(100, '[') + R"(\"[[[", "b": "\\"})";
  EXPECT_FALSE(findJsonNestingTooDeep(json).has_value());
}

TEST(FindJsonNestingTooDeep, TheFirstLevelPastTheLimitIsNamed) {
  std::string json = "{\n  \"a\": " + std::string(10'000, '[') + std::string(10'000, ']') + "}";
  auto error = findJsonNestingTooDeep(json);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->line, 2);
  EXPECT_EQ(error->column, 8 + kMaxNestingDepth - 1);
  EXPECT_EQ(error->message, "mappings and lists nested more than 32 levels deep (the limit)");
}

}  // namespace
}  // namespace switchyard::config
