// Typed config access (filter ABI 1.2, core/module/config_access): every
// kind, member and element lookup, the typed reads with their bounds and
// the host's number and duration rules, unknown members, and errors that
// name the full field path — in a route's merged config, the path of the
// place that set the value.
#include "module/config_access.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "config/struct_merge.h"

namespace switchyard::module {
namespace {

using Errors = std::vector<std::string>;
namespace calls = config_calls;

google::protobuf::Struct parse(const std::string& json) {
  google::protobuf::Struct parsed;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  return parsed;
}

sy_slice slice(const char* text) { return sy_slice{text, std::char_traits<char>::length(text)}; }
std::string text(sy_slice value) { return std::string(value.ptr, value.len); }

constexpr const char* kRoot = "demo.yaml: listeners[0].filters[1].config";

class ConfigAccessTest : public ::testing::Test {
 protected:
  void use(const std::string& json) {
    tree_ = parse(json);
    access_ = std::make_unique<ConfigAccess>(tree_, kRoot);
    context_ = sy_config_context{"filter", access_.get()};
  }

  sy_config_context* context() { return &context_; }
  const sy_config_value* root() { return calls::root(context()); }
  const sy_config_value* member(const char* name, const sy_config_value* object = nullptr) {
    return calls::member(context(), object != nullptr ? object : root(), slice(name));
  }
  const Errors& errors() const { return access_->errors(); }

  google::protobuf::Struct tree_;
  std::unique_ptr<ConfigAccess> access_;
  sy_config_context context_;
};

TEST_F(ConfigAccessTest, KindsOfEveryValue) {
  use(R"({"n": null, "b": true, "x": 2.5, "s": "text", "a": [1, 2], "o": {"k": 1}})");
  EXPECT_EQ(calls::kind(root()), SY_CONFIG_OBJECT);
  EXPECT_EQ(calls::kind(member("n")), SY_CONFIG_NULL);
  EXPECT_EQ(calls::kind(member("b")), SY_CONFIG_BOOL);
  EXPECT_EQ(calls::kind(member("x")), SY_CONFIG_NUMBER);
  EXPECT_EQ(calls::kind(member("s")), SY_CONFIG_STRING);
  EXPECT_EQ(calls::kind(member("a")), SY_CONFIG_ARRAY);
  EXPECT_EQ(calls::kind(member("o")), SY_CONFIG_OBJECT);
  EXPECT_EQ(calls::kind(nullptr), SY_CONFIG_NULL);
  EXPECT_TRUE(errors().empty());
}

TEST_F(ConfigAccessTest, MembersElementsAndLengths) {
  use(R"({"a": ["x", ["y", "z"]], "o": {"k": 1, "l": 2}, "s": "text"})");
  EXPECT_EQ(calls::length(root()), 3u);
  EXPECT_EQ(calls::length(member("a")), 2u);
  EXPECT_EQ(calls::length(member("o")), 2u);
  EXPECT_EQ(calls::length(member("s")), 0u);
  EXPECT_EQ(calls::length(nullptr), 0u);
  const sy_config_value* inner = calls::element(context(), member("a"), 1);
  sy_slice read{};
  EXPECT_EQ(calls::readString(context(), calls::element(context(), inner, 1), &read), SY_OK);
  EXPECT_EQ(text(read), "z");
  // Absent or not applicable: NULL, and nothing recorded.
  EXPECT_EQ(member("missing"), nullptr);
  EXPECT_EQ(member("k", member("s")), nullptr);
  EXPECT_EQ(calls::member(context(), nullptr, slice("k")), nullptr);
  EXPECT_EQ(calls::element(context(), member("a"), 2), nullptr);
  EXPECT_EQ(calls::element(context(), member("o"), 0), nullptr);
  EXPECT_TRUE(errors().empty());
}

TEST_F(ConfigAccessTest, ReadsEveryScalarKind) {
  use(R"({"s": "caf\u00e9", "i": -42, "x": 0.25, "t": true, "f": false})");
  sy_slice string_value{};
  int64_t integer = 0;
  double number = 0;
  int flag = -1;
  EXPECT_EQ(calls::readString(context(), member("s"), &string_value), SY_OK);
  EXPECT_EQ(text(string_value), "caf\xc3\xa9");
  EXPECT_EQ(calls::readInteger(context(), member("i"), -100, 100, &integer), SY_OK);
  EXPECT_EQ(integer, -42);
  EXPECT_EQ(calls::readNumber(context(), member("x"), 0, 1, &number), SY_OK);
  EXPECT_DOUBLE_EQ(number, 0.25);
  EXPECT_EQ(calls::readBool(context(), member("t"), &flag), SY_OK);
  EXPECT_EQ(flag, 1);
  EXPECT_EQ(calls::readBool(context(), member("f"), &flag), SY_OK);
  EXPECT_EQ(flag, 0);
  EXPECT_TRUE(errors().empty());
}

TEST_F(ConfigAccessTest, AReadOfAnAbsentMemberIsNotFoundRecordsNothingAndKeepsTheDefault) {
  use("{}");
  int64_t integer = 7;
  uint64_t ms = 9;
  sy_slice string_value = slice("default");
  int flag = 1;
  double number = 0.5;
  EXPECT_EQ(calls::readInteger(context(), member("a"), 0, 10, &integer), SY_ERR_NOT_FOUND);
  EXPECT_EQ(calls::readDurationMs(context(), member("a"), 0, 10, &ms), SY_ERR_NOT_FOUND);
  EXPECT_EQ(calls::readString(context(), member("a"), &string_value), SY_ERR_NOT_FOUND);
  EXPECT_EQ(calls::readBool(context(), member("a"), &flag), SY_ERR_NOT_FOUND);
  EXPECT_EQ(calls::readNumber(context(), member("a"), 0, 1, &number), SY_ERR_NOT_FOUND);
  EXPECT_EQ(calls::visitStrings(context(), member("a"), [](void*, sy_config_context*, const sy_config_value*,
                                                           sy_slice) { return SY_OK; }, nullptr),
            SY_ERR_NOT_FOUND);
  EXPECT_EQ(integer, 7);
  EXPECT_EQ(ms, 9u);
  EXPECT_EQ(text(string_value), "default");
  EXPECT_EQ(flag, 1);
  EXPECT_EQ(number, 0.5);
  EXPECT_TRUE(errors().empty());
}

TEST_F(ConfigAccessTest, WrongKindsAreRecordedWithTheFieldPathAndTheValue) {
  use(R"({"s": 5, "i": "5", "x": [1], "b": "yes", "n": null, "o": {"deep": {"er": true}}})");
  sy_slice string_value{};
  int64_t integer = 0;
  double number = 0;
  int flag = 0;
  EXPECT_EQ(calls::readString(context(), member("s"), &string_value), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::readInteger(context(), member("i"), 0, 10, &integer), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::readNumber(context(), member("x"), 0, 10, &number), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::readBool(context(), member("b"), &flag), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::readBool(context(), member("n"), &flag), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::readInteger(context(), member("er", member("deep", member("o"))), 0, 1, &integer),
            SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::errorCount(context()), 6u);
  EXPECT_EQ(errors(), (Errors{
                          std::string(kRoot) + ".s: expected a string, got 5",
                          std::string(kRoot) + ".i: expected an integer from 0 to 10, got \"5\"",
                          std::string(kRoot) + ".x: expected a number from 0 to 10, got array",
                          std::string(kRoot) + ".b: expected true or false, got \"yes\"",
                          std::string(kRoot) + ".n: expected true or false, got null",
                          std::string(kRoot) + ".o.deep.er: expected an integer from 0 to 1, got true",
                      }));
}

TEST_F(ConfigAccessTest, IntegerBoundsAndTheNumberRule) {
  use(R"({"zero": 0, "max": 3600000, "over": 3600001, "under": -1, "half": 1.5, "spelled": 3e2,
          "point_zero": 300.0, "exact": 9007199254740992, "beyond": 18014398509481984})");
  int64_t value = 0;
  EXPECT_EQ(calls::readInteger(context(), member("zero"), 0, 3600000, &value), SY_OK);
  EXPECT_EQ(value, 0);
  EXPECT_EQ(calls::readInteger(context(), member("max"), 1, 3600000, &value), SY_OK);
  EXPECT_EQ(value, 3600000);
  EXPECT_EQ(calls::readInteger(context(), member("spelled"), 0, 1000, &value), SY_OK);
  EXPECT_EQ(value, 300);
  EXPECT_EQ(calls::readInteger(context(), member("point_zero"), 0, 1000, &value), SY_OK);
  EXPECT_EQ(value, 300);
  EXPECT_EQ(calls::readInteger(context(), member("exact"), 0, INT64_MAX, &value), SY_OK);
  EXPECT_EQ(value, 9007199254740992);
  value = 17;
  EXPECT_EQ(calls::readInteger(context(), member("over"), 1, 3600000, &value), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::readInteger(context(), member("under"), 0, 10, &value), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::readInteger(context(), member("half"), 0, 10, &value), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::readInteger(context(), member("beyond"), 0, INT64_MAX, &value), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(value, 17);
  EXPECT_EQ(errors(), (Errors{
                          std::string(kRoot) + ".over: expected an integer from 1 to 3600000, got 3600001",
                          std::string(kRoot) + ".under: expected an integer from 0 to 10, got -1",
                          std::string(kRoot) + ".half: expected an integer from 0 to 10, got 1.5",
                          std::string(kRoot) + ".beyond: expected an integer from 0 to 9223372036854775807, got "
                                               "18014398509481984",
                      }));
}

TEST_F(ConfigAccessTest, NumberBounds) {
  use(R"({"in": 12.5, "low": -0.5, "high": 100.5})");
  double value = 0;
  EXPECT_EQ(calls::readNumber(context(), member("in"), 0, 100, &value), SY_OK);
  EXPECT_DOUBLE_EQ(value, 12.5);
  EXPECT_EQ(calls::readNumber(context(), member("low"), 0, 100, &value), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::readNumber(context(), member("high"), 0, 100, &value), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(errors(), (Errors{std::string(kRoot) + ".low: expected a number from 0 to 100, got -0.5",
                              std::string(kRoot) + ".high: expected a number from 0 to 100, got 100.5"}));
}

TEST_F(ConfigAccessTest, DurationsAsStringsWithAUnitOrIntegerMilliseconds) {
  use(R"({"ms": "300ms", "s": "1.5s", "zero": "0s", "fraction_ms": "2.000ms", "fine": "0.001s", "bare": 250,
          "spelled": 2.5e3, "tiny": "0.0005s", "fraction_of_ms": "1.5ms", "minutes": "5m", "signed": "-1s",
          "spaced": "1 s", "empty": "s", "dot": ".5s", "negative": -5, "half": 2.5, "long": "1000000000000000000s",
          "over": "61s", "object": {}})");
  uint64_t ms = 0;
  auto read = [&](const char* name) {
    ms = 12345;
    return calls::readDurationMs(context(), member(name), 0, 60000, &ms);
  };
  EXPECT_EQ(read("ms"), SY_OK);
  EXPECT_EQ(ms, 300u);
  EXPECT_EQ(read("s"), SY_OK);
  EXPECT_EQ(ms, 1500u);
  EXPECT_EQ(read("zero"), SY_OK);
  EXPECT_EQ(ms, 0u);
  EXPECT_EQ(read("fraction_ms"), SY_OK);
  EXPECT_EQ(ms, 2u);
  EXPECT_EQ(read("fine"), SY_OK);
  EXPECT_EQ(ms, 1u);
  EXPECT_EQ(read("dot"), SY_OK);
  EXPECT_EQ(ms, 500u);
  EXPECT_EQ(read("bare"), SY_OK);
  EXPECT_EQ(ms, 250u);
  EXPECT_EQ(read("spelled"), SY_OK);
  EXPECT_EQ(ms, 2500u);
  for (const char* bad : {"tiny", "fraction_of_ms", "minutes", "signed", "spaced", "empty", "negative", "half",
                          "long", "over", "object"}) {
    EXPECT_EQ(read(bad), SY_ERR_INVALID_ARGUMENT) << bad;
    EXPECT_EQ(ms, 12345u) << bad;
  }
  const std::string expected =
      ": expected a duration from 0ms to 60000ms (\"300ms\", \"1.5s\" or an integer of milliseconds), got ";
  ASSERT_EQ(errors().size(), 11u);
  EXPECT_EQ(errors()[0], kRoot + std::string(".tiny") + expected + "\"0.0005s\"");
  EXPECT_EQ(errors()[6], kRoot + std::string(".negative") + expected + "-5");
  EXPECT_EQ(errors()[7], kRoot + std::string(".half") + expected + "2.5");
  EXPECT_EQ(errors()[9], kRoot + std::string(".over") + expected + "\"61s\"");
  EXPECT_EQ(errors()[10], kRoot + std::string(".object") + expected + "object");
}

TEST_F(ConfigAccessTest, DurationBoundsAreInMilliseconds) {
  use(R"({"short": "99ms", "long": 1001})");
  uint64_t ms = 0;
  EXPECT_EQ(calls::readDurationMs(context(), member("short"), 100, 1000, &ms), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::readDurationMs(context(), member("long"), 100, 1000, &ms), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(errors().size(), 2u);
  EXPECT_NE(errors()[0].find("from 100ms to 1000ms"), std::string::npos) << errors()[0];
}

TEST_F(ConfigAccessTest, VisitStringsVisitsInOrderOrReportsEveryNonString) {
  use(R"({"good": ["a", "b", "c"], "bad": ["a", 1, "c", false], "scalar": "a", "empty": []})");
  std::vector<std::string> seen;
  auto collect = [](void* user_data, sy_config_context*, const sy_config_value*, sy_slice value) {
    static_cast<std::vector<std::string>*>(user_data)->push_back(text(value));
    return SY_OK;
  };
  EXPECT_EQ(calls::visitStrings(context(), member("good"), collect, &seen), SY_OK);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(calls::visitStrings(context(), member("empty"), collect, &seen), SY_OK);
  seen.clear();
  EXPECT_EQ(calls::visitStrings(context(), member("bad"), collect, &seen), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::visitStrings(context(), member("scalar"), collect, &seen), SY_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(errors(), (Errors{std::string(kRoot) + ".bad[1]: expected a string, got 1",
                              std::string(kRoot) + ".bad[3]: expected a string, got false",
                              std::string(kRoot) + ".scalar: expected an array of strings, got \"a\""}));
}

TEST_F(ConfigAccessTest, AVisitorStopsTheVisitAndCanNameTheElement) {
  use(R"({"words": ["ok", "nope", "never"]})");
  int visits = 0;
  auto stop_at_nope = [](void* user_data, sy_config_context* context, const sy_config_value* element,
                         sy_slice value) {
    ++*static_cast<int*>(user_data);
    if (text(value) != "nope") return SY_OK;
    calls::error(context, element, slice("unknown word"));
    return SY_ERR_NOT_FOUND;
  };
  EXPECT_EQ(calls::visitStrings(context(), member("words"), stop_at_nope, &visits), SY_ERR_NOT_FOUND);
  EXPECT_EQ(visits, 2);
  EXPECT_EQ(errors(), Errors{std::string(kRoot) + ".words[1]: unknown word"});
}

TEST_F(ConfigAccessTest, CheckMembersNamesEveryUnknownMemberInNameOrder) {
  use(R"({"known": 1, "zeta": 2, "alpha": 3, "nested": {"x": 1, "odd key": 2}, "list": []})");
  const sy_slice known[] = {slice("known"), slice("nested"), slice("list")};
  EXPECT_EQ(calls::checkMembers(context(), root(), known, 3), SY_ERR_INVALID_ARGUMENT);
  const sy_slice nested_known[] = {slice("x")};
  EXPECT_EQ(calls::checkMembers(context(), member("nested"), nested_known, 1), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::checkMembers(context(), member("list"), nested_known, 1), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::checkMembers(context(), member("absent"), nested_known, 1), SY_ERR_NOT_FOUND);
  EXPECT_EQ(errors(),
            (Errors{std::string(kRoot) + ".alpha: unknown field (expected known, nested or list)",
                    std::string(kRoot) + ".zeta: unknown field (expected known, nested or list)",
                    std::string(kRoot) + ".nested[\"odd key\"]: unknown field (expected x)",
                    std::string(kRoot) + ".list: expected an object, got array"}));
}

TEST_F(ConfigAccessTest, CheckMembersPassesAnObjectOfKnownMembers) {
  use(R"({"a": 1})");
  const sy_slice known[] = {slice("a"), slice("b")};
  EXPECT_EQ(calls::checkMembers(context(), root(), known, 2), SY_OK);
  EXPECT_TRUE(errors().empty());
}

TEST_F(ConfigAccessTest, ModuleErrorsNameTheValueOrTheWholeConfig) {
  use(R"({"listeners": [{"port": 0}]})");
  const sy_config_value* port =
      member("port", calls::element(context(), member("listeners"), 0));
  EXPECT_EQ(calls::error(context(), port, slice("must be 1..65535")), SY_OK);
  EXPECT_EQ(calls::error(context(), nullptr, slice("needs a port")), SY_OK);
  EXPECT_EQ(errors(), (Errors{std::string(kRoot) + ".listeners[0].port: must be 1..65535",
                              std::string(kRoot) + ": needs a port"}));
}

TEST_F(ConfigAccessTest, LongStringsAreCutAndControlCharactersEscapedInMessages) {
  use(R"({"long": ")" + std::string(100, 'x') + R"(", "control": "a\nb\"c"})");
  int flag = 0;
  calls::readBool(context(), member("long"), &flag);
  calls::readBool(context(), member("control"), &flag);
  EXPECT_EQ(errors(), (Errors{std::string(kRoot) + ".long: expected true or false, got \"" +
                                  std::string(64, 'x') + "...\"",
                              std::string(kRoot) + ".control: expected true or false, got \"a\\x0ab\\\"c\""}));
}

TEST(ConfigAccessWithoutConfig, AContextWithoutAConfigFindsNothing) {
  sy_config_context metrics_only{"filter"};
  int64_t value = 0;
  EXPECT_EQ(calls::root(&metrics_only), nullptr);
  EXPECT_EQ(calls::readInteger(&metrics_only, nullptr, 0, 1, &value), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::error(&metrics_only, nullptr, slice("x")), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::errorCount(&metrics_only), 0u);
  EXPECT_EQ(calls::root(nullptr), nullptr);
}

// A route's config: the listener's with the route's filter_overrides merged
// in. Each value is named where it was set.
class MergedConfigAccessTest : public ::testing::Test {
 protected:
  static constexpr const char* kOverride =
      "demo.yaml: listeners[0].virtual_hosts[0].routes[2].filter_overrides.retry";

  MergedConfigAccessTest()
      : listener_(parse(R"({"num_retries": 2, "per_try_timeout_ms": 300,
                            "backoff": {"base_interval_ms": 100, "max_interval_ms": 1000},
                            "retry_on": ["5xx"], "budget": {"percent": 20}})")),
        override_(parse(R"({"per_try_timeout_ms": 0, "backoff": {"max_interval_ms": 50},
                            "retry_on": ["reset", 5], "budget": null, "hedge": {"initial_requests": 0}})")),
        access_(config::mergeStructs(listener_, override_), kRoot, override_, kOverride),
        context_{"retry", &access_} {}

  const sy_config_value* member(const char* name, const sy_config_value* object = nullptr) {
    return calls::member(&context_, object != nullptr ? object : calls::root(&context_), slice(name));
  }

  google::protobuf::Struct listener_;
  google::protobuf::Struct override_;
  ConfigAccess access_;
  sy_config_context context_;
};

TEST_F(MergedConfigAccessTest, ValuesAreNamedWhereTheyWereSet) {
  int64_t value = 0;
  uint64_t ms = 0;
  // From the override.
  EXPECT_EQ(calls::readDurationMs(&context_, member("per_try_timeout_ms"), 1, 3600000, &ms),
            SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::readInteger(&context_, member("max_interval_ms", member("backoff")), 100, 1000, &value),
            SY_ERR_INVALID_ARGUMENT);
  // An object only the override has.
  EXPECT_EQ(calls::readInteger(&context_, member("initial_requests", member("hedge")), 1, 10, &value),
            SY_ERR_INVALID_ARGUMENT);
  // An array replaced by the override: its elements are the override's.
  EXPECT_EQ(calls::visitStrings(&context_, member("retry_on"),
                                [](void*, sy_config_context*, const sy_config_value*, sy_slice) { return SY_OK; },
                                nullptr),
            SY_ERR_INVALID_ARGUMENT);
  // From the listener: kept by the merge, named by the listener's path.
  EXPECT_EQ(calls::readInteger(&context_, member("num_retries"), 3, 5, &value), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(calls::readInteger(&context_, member("base_interval_ms", member("backoff")), 0, 10, &value),
            SY_ERR_INVALID_ARGUMENT);
  // Removed by the override's null.
  EXPECT_EQ(member("budget"), nullptr);
  // The root is the override's.
  calls::error(&context_, nullptr, slice("conflicting settings"));
  EXPECT_EQ(access_.errors(),
            (Errors{std::string(kOverride) + ".per_try_timeout_ms: expected a duration from 1ms to 3600000ms "
                                             "(\"300ms\", \"1.5s\" or an integer of milliseconds), got 0",
                    std::string(kOverride) + ".backoff.max_interval_ms: expected an integer from 100 to 1000, got 50",
                    std::string(kOverride) + ".hedge.initial_requests: expected an integer from 1 to 10, got 0",
                    std::string(kOverride) + ".retry_on[1]: expected a string, got 5",
                    std::string(kRoot) + ".num_retries: expected an integer from 3 to 5, got 2",
                    std::string(kRoot) + ".backoff.base_interval_ms: expected an integer from 0 to 10, got 100",
                    std::string(kOverride) + ": conflicting settings"}));
}

}  // namespace
}  // namespace switchyard::module
