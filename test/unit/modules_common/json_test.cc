// modules/common/json.c: the tree json_parse builds for numbers and
// booleans, and the json_get_uint64 / json_get_double readers the module
// configs use (timeout: plain-digit durations; retry: whole numbers in any
// spelling, and a percentage).
#include "json.h"

#include <gtest/gtest.h>

#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

#include "json_tree.h"

namespace {

using Tree = JsonTree;

Tree parse(const std::string& json) { return ParseJsonTree(json); }

// The member named `key` of an object, or null.
const json_value* member(const json_value* object, const char* key) {
  for (const json_value* child = object->child; child != nullptr; child = child->next) {
    if (std::string(child->key) == key) return child;
  }
  return nullptr;
}

// The literal of the one number a document is made of.
std::string numberText(const std::string& json) {
  Tree tree = parse(json);
  if (tree == nullptr) return "<invalid>";
  EXPECT_EQ(tree->type, JSON_NUMBER) << json;
  if (tree->type != JSON_NUMBER) return "<not a number>";
  EXPECT_EQ(tree->string[tree->string_len], '\0');
  return std::string(tree->string, tree->string_len);
}

// ---- what the tree keeps ------------------------------------------------

TEST(JsonTree, NumbersKeepTheirLiteralAsWritten) {
  EXPECT_EQ(numberText("0"), "0");
  EXPECT_EQ(numberText("3000"), "3000");
  EXPECT_EQ(numberText("-2.5e+3"), "-2.5e+3");
  EXPECT_EQ(numberText("3000.0"), "3000.0");
  EXPECT_EQ(numberText("1E400"), "1E400");
  EXPECT_EQ(numberText(" \r\n\t15\t "), "15");
  const std::string digits(200, '9');
  EXPECT_EQ(numberText(digits), digits);
}

TEST(JsonTree, BooleansKeepTheirValue) {
  Tree tree = parse(R"({"yes": true, "no": false, "text": "true", "none": null})");
  ASSERT_NE(tree, nullptr);
  EXPECT_EQ(member(tree.get(), "yes")->type, JSON_BOOL);
  EXPECT_EQ(member(tree.get(), "yes")->boolean, 1);
  EXPECT_EQ(member(tree.get(), "no")->type, JSON_BOOL);
  EXPECT_EQ(member(tree.get(), "no")->boolean, 0);
  EXPECT_EQ(member(tree.get(), "text")->type, JSON_STRING);
  EXPECT_EQ(member(tree.get(), "text")->boolean, 0);
  EXPECT_EQ(member(tree.get(), "none")->type, JSON_NULL);
  EXPECT_EQ(member(tree.get(), "none")->string, nullptr);
}

// The cases the number finders in modules/timeout and modules/retry had to
// get right by scanning the text again; the tree gets them for free now.
TEST(JsonTree, EachNumberIsItsOwnEvenWhenStringsLookLikeStructure) {
  Tree tree = parse(R"({"a\"},": "x\\\"}, \"b\": 9, {[", "n": 42, "m": -7})");
  ASSERT_NE(tree, nullptr);
  EXPECT_EQ(member(tree.get(), "a\"},")->type, JSON_STRING);
  EXPECT_STREQ(member(tree.get(), "n")->string, "42");
  EXPECT_STREQ(member(tree.get(), "m")->string, "-7");
}

TEST(JsonTree, NumbersAndBooleansInsideContainersKeepTheirOwnValues) {
  Tree tree = parse(R"({"o": {"p": [1, "]", {"q": "}"}, 2.5, true], "r": {}}, "n": 7, "b": false})");
  ASSERT_NE(tree, nullptr);
  const json_value* p = member(member(tree.get(), "o"), "p");
  ASSERT_NE(p, nullptr);
  const json_value* one = p->child;
  const json_value* two_and_a_half = one->next->next->next;
  const json_value* yes = two_and_a_half->next;
  EXPECT_STREQ(one->string, "1");
  EXPECT_STREQ(two_and_a_half->string, "2.5");
  EXPECT_EQ(yes->type, JSON_BOOL);
  EXPECT_EQ(yes->boolean, 1);
  EXPECT_STREQ(member(tree.get(), "n")->string, "7");
  EXPECT_EQ(member(tree.get(), "b")->boolean, 0);
}

TEST(JsonTree, MalformedNumbersAreStillRefused) {
  for (const char* json : {"-", "01", "1.", ".5", "1e", "1e+", "+1", "-a", "1.5.2", "0x10"}) {
    char error[256] = "";
    Tree tree(json_parse(json, std::strlen(json), error, sizeof error));
    EXPECT_EQ(tree, nullptr) << json;
    EXPECT_EQ(std::string(error).rfind("invalid JSON at offset ", 0), 0u) << json << ": " << error;
  }
}

// ---- json_get_uint64 ----------------------------------------------------

struct Uint64Read {
  json_uint64_status status;
  uint64_t value;
};

Uint64Read readUint64(const std::string& json, uint64_t max) {
  Tree tree = parse(json);
  Uint64Read read = {JSON_UINT64_NOT_UINT, 12345};  // 12345: left alone
  if (tree != nullptr) read.status = json_get_uint64(tree.get(), max, &read.value);
  return read;
}

TEST(JsonGetUint64, ReadsPlainDigitsUpToTheMaximum) {
  EXPECT_EQ(readUint64("0", 10).status, JSON_UINT64_OK);
  EXPECT_EQ(readUint64("0", 10).value, 0u);
  EXPECT_EQ(readUint64("3000", 4294967295u).value, 3000u);
  EXPECT_EQ(readUint64("10", 10).status, JSON_UINT64_OK);
  EXPECT_EQ(readUint64("10", 10).value, 10u);
  EXPECT_EQ(readUint64("0", 0).status, JSON_UINT64_OK);
  EXPECT_EQ(readUint64("4294967295", 4294967295u).value, 4294967295u);
  EXPECT_EQ(readUint64("18446744073709551615", UINT64_MAX).status, JSON_UINT64_OK);
  EXPECT_EQ(readUint64("18446744073709551615", UINT64_MAX).value, UINT64_MAX);
}

TEST(JsonGetUint64, MoreThanTheMaximumIsTooLargeWithoutOverflowing) {
  EXPECT_EQ(readUint64("11", 10).status, JSON_UINT64_TOO_LARGE);
  EXPECT_EQ(readUint64("11", 10).value, 12345u);
  EXPECT_EQ(readUint64("1", 0).status, JSON_UINT64_TOO_LARGE);
  EXPECT_EQ(readUint64("4294967296", 4294967295u).status, JSON_UINT64_TOO_LARGE);
  EXPECT_EQ(readUint64("18446744073709551616", UINT64_MAX).status, JSON_UINT64_TOO_LARGE);
  EXPECT_EQ(readUint64("99999999999999999999", UINT64_MAX).status, JSON_UINT64_TOO_LARGE);
  // 2^64 + 3000: would wrap around to 3000 without the overflow check.
  EXPECT_EQ(readUint64("18446744073709554616", UINT64_MAX).status, JSON_UINT64_TOO_LARGE);
  EXPECT_EQ(readUint64(std::string(300, '9'), 4294967295u).status, JSON_UINT64_TOO_LARGE);
}

TEST(JsonGetUint64, ASignFractionOrExponentIsNotAPlainInteger) {
  for (const char* json :
       {"-1", "-0", "1.5", "3000.0", "1e3", "1E3", "3e+0", "0.0", "-18446744073709551616"}) {
    EXPECT_EQ(readUint64(json, UINT64_MAX).status, JSON_UINT64_NOT_UINT) << json;
    EXPECT_EQ(readUint64(json, UINT64_MAX).value, 12345u) << json;
  }
  // Too many digits, but not plain digits either: the fraction decides.
  EXPECT_EQ(readUint64("99999999999999999999.5", 10).status, JSON_UINT64_NOT_UINT);
}

TEST(JsonGetUint64, OtherTypesAreNotAPlainInteger) {
  for (const char* json : {R"("3000")", "true", "false", "null", "[3000]", R"({"ms": 3000})"}) {
    EXPECT_EQ(readUint64(json, UINT64_MAX).status, JSON_UINT64_NOT_UINT) << json;
  }
}

// ---- json_get_double ----------------------------------------------------

// The value of a one-number document; NaN when json_get_double refuses it.
double readDouble(const std::string& json) {
  Tree tree = parse(json);
  double value = std::numeric_limits<double>::quiet_NaN();
  if (tree != nullptr && !json_get_double(tree.get(), &value)) {
    EXPECT_TRUE(std::isnan(value)) << "changed *out on failure: " << json;
  }
  return value;
}

TEST(JsonGetDouble, ReadsEveryJsonSpelling) {
  EXPECT_EQ(readDouble("0"), 0.0);
  EXPECT_EQ(readDouble("25"), 25.0);
  EXPECT_EQ(readDouble("12.5"), 12.5);
  EXPECT_EQ(readDouble("3e2"), 300.0);
  EXPECT_EQ(readDouble("2.0"), 2.0);
  EXPECT_EQ(readDouble("1.5E1"), 15.0);
  EXPECT_EQ(readDouble("2.5e+1"), 25.0);
  EXPECT_EQ(readDouble("2500e-2"), 25.0);
  EXPECT_EQ(readDouble("-4.75"), -4.75);
  EXPECT_EQ(readDouble("0.000001"), 1e-6);
  EXPECT_EQ(readDouble("4294967295"), 4294967295.0);
  EXPECT_TRUE(std::signbit(readDouble("-0")));
}

// Within the exact range the result is the one correctly rounded double,
// which is what strtod gives (run here in the "C" locale).
TEST(JsonGetDouble, IsCorrectlyRoundedForConfigSizedNumbers) {
  for (const char* json :
       {"0.1", "0.2", "0.3", "2.675", "1.005", "123456789012345", "1.23456789012345", "9007199254740993",
        "0.000123", "99.9", "33.333333333333", "1e22", "1e-22", "4.35", "1234567.891"}) {
    EXPECT_EQ(readDouble(json), std::strtod(json, nullptr)) << json;
  }
}

TEST(JsonGetDouble, ReadsLongAndExtremeLiteralsClosely) {
  const char* const close[] = {
      "1.7976931348623157e308",      "2.2250738585072014e-308", "123456789012345678901234567890",
      "0.1234567890123456789012345", "6.02214076e23",           "1.602176634e-19",
      "99.99999999999999999"};
  for (const char* json : close) {
    const double expected = std::strtod(json, nullptr);
    EXPECT_NEAR(readDouble(json), expected, std::fabs(expected) * 1e-15) << json;
  }
  // Digits past the 19th are below a double's precision, but still count
  // when there is nothing else: this is not zero.
  const std::string tiny = "0." + std::string(70, '0') + "1";
  EXPECT_NEAR(readDouble(tiny), 1e-71, 1e-85);
  EXPECT_EQ(readDouble("1" + std::string(30, '0')), 1e30);
}

TEST(JsonGetDouble, OutOfRangeReadsAsInfinityOrZero) {
  EXPECT_EQ(readDouble("1e400"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(readDouble("-1e400"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(readDouble("1e99999999999999999999"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(readDouble("1e-400"), 0.0);
  EXPECT_EQ(readDouble("1e-99999999999999999999"), 0.0);
  EXPECT_EQ(readDouble("0e400"), 0.0);
}

TEST(JsonGetDouble, OtherTypesAreRefused) {
  for (const char* json : {R"("12.5")", "true", "null", "[1]", R"({"a": 1})"}) {
    EXPECT_TRUE(std::isnan(readDouble(json))) << json;
  }
}

TEST(JsonGetDouble, IgnoresTheProcessLocale) {
  // A locale whose decimal separator is a comma, if the system has one.
  const char* const comma_locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
  const char* chosen = nullptr;
  for (const char* name : comma_locales) {
    if (std::setlocale(LC_NUMERIC, name) != nullptr && std::localeconv()->decimal_point[0] == ',') {
      chosen = name;
      break;
    }
  }
  if (chosen == nullptr) {
    std::setlocale(LC_NUMERIC, "C");
    GTEST_SKIP() << "no locale with a decimal comma installed";
  }
  const double value = readDouble("12.5");
  std::setlocale(LC_NUMERIC, "C");
  EXPECT_EQ(value, 12.5) << "in " << chosen;
}

// json_count_children and json_copy_bytes: what the module configs use to
// size their arrays and to keep strings past json_free.
TEST(JsonCountChildren, CountsElementsAndMembers) {
  EXPECT_EQ(json_count_children(parse("[]").get()), 0u);
  EXPECT_EQ(json_count_children(parse("[1, [2, 3], {}]").get()), 3u);
  EXPECT_EQ(json_count_children(parse("{}").get()), 0u);
  EXPECT_EQ(json_count_children(parse(R"({"a": 1, "b": [1, 2, 3]})").get()), 2u);
}

TEST(JsonCountChildren, ScalarsHaveNone) {
  EXPECT_EQ(json_count_children(parse("\"abc\"").get()), 0u);
  EXPECT_EQ(json_count_children(parse("7").get()), 0u);
  EXPECT_EQ(json_count_children(parse("null").get()), 0u);
}

TEST(JsonCopyBytes, CopiesAndTerminates) {
  const char text[] = "x-request-id and more";
  char* copy = json_copy_bytes(text, 12);
  ASSERT_NE(copy, nullptr);
  EXPECT_STREQ(copy, "x-request-id");
  std::free(copy);
}

TEST(JsonCopyBytes, KeepsEmbeddedNulAndEmpty) {
  Tree tree = parse(R"("a\u0000b")");
  ASSERT_EQ(tree->type, JSON_STRING);
  char* copy = json_copy_bytes(tree->string, tree->string_len);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(std::string(copy, 4), std::string("a\0b\0", 4));
  std::free(copy);
  char* empty = json_copy_bytes("", 0);
  ASSERT_NE(empty, nullptr);
  EXPECT_STREQ(empty, "");
  std::free(empty);
}

}  // namespace
