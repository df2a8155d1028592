// member_value_text (modules/timeout/member_text.c): the text of the n-th
// member's value in a JSON object, past strings, escapes and nesting.
#include "member_text.h"

#include <gtest/gtest.h>

#include <string>

namespace {

// The value text of member `index`, or "<none>".
std::string valueText(const std::string& json, size_t index) {
  const char* text = nullptr;
  size_t length = 0;
  if (!member_value_text(json.data(), json.size(), index, &text, &length)) return "<none>";
  return std::string(text, length);
}

TEST(MemberText, FindsEachMemberInDocumentOrder) {
  const std::string json = R"({"a": 1, "b": -2.5e+3, "c": true, "d": null})";
  EXPECT_EQ(valueText(json, 0), "1");
  EXPECT_EQ(valueText(json, 1), "-2.5e+3");
  EXPECT_EQ(valueText(json, 2), "true");
  EXPECT_EQ(valueText(json, 3), "null");
  EXPECT_EQ(valueText(json, 4), "<none>");
}

TEST(MemberText, SkipsStringsThatLookLikeStructure) {
  const std::string json = R"({"a\"},": "x\\\"}, \"b\": 9, {[", "n": 42})";
  EXPECT_EQ(valueText(json, 0), R"("x\\\"}, \"b\": 9, {[")");
  EXPECT_EQ(valueText(json, 1), "42");
}

TEST(MemberText, SkipsNestedContainersWholeEvenWithBracketsInStrings) {
  const std::string json = R"({"o": {"p": [1, "]", {"q": "}"}], "r": {}}, "n": 7})";
  EXPECT_EQ(valueText(json, 0), R"({"p": [1, "]", {"q": "}"}], "r": {}})");
  EXPECT_EQ(valueText(json, 1), "7");
}

TEST(MemberText, HandlesEveryKindOfWhitespace) {
  EXPECT_EQ(valueText(" \r\n{\t\"a\"\n:\r\n 15\t,\"b\" :0 } ", 0), "15");
  EXPECT_EQ(valueText(" \r\n{\t\"a\"\n:\r\n 15\t,\"b\" :0 } ", 1), "0");
}

TEST(MemberText, FindsNothingOutsideAnObject) {
  EXPECT_EQ(valueText("{}", 0), "<none>");
  EXPECT_EQ(valueText("[1, 2]", 0), "<none>");
  EXPECT_EQ(valueText("", 0), "<none>");
}

}  // namespace
