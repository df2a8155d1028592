#include "config/yaml_to_json.h"

#include <gtest/gtest.h>

#include <string>

namespace switchyard::config {
namespace {

// The JSON for `value: <yaml_scalar>`, with the wrapper stripped.
std::string scalarJson(const std::string& yaml_scalar) {
  YamlToJsonResult result = yamlToJson("value: " + yaml_scalar);
  EXPECT_TRUE(result.ok()) << yaml_scalar << ": " << result.error->message;
  const std::string prefix = "{\"value\":";
  if (result.json.rfind(prefix, 0) != 0 || result.json.back() != '}') return "unexpected: " + result.json;
  return result.json.substr(prefix.size(), result.json.size() - prefix.size() - 1);
}

YamlError errorOf(const std::string& yaml) {
  YamlToJsonResult result = yamlToJson(yaml);
  EXPECT_FALSE(result.ok()) << "converted to " << result.json;
  return result.error.value_or(YamlError{});
}

TEST(YamlToJson, ConvertsNestedMappingsAndSequences) {
  YamlToJsonResult result = yamlToJson(
      "listeners:\n"
      "  - name: http\n"
      "    port: 8080\n"
      "    domains: [a, b]\n"
      "empty_list: []\n"
      "empty_map: {}\n");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(
      result.json,
      R"({"listeners":[{"name":"http","port":8080,"domains":["a","b"]}],"empty_list":[],"empty_map":{}})");
}

TEST(YamlToJson, PlainIntegersBecomeJsonNumbers) {
  EXPECT_EQ(scalarJson("123"), "123");
  EXPECT_EQ(scalarJson("-42"), "-42");
  EXPECT_EQ(scalarJson("+7"), "7");
  EXPECT_EQ(scalarJson("007"), "7");  // JSON forbids leading zeros
  EXPECT_EQ(scalarJson("0"), "0");
  EXPECT_EQ(scalarJson("0x1F"), "31");
  EXPECT_EQ(scalarJson("0o17"), "15");
  // Digits beyond 64 bits are kept exactly; the schema decides if they fit.
  EXPECT_EQ(scalarJson("123456789012345678901234567890"), "123456789012345678901234567890");
}

TEST(YamlToJson, PlainFloatsBecomeJsonNumbersWithoutLosingDigits) {
  EXPECT_EQ(scalarJson("1.5"), "1.5");
  EXPECT_EQ(scalarJson(".5"), "0.5");
  EXPECT_EQ(scalarJson("-.5"), "-0.5");
  EXPECT_EQ(scalarJson("1."), "1");
  EXPECT_EQ(scalarJson("1e3"), "1e3");
  EXPECT_EQ(scalarJson("2.5E-3"), "2.5E-3");
  EXPECT_EQ(scalarJson("0.1000000000000000055511151231257827"), "0.1000000000000000055511151231257827");
}

TEST(YamlToJson, CoreSchemaBooleansAndNulls) {
  EXPECT_EQ(scalarJson("true"), "true");
  EXPECT_EQ(scalarJson("False"), "false");
  EXPECT_EQ(scalarJson("TRUE"), "true");
  EXPECT_EQ(scalarJson("null"), "null");
  EXPECT_EQ(scalarJson("~"), "null");
  EXPECT_EQ(scalarJson(""), "null");
}

TEST(YamlToJson, Yaml11BooleansAndOtherLookalikesStayStrings) {
  EXPECT_EQ(scalarJson("yes"), R"("yes")");
  EXPECT_EQ(scalarJson("NO"), R"("NO")");
  EXPECT_EQ(scalarJson("on"), R"("on")");
  EXPECT_EQ(scalarJson("0.25s"), R"("0.25s")");
  EXPECT_EQ(scalarJson("1_000"), R"("1_000")");
  EXPECT_EQ(scalarJson("1.2.3"), R"("1.2.3")");
  EXPECT_EQ(scalarJson("2001-12-14"), R"("2001-12-14")");
  EXPECT_EQ(scalarJson("5xx"), R"("5xx")");
}

TEST(YamlToJson, QuotedAndBlockScalarsStayStrings) {
  EXPECT_EQ(scalarJson("\"123\""), R"("123")");
  EXPECT_EQ(scalarJson("'true'"), R"("true")");
  EXPECT_EQ(scalarJson("\"null\""), R"("null")");
  EXPECT_EQ(scalarJson("\"\""), R"("")");
  EXPECT_EQ(scalarJson("|\n  line one\n  line two\n"), R"("line one\nline two\n")");
}

TEST(YamlToJson, CoreTagsForceAType) {
  EXPECT_EQ(scalarJson("!!str 123"), R"("123")");
  EXPECT_EQ(scalarJson("!!str true"), R"("true")");
  EXPECT_EQ(scalarJson("!!int \"42\""), "42");
  EXPECT_EQ(scalarJson("!!float 3"), "3");
  EXPECT_EQ(scalarJson("!!bool 'false'"), "false");
  EXPECT_EQ(scalarJson("!!null ''"), "null");
}

TEST(YamlToJson, TagThatDoesNotFitTheValueIsAnError) {
  YamlError error = errorOf("a: !!int abc\n");
  EXPECT_EQ(error.line, 1);
  EXPECT_EQ(error.column, 4);
  EXPECT_EQ(error.message, "'abc' is not a valid !!int value");
}

TEST(YamlToJson, UnknownTagIsAnError) {
  EXPECT_EQ(errorOf("a: !secret x\n").message, "unsupported tag !secret");
  EXPECT_EQ(errorOf("a: !list [1]\n").message, "unsupported tag !list");
}

TEST(YamlToJson, InfinityAndNanHaveNoJsonForm) {
  EXPECT_EQ(errorOf("a: .inf\n").message, "'.inf' has no JSON representation (infinity or NaN)");
  EXPECT_EQ(errorOf("a: -.INF\n").message, "'-.INF' has no JSON representation (infinity or NaN)");
  EXPECT_EQ(errorOf("a: .nan\n").message, "'.nan' has no JSON representation (infinity or NaN)");
}

TEST(YamlToJson, HexBeyond64BitsIsAnError) {
  EXPECT_EQ(errorOf("a: 0x10000000000000000\n").message,
            "integer 0x10000000000000000 does not fit in 64 bits");
}

TEST(YamlToJson, EscapesStringsForJson) {
  EXPECT_EQ(scalarJson(R"("say \"hi\"\\ \t\u0001")"), R"("say \"hi\"\\ \t\u0001")");
  EXPECT_EQ(scalarJson("\"caf\xC3\xA9\""), "\"caf\xC3\xA9\"");  // UTF-8 passes through
}

TEST(YamlToJson, KeysAreAlwaysStrings) {
  YamlToJsonResult result = yamlToJson("123: a\ntrue: b\n");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.json, R"({"123":"a","true":"b"})");
}

TEST(YamlToJson, AliasesAreExpanded) {
  YamlToJsonResult result = yamlToJson("base: &b {port: 1}\ncopy: *b\n");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.json, R"({"base":{"port":1},"copy":{"port":1}})");
}

TEST(YamlToJson, DuplicateKeyIsAnErrorAtTheSecondKey) {
  YamlError error = errorOf("name: a\nport: 1\nname: b\n");
  EXPECT_EQ(error.line, 3);
  EXPECT_EQ(error.column, 1);
  EXPECT_EQ(error.message, "duplicate key 'name'");
}

TEST(YamlToJson, NonScalarKeyIsAnError) {
  YamlError error = errorOf("? [a, b]\n: c\n");
  EXPECT_EQ(error.line, 1);
  EXPECT_EQ(error.message, "mapping keys must be scalars");
}

TEST(YamlToJson, SyntaxErrorCarriesLineAndColumn) {
  YamlError error = errorOf("listeners:\n  - name: a\n    port: : 1\n");
  EXPECT_EQ(error.line, 3);
  EXPECT_EQ(error.column, 11);
  EXPECT_FALSE(error.message.empty());

  YamlError misindented = errorOf("a:\n  - b\n  c: d\n");
  EXPECT_EQ(misindented.line, 3);
  EXPECT_EQ(misindented.column, 3);
  EXPECT_EQ(misindented.message, "end of map not found");
}

TEST(YamlToJson, MoreThanOneDocumentIsAnError) {
  YamlError error = errorOf("a: 1\n---\nb: 2\n");
  EXPECT_EQ(error.line, 3);
  EXPECT_EQ(error.message, "expected one YAML document, found 2");
}

TEST(YamlToJson, DocumentWithoutContentIsNull) {
  for (const char* text : {"", "# only a comment\n", "---\n"}) {
    YamlToJsonResult result = yamlToJson(text);
    ASSERT_TRUE(result.ok()) << text;
    EXPECT_EQ(result.json, "null") << text;
  }
}

TEST(YamlToJson, TopLevelSequenceAndScalarConvert) {
  EXPECT_EQ(yamlToJson("- 1\n- two\n").json, R"([1,"two"])");
  EXPECT_EQ(yamlToJson("just text").json, R"("just text")");
}

}  // namespace
}  // namespace switchyard::config
