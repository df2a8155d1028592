// mergeStructs (core/config/struct_merge): a route's filter_overrides merged
// into the listener's filter config — objects key by key and recursively,
// arrays and scalars replaced, null removing a key.
#include "config/struct_merge.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>

namespace switchyard::config {
namespace {

google::protobuf::Struct parse(const std::string& json) {
  google::protobuf::Struct parsed;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  return parsed;
}

void expectMerge(const std::string& base, const std::string& override_layer, const std::string& expected) {
  google::protobuf::Struct merged = mergeStructs(parse(base), parse(override_layer));
  std::string merged_json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(merged, &merged_json).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(merged, parse(expected)))
      << "merged: " << merged_json << "\nexpected: " << expected;
}

TEST(StructMerge, AnEmptyOverrideKeepsEverything) {
  expectMerge(R"({"a": 1, "b": {"c": [1, 2]}})", "{}", R"({"a": 1, "b": {"c": [1, 2]}})");
}

TEST(StructMerge, AnOverrideOfAnEmptyConfigIsTheOverride) {
  expectMerge("{}", R"({"a": 1, "b": {"c": true}})", R"({"a": 1, "b": {"c": true}})");
}

TEST(StructMerge, ScalarsAreReplacedAndNewKeysAdded) {
  expectMerge(R"({"num_retries": 2, "per_try_timeout_ms": 300, "name": "x", "on": true})",
              R"({"per_try_timeout_ms": 50, "name": "y", "on": false, "extra": 1})",
              R"({"num_retries": 2, "per_try_timeout_ms": 50, "name": "y", "on": false, "extra": 1})");
}

TEST(StructMerge, ObjectsMergeKeyByKeyAtEveryDepth) {
  expectMerge(R"({"backoff": {"base_interval_ms": 100, "max_interval_ms": 1000}, "a": {"b": {"c": 1, "d": 2}}})",
              R"({"backoff": {"max_interval_ms": 500}, "a": {"b": {"d": 3, "e": 4}}})",
              R"({"backoff": {"base_interval_ms": 100, "max_interval_ms": 500}, "a": {"b": {"c": 1, "d": 3, "e": 4}}})");
}

TEST(StructMerge, ArraysAreReplacedWhole) {
  expectMerge(R"({"retry_on": ["5xx", "reset"], "codes": [503]})", R"({"retry_on": ["connect-failure"]})",
              R"({"retry_on": ["connect-failure"], "codes": [503]})");
  expectMerge(R"({"list": [{"a": 1}, {"b": 2}]})", R"({"list": [{"c": 3}]})", R"({"list": [{"c": 3}]})");
  expectMerge(R"({"list": [1, 2]})", R"({"list": []})", R"({"list": []})");
}

TEST(StructMerge, NullRemovesAKeyAtAnyDepth) {
  expectMerge(R"({"a": 1, "b": 2, "o": {"c": 3, "d": 4}})", R"({"a": null, "o": {"d": null}})",
              R"({"b": 2, "o": {"c": 3}})");
  // Removing what is not there changes nothing.
  expectMerge(R"({"a": 1})", R"({"missing": null})", R"({"a": 1})");
}

TEST(StructMerge, NullsInAnObjectTheOverrideAddsWholeAreRemovedToo) {
  expectMerge(R"({"a": 1})", R"({"o": {"keep": 1, "drop": null}})", R"({"a": 1, "o": {"keep": 1}})");
}

TEST(StructMerge, NullsInsideArraysAreKept) {
  expectMerge("{}", R"({"list": [null, 1]})", R"({"list": [null, 1]})");
}

TEST(StructMerge, AKindChangeReplaces) {
  expectMerge(R"({"a": {"b": 1}, "c": 5, "d": [1]})", R"({"a": 7, "c": {"e": 1}, "d": {"f": 2}})",
              R"({"a": 7, "c": {"e": 1}, "d": {"f": 2}})");
}

TEST(StructMerge, TheInputsAreLeftAlone) {
  google::protobuf::Struct base = parse(R"({"a": {"b": 1}})");
  google::protobuf::Struct override_layer = parse(R"({"a": {"b": null, "c": 2}})");
  mergeStructs(base, override_layer);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(base, parse(R"({"a": {"b": 1}})")));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(override_layer,
                                                                 parse(R"({"a": {"b": null, "c": 2}})")));
}

}  // namespace
}  // namespace switchyard::config
