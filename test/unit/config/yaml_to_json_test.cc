#include "config/yaml_to_json.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "config/config_limits.h"

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

TextError errorOf(const std::string& yaml) {
  YamlToJsonResult result = yamlToJson(yaml);
  EXPECT_FALSE(result.ok()) << "converted to " << result.json;
  return result.error.value_or(TextError{});
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
  TextError error = errorOf("a: !!int abc\n");
  EXPECT_EQ(error.line, 1);
  EXPECT_EQ(error.column, 4);
  EXPECT_EQ(error.message, R"("abc" is not a valid !!int value)");
}

TEST(YamlToJson, UnknownTagIsAnError) {
  EXPECT_EQ(errorOf("a: !secret x\n").message, "unsupported tag !secret");
  EXPECT_EQ(errorOf("a: !list [1]\n").message, "unsupported tag !list");
}

TEST(YamlToJson, InfinityAndNanHaveNoJsonForm) {
  EXPECT_EQ(errorOf("a: .inf\n").message, R"(".inf" has no JSON representation (infinity or NaN))");
  EXPECT_EQ(errorOf("a: -.INF\n").message, R"("-.INF" has no JSON representation (infinity or NaN))");
  EXPECT_EQ(errorOf("a: .nan\n").message, R"(".nan" has no JSON representation (infinity or NaN))");
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
  TextError error = errorOf("name: a\nport: 1\nname: b\n");
  EXPECT_EQ(error.line, 3);
  EXPECT_EQ(error.column, 1);
  EXPECT_EQ(error.message, R"(duplicate key "name")");
}

TEST(YamlToJson, NonScalarKeyIsAnError) {
  TextError error = errorOf("? [a, b]\n: c\n");
  EXPECT_EQ(error.line, 1);
  EXPECT_EQ(error.message, "mapping keys must be scalars");
}

TEST(YamlToJson, SyntaxErrorCarriesLineAndColumn) {
  TextError error = errorOf("listeners:\n  - name: a\n    port: : 1\n");
  EXPECT_EQ(error.line, 3);
  EXPECT_EQ(error.column, 11);
  EXPECT_FALSE(error.message.empty());

  TextError misindented = errorOf("a:\n  - b\n  c: d\n");
  EXPECT_EQ(misindented.line, 3);
  EXPECT_EQ(misindented.column, 3);
  EXPECT_EQ(misindented.message, "did not find expected '-' indicator while parsing a block collection");
}

// yaml-cpp 0.7 never returns on these (yaml_syntax.h); libyaml refuses them.
TEST(YamlToJson, InputsThatHangYamlCppAreRefusedWithAPosition) {
  for (const char* text : {" a:\n,", ",", "- !+(.,.)", "a: ,x\n"}) {
    TextError error = errorOf(text);
    EXPECT_GT(error.line, 0) << text;
    EXPECT_FALSE(error.message.empty()) << text;
  }
}

TEST(YamlToJson, MoreThanOneDocumentIsAnError) {
  TextError error = errorOf("a: 1\n---\nb: 2\n");
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

TEST(YamlToJson, TopLevelSequenceConvertsAndASingleValueIsRefused) {
  EXPECT_EQ(yamlToJson("- 1\n- two\n").json, R"([1,"two"])");
  TextError error = errorOf("just text");
  EXPECT_EQ(error.line, 1);
  EXPECT_EQ(error.message, "a config is a mapping of sections (listeners:, clusters:, admin:), not a single value");
  // yaml-cpp 0.7 never returns on these (found by the config fuzzer).
  for (const char* text : {"!foo x\n,i", "!!str x\n,i", "!: x*\n2,[]}]/]\n,i"}) EXPECT_GT(errorOf(text).line, 0) << text;
}

// Nine levels of nine aliases each: 342 bytes that expand to gigabytes.
std::string billionLaughs() {
  std::string yaml = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (char name = 'b'; name <= 'i'; ++name) {
    const char previous = char(name - 1);
    yaml.append(1, name).append(": &").append(1, name).append(" [*").append(1, previous);
    for (int i = 1; i < 9; ++i) yaml.append(", *").append(1, previous);
    yaml += "]\n";
  }
  return yaml;
}

// `levels` block mappings inside each other, the innermost holding `leaf`.
std::string nestedMappings(int levels, const std::string& leaf = "1") {
  std::string yaml;
  for (int i = 0; i < levels - 1; ++i) yaml += std::string(size_t(i) * 2, ' ') + "k:\n";
  return yaml + std::string(size_t(levels - 1) * 2, ' ') + "k: " + leaf + "\n";
}

TEST(YamlToJson, BillionLaughsIsRefusedQuicklyAtTheAliasThatPassesTheLimit) {
  auto start = std::chrono::steady_clock::now();
  TextError error = errorOf(billionLaughs());
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  EXPECT_EQ(error.line, 6);  // f: &f [*e, *e, *e, *e, ...
  EXPECT_EQ(error.column, 20);
  EXPECT_EQ(error.message,
            "aliases expand to more than 1048576 bytes (the limit on what aliases may add to a document)");
}

TEST(YamlToJson, AliasesWithinTheLimitAreExpanded) {
  // A block of shared settings repeated a thousand times is ordinary use.
  std::string yaml =
      "shared: &shared {connect_timeout: 0.25s, max_connections: 100, lb_policy: ROUND_ROBIN}\n"
      "clusters:\n";
  for (int i = 0; i < 1000; ++i) yaml += "  - *shared\n";
  YamlToJsonResult result = yamlToJson(yaml);
  ASSERT_TRUE(result.ok()) << result.error->message;
  EXPECT_NE(result.json.find("ROUND_ROBIN\"}]}"), std::string::npos);
}

TEST(YamlToJson, AliasInsideTheNodeItNamesIsRefusedAsACycle) {
  for (const char* yaml : {"a: &a [1, *a]\n", "a: &a {b: *a}\n"}) {
    TextError error = errorOf(yaml);
    EXPECT_EQ(error.line, 1) << yaml;
    EXPECT_EQ(error.column, 11) << yaml;
    EXPECT_EQ(error.message, "alias inside the node it refers to (a cycle)") << yaml;
  }
}

TEST(YamlToJson, NestingUpToTheLimitConverts) {
  EXPECT_TRUE(yamlToJson(nestedMappings(kMaxNestingDepth)).ok());
  // The innermost [] is a level too.
  EXPECT_TRUE(yamlToJson(nestedMappings(kMaxNestingDepth - 1, "[]")).ok());
}

TEST(YamlToJson, NestingBeyondTheLimitIsRefusedWhereItStarts) {
  // Far deeper than yaml-cpp's own guard (500 levels, reported as "bad file").
  for (int levels : {kMaxNestingDepth + 1, 600}) {
    TextError error = errorOf(nestedMappings(levels));
    EXPECT_EQ(error.line, kMaxNestingDepth + 1) << levels;
    EXPECT_EQ(error.message, "mappings and lists nested more than 32 levels deep (the limit)");
  }
  TextError flow = errorOf("a: " + std::string(600, '[') + std::string(600, ']') + "\n");
  EXPECT_EQ(flow.line, 1);
  EXPECT_EQ(flow.column, 4 + kMaxNestingDepth - 1);
  EXPECT_EQ(flow.message, "mappings and lists nested more than 32 levels deep (the limit)");
}

TEST(YamlToJson, AliasThatWouldNestTooDeepIsRefusedAtTheAlias) {
  // Twenty levels anchored, used twenty levels down: 40 once expanded.
  std::string yaml = "deep: &deep " + std::string(20, '[') + std::string(20, ']') + "\n" +
                     "use: " + std::string(19, '[') + "*deep" + std::string(19, ']') + "\n";
  TextError error = errorOf(yaml);
  EXPECT_EQ(error.line, 2);
  EXPECT_EQ(error.column, 25);
  EXPECT_EQ(error.message, "mappings and lists nested more than 32 levels deep (the limit)");
}

TEST(YamlToJson, UnknownEscapeSequenceIsNamed) {
  TextError error = errorOf("a: \"x\\gy\"\n");
  EXPECT_EQ(error.line, 1);
  EXPECT_EQ(error.message, "\\g is not an escape sequence of a double-quoted YAML string");
}

TEST(YamlToJson, LongValueInAMessageIsCutToAnExcerpt) {
  TextError error = errorOf("a: !!int " + std::string(1'000'000, '7') + "x\n");
  EXPECT_EQ(error.message,
            "\"" + std::string(kMaxQuotedBytes, '7') + "\u2026(1000001 bytes)\" is not a valid !!int value");
}

}  // namespace
}  // namespace switchyard::config
