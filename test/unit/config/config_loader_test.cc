#include "config/config_loader.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "config/config_limits.h"
#include "switchyard/embed.h"

namespace switchyard::config {
namespace {

using Errors = std::vector<std::string>;
using google::protobuf::Value;

std::string dataPath(const std::string& name) { return std::string(SY_CONFIG_TEST_DATA_DIR) + "/" + name; }

Errors yamlErrors(const std::string& yaml) {
  return loadConfigText(yaml, "test.yaml", ConfigFormat::kYaml).errors;
}

// A minimal valid listener and cluster, with room for one more listener
// field (indented to sit under `- name: http`).
std::string configWithListenerField(const std::string& field_yaml) {
  return "listeners:\n"
         "  - name: http\n"
         "    port: 8080\n"
         "    virtual_hosts:\n"
         "      - domains: ['*']\n"
         "        routes: [{match: {prefix: /}, route: {cluster: backend}}]\n" +
         field_yaml +
         "clusters:\n"
         "  - name: backend\n"
         "    endpoints: [{address: 127.0.0.1, port: 9000}]\n";
}

const google::protobuf::Struct& firstFilterConfig(const LoadedConfig& loaded) {
  return loaded.bootstrap->listeners(0).filters(0).config();
}

TEST(ConfigLoader, LoadsValidYamlFile) {
  LoadedConfig loaded = loadConfigFile(dataPath("valid.yaml"));
  ASSERT_TRUE(loaded.ok()) << loaded.errors[0];
  ASSERT_TRUE(loaded.bootstrap != nullptr);  // not _NE: see MissingFileCannotBeRead
  const Bootstrap& bootstrap = *loaded.bootstrap;

  ASSERT_EQ(bootstrap.listeners_size(), 1);
  const Listener& listener = bootstrap.listeners(0);
  EXPECT_EQ(listener.name(), "http");
  EXPECT_EQ(listener.port(), 8080u);
  ASSERT_EQ(listener.filters_size(), 2);
  EXPECT_EQ(listener.filters(1).module(), "circuit_breaker");
  EXPECT_EQ(listener.limits().max_request_headers_bytes(), 8192u);
  EXPECT_EQ(listener.timeouts().idle_timeout().seconds(), 30);
  EXPECT_TRUE(listener.timeouts().has_drain_timeout());
  EXPECT_EQ(listener.timeouts().drain_timeout().seconds(), 0);

  const Route& route = listener.virtual_hosts(0).routes(0);
  EXPECT_EQ(route.match().prefix(), "/users");
  EXPECT_TRUE(route.match().headers(0).present());
  EXPECT_EQ(route.route().prefix_rewrite(), "/v2/users");
  EXPECT_EQ(route.filter_overrides().at("retry").fields().at("attempts").number_value(), 1);

  ASSERT_EQ(bootstrap.clusters_size(), 1);
  EXPECT_EQ(bootstrap.clusters(0).lb_policy(), Cluster::LEAST_REQUEST);
  EXPECT_EQ(bootstrap.clusters(0).connect_timeout().nanos(), 500'000'000);
  EXPECT_EQ(bootstrap.clusters(0).endpoints(1).address(), "::1");
  EXPECT_EQ(bootstrap.admin().port(), 9901u);
  EXPECT_EQ(bootstrap.module_paths(0), "/opt/switchyard/modules");
}

TEST(ConfigLoader, JsonFileLoadsToTheSameConfigAsYaml) {
  LoadedConfig from_yaml = loadConfigFile(dataPath("valid.yaml"));
  LoadedConfig from_json = loadConfigFile(dataPath("valid.json"));
  ASSERT_TRUE(from_yaml.ok());
  ASSERT_TRUE(from_json.ok()) << from_json.errors[0];
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*from_yaml.bootstrap, *from_json.bootstrap));
}

TEST(ConfigLoader, AutoFormatFollowsTheExtension) {
  const std::string json = R"({"listeners": [{"name": "a", "port": 1,
      "virtual_hosts": [{"domains": ["*"]}]}]})";
  EXPECT_TRUE(loadConfigText(json, "x.JSON", ConfigFormat::kAuto).ok());
  // Without a .json extension the text is read as YAML, which accepts
  // this JSON too (YAML 1.2 flow style is a superset).
  EXPECT_TRUE(loadConfigText(json, "x.conf", ConfigFormat::kAuto).ok());
  // An explicit format wins over the name: this YAML is not JSON.
  Errors errors = loadConfigText("listeners: []\n", "x.yaml", ConfigFormat::kJson).errors;
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("x.yaml: invalid JSON: ", 0), 0u) << errors[0];
}

TEST(ConfigLoader, UnknownFieldNamesFileAndFieldPath) {
  std::string path = dataPath("unknown_field.yaml");
  EXPECT_EQ(loadConfigFile(path).errors,
            Errors{path + ": listeners[0].filters[1].nmae: unknown field, did you mean \"name\"?"});
}

TEST(ConfigLoader, UnknownFieldWithoutCloseMatchListsValidFields) {
  EXPECT_EQ(yamlErrors("admin: {port: 9901, bind_to_everything: true}\nlisteners: []\n"),
            Errors{"test.yaml: admin.bind_to_everything: unknown field (valid fields: address, port)"});
}

TEST(ConfigLoader, WrongTypeNamesFileAndFieldPath) {
  std::string path = dataPath("wrong_type.json");
  EXPECT_EQ(
      loadConfigFile(path).errors,
      Errors{path + ": listeners[0].port: expected an integer from 0 to 4294967295, got string \"http\""});
}

TEST(ConfigLoader, WrongTypesAcrossTheSchema) {
  EXPECT_EQ(yamlErrors("listeners: {name: http}\n"),
            Errors{"test.yaml: listeners: expected a list, got a mapping"});
  EXPECT_EQ(yamlErrors("listeners: [[]]\n"),
            Errors{"test.yaml: listeners[0]: expected a mapping, got a list"});
  EXPECT_EQ(yamlErrors("module_paths: /opt/modules\n"),
            Errors{"test.yaml: module_paths: expected a list, got string \"/opt/modules\""});
  EXPECT_EQ(yamlErrors("listeners: [{name: 5}]\n"),
            Errors{"test.yaml: listeners[0].name: expected a string, got number 5"});
  EXPECT_EQ(yamlErrors("admin: {port: 1.5}\n"),
            Errors{"test.yaml: admin.port: expected an integer from 0 to 4294967295, got number 1.5"});
  EXPECT_EQ(yamlErrors("admin: {port: -1}\n"),
            Errors{"test.yaml: admin.port: expected an integer from 0 to 4294967295, got number -1"});
  EXPECT_EQ(
      yamlErrors("clusters: [{lb_policy: CONSISTENT}]\n"),
      Errors{"test.yaml: clusters[0].lb_policy: expected one of ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH, "
             "MAGLEV, got string \"CONSISTENT\""});
  EXPECT_EQ(yamlErrors("clusters: [{connect_timeout: 5}]\n"),
            Errors{"test.yaml: clusters[0].connect_timeout: expected a duration in seconds such as \"0.25s\" "
                   "or \"3s\", got number 5"});
  EXPECT_EQ(yamlErrors("listeners: [{filters: [{config: [1, 2]}]}]\n"),
            Errors{"test.yaml: listeners[0].filters[0].config: expected a mapping, got a list"});
  EXPECT_EQ(
      yamlErrors("listeners: [{virtual_hosts: [{routes: [{match: {headers: [{present: 'yes'}]}}]}]}]\n"),
      Errors{"test.yaml: listeners[0].virtual_hosts[0].routes[0].match.headers[0].present: "
             "expected true or false, got string \"yes\""});
}

TEST(ConfigLoader, FilterOverrideValueMustBeAMapping) {
  EXPECT_EQ(
      yamlErrors(
          "listeners: [{virtual_hosts: [{routes: [{filter_overrides: {retry: 3, 'my filter': x}}]}]}]\n"),
      (Errors{"test.yaml: listeners[0].virtual_hosts[0].routes[0].filter_overrides[\"my filter\"]: "
              "expected a mapping, got string \"x\"",
              "test.yaml: listeners[0].virtual_hosts[0].routes[0].filter_overrides.retry: "
              "expected a mapping, got number 3"}));
}

TEST(ConfigLoader, EmptyListItemIsAnError) {
  EXPECT_EQ(yamlErrors("listeners:\n  -\n"), Errors{"test.yaml: listeners[0]: empty list item"});
}

TEST(ConfigLoader, PrefixAndPathTogetherIsAnError) {
  EXPECT_EQ(yamlErrors("listeners: [{virtual_hosts: [{routes: [{match: {prefix: /a, path: /b}}]}]}]\n"),
            Errors{"test.yaml: listeners[0].virtual_hosts[0].routes[0].match.path: cannot be set together "
                   "with prefix (only one of prefix, path)"});
}

TEST(ConfigLoader, AcceptsJsonNamesAndRejectsAFieldGivenTwice) {
  std::string yaml = configWithListenerField("    limits: {maxBufferBytes: 20000}\n");
  LoadedConfig loaded = loadConfigText(yaml, "test.yaml", ConfigFormat::kYaml);
  ASSERT_TRUE(loaded.ok()) << loaded.errors[0];
  EXPECT_EQ(loaded.bootstrap->listeners(0).limits().max_buffer_bytes(), 20000u);

  EXPECT_EQ(
      yamlErrors(configWithListenerField("    limits: {maxBufferBytes: 20000, max_buffer_bytes: 30000}\n")),
      Errors{"test.yaml: listeners[0].limits.max_buffer_bytes: sets the same field as maxBufferBytes"});
}

TEST(ConfigLoader, NullMeansNotSet) {
  LoadedConfig loaded = loadConfigText(configWithListenerField("    filters:\n    limits: ~\n"), "test.yaml",
                                       ConfigFormat::kYaml);
  ASSERT_TRUE(loaded.ok()) << loaded.errors[0];
  EXPECT_EQ(loaded.bootstrap->listeners(0).filters_size(), 0);
  EXPECT_FALSE(loaded.bootstrap->listeners(0).has_limits());
}

TEST(ConfigLoader, ReportsEverySchemaErrorNotJustTheFirst) {
  EXPECT_EQ(yamlErrors("listeners:\n"
                       "  - name: http\n"
                       "    port: http\n"
                       "    filterz: []\n"
                       "clusters:\n"
                       "  - name: [backend]\n"
                       "    endpoints: [{address: 127.0.0.1, port: 9000, wieght: 2}]\n"
                       "admn: {}\n"),
            (Errors{
                "test.yaml: listeners[0].port: expected an integer from 0 to 4294967295, got string \"http\"",
                "test.yaml: listeners[0].filterz: unknown field, did you mean \"filters\"?",
                "test.yaml: clusters[0].name: expected a string, got a list",
                "test.yaml: clusters[0].endpoints[0].wieght: unknown field, did you mean \"weight\"?",
                "test.yaml: admn: unknown field, did you mean \"admin\"?",
            }));
}

TEST(ConfigLoader, SemanticErrorsCarryFileAndFieldPath) {
  EXPECT_EQ(yamlErrors(configWithListenerField(
                "    timeouts: {idle_timeout: -1s}\n    limits: {max_buffer_bytes: 100}\n")),
            (Errors{"test.yaml: listeners[0].limits.max_buffer_bytes: 100 is below the minimum 16384",
                    "test.yaml: listeners[0].timeouts.idle_timeout: must not be negative (got -1s)"}));
}

TEST(ConfigLoader, YamlSyntaxErrorHasLineAndColumn) {
  EXPECT_EQ(yamlErrors("listeners:\n  - name: a\n    port: : 1\n"),
            Errors{"test.yaml:3:11: mapping values are not allowed in this context"});
}

TEST(ConfigLoader, YamlConversionErrorHasLineAndColumn) {
  EXPECT_EQ(yamlErrors("listeners: []\nlisteners: []\n"),
            Errors{R"(test.yaml:2:1: duplicate key "listeners")"});
}

TEST(ConfigLoader, JsonSyntaxErrorQuotesWhereItStopped) {
  Errors errors = loadConfigText("{\"listeners\": [1,, 2]}", "test.json", ConfigFormat::kJson).errors;
  EXPECT_EQ(errors, Errors{R"(test.json: invalid JSON: Unexpected token. (near ", 2]}"))"});
}

TEST(ConfigLoader, EmptyConfigIsAnError) {
  EXPECT_EQ(yamlErrors(""), Errors{"test.yaml: config is empty"});
  EXPECT_EQ(yamlErrors("  \n\n"), Errors{"test.yaml: config is empty"});
  EXPECT_EQ(yamlErrors("# nothing configured yet\n"), Errors{"test.yaml: config is empty"});
  EXPECT_EQ(loadConfigText("\n", "test.json", ConfigFormat::kJson).errors,
            Errors{"test.json: config is empty"});
}

TEST(ConfigLoader, TopLevelMustBeAMapping) {
  EXPECT_EQ(yamlErrors("- listeners\n"), Errors{"test.yaml: top level: expected a mapping, got a list"});
  // A single YAML value is refused before yaml-cpp reads it (yaml_syntax.h).
  EXPECT_EQ(yamlErrors("listeners\n"),
            Errors{"test.yaml:1:1: a config is a mapping of sections (listeners:, clusters:, admin:), not a single value"});
  EXPECT_EQ(loadConfigText("[]", "test.json", ConfigFormat::kJson).errors,
            Errors{"test.json: top level: expected a mapping, got a list"});
}

TEST(ConfigLoader, MissingFileCannotBeRead) {
  std::string path = dataPath("does_not_exist.yaml");
  LoadedConfig loaded = loadConfigFile(path);
  // Not EXPECT_EQ: printing a Bootstrap on failure trips a GCC 12
  // -Wrestrict false positive inside gtest.
  EXPECT_TRUE(loaded.bootstrap == nullptr);
  EXPECT_EQ(loaded.errors, Errors{path + ": cannot read: No such file or directory"});
}

TEST(ConfigLoader, DirectoryCannotBeRead) {
  std::string path = SY_CONFIG_TEST_DATA_DIR;
  EXPECT_EQ(loadConfigFile(path).errors, Errors{path + ": cannot read: Is a directory"});
}

TEST(ConfigLoader, YamlScalarTypingReachesFilterConfig) {
  LoadedConfig loaded = loadConfigText(configWithListenerField("    filters:\n"
                                                               "      - name: tagger\n"
                                                               "        config:\n"
                                                               "          quoted: \"123\"\n"
                                                               "          plain: 123\n"
                                                               "          ratio: 0.5\n"
                                                               "          enabled: true\n"
                                                               "          word: 'true'\n"
                                                               "          nothing: ~\n"
                                                               "          code: 0x10\n"),
                                       "test.yaml", ConfigFormat::kYaml);
  ASSERT_TRUE(loaded.ok()) << loaded.errors[0];
  const auto& fields = firstFilterConfig(loaded).fields();
  EXPECT_EQ(fields.at("quoted").kind_case(), Value::kStringValue);
  EXPECT_EQ(fields.at("quoted").string_value(), "123");
  EXPECT_EQ(fields.at("plain").kind_case(), Value::kNumberValue);
  EXPECT_EQ(fields.at("plain").number_value(), 123);
  EXPECT_EQ(fields.at("ratio").number_value(), 0.5);
  EXPECT_EQ(fields.at("enabled").kind_case(), Value::kBoolValue);
  EXPECT_TRUE(fields.at("enabled").bool_value());
  EXPECT_EQ(fields.at("word").string_value(), "true");
  EXPECT_EQ(fields.at("nothing").kind_case(), Value::kNullValue);
  EXPECT_EQ(fields.at("code").number_value(), 16);
}

TEST(ConfigLoader, YamlNullReachesARouteOverrideAsANullValue) {
  // A null in filter_overrides removes the key when the override is merged
  // into the listener's config (config/struct_merge.h), so it must arrive.
  LoadedConfig loaded = loadConfigText("listeners:\n"
                                       "  - name: http\n"
                                       "    port: 8080\n"
                                       "    filters: [{name: tagger}]\n"
                                       "    virtual_hosts:\n"
                                       "      - domains: ['*']\n"
                                       "        routes:\n"
                                       "          - match: {prefix: /}\n"
                                       "            route: {cluster: backend}\n"
                                       "            filter_overrides:\n"
                                       "              tagger:\n"
                                       "                tilde: ~\n"
                                       "                word: null\n"
                                       "                nested: {gone: null}\n"
                                       "clusters:\n"
                                       "  - name: backend\n"
                                       "    endpoints: [{address: 127.0.0.1, port: 9000}]\n",
                                       "test.yaml", ConfigFormat::kYaml);
  ASSERT_TRUE(loaded.ok()) << loaded.errors[0];
  const auto& route = loaded.bootstrap->listeners(0).virtual_hosts(0).routes(0);
  const auto& fields = route.filter_overrides().at("tagger").fields();
  EXPECT_EQ(fields.at("tilde").kind_case(), Value::kNullValue);
  EXPECT_EQ(fields.at("word").kind_case(), Value::kNullValue);
  EXPECT_EQ(fields.at("nested").struct_value().fields().at("gone").kind_case(), Value::kNullValue);
}

TEST(ConfigLoader, StructToJsonOfEmptyOrAbsentConfigIsEmptyObject) {
  EXPECT_EQ(structToJson(google::protobuf::Struct()), "{}");
  LoadedConfig loaded = loadConfigFile(dataPath("valid.yaml"));
  ASSERT_TRUE(loaded.ok());
  const Filter& breaker = loaded.bootstrap->listeners(0).filters(1);
  EXPECT_FALSE(breaker.has_config());
  EXPECT_EQ(structToJson(breaker.config()), "{}");
}

TEST(ConfigLoader, StructToJsonRoundTrips) {
  LoadedConfig loaded = loadConfigFile(dataPath("valid.yaml"));
  ASSERT_TRUE(loaded.ok());
  const google::protobuf::Struct& config = firstFilterConfig(loaded);

  std::string json = structToJson(config);
  google::protobuf::Struct reparsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &reparsed).ok()) << json;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(config, reparsed)) << json;
  EXPECT_EQ(reparsed.fields().at("per_try_timeout").string_value(), "0.25s");
  EXPECT_EQ(reparsed.fields().at("retry_on").list_value().values(1).string_value(), "reset");
}

TEST(ConfigLoader, StructToJsonWritesWholeNumbersWithoutFraction) {
  google::protobuf::Struct config;
  (*config.mutable_fields())["attempts"].set_number_value(3);
  EXPECT_EQ(structToJson(config), R"({"attempts":3})");
}

// A valid config whose listener filter's config nests `levels` deep in all
// (the top-level mapping is level 1; the filter config itself is level 6).
std::string jsonConfigNested(int levels) {
  int inner = levels - 5;
  std::string config;
  for (int i = 0; i < inner; ++i) config += R"({"k":)";
  config += "1";
  config += std::string(size_t(inner), '}');
  return R"({"listeners":[{"name":"a","port":8080,"virtual_hosts":[{"domains":["*"]}],)"
         R"("filters":[{"name":"f","module":"m","config":)" +
         config + "}]}]}";
}

std::chrono::steady_clock::duration timeToLoad(std::string_view text, std::string_view source,
                                               Errors* errors) {
  auto start = std::chrono::steady_clock::now();
  *errors = loadConfigText(text, source, ConfigFormat::kAuto).errors;
  return std::chrono::steady_clock::now() - start;
}

TEST(ConfigLimits, NestingUpToTheLimitLoadsFromJsonAndYaml) {
  // protobuf's JSON parser would refuse a few levels more; the limit keeps
  // every config within it loadable.
  std::string json = jsonConfigNested(kMaxNestingDepth);
  LoadedConfig from_json = loadConfigText(json, "deep.json", ConfigFormat::kJson);
  EXPECT_TRUE(from_json.ok()) << from_json.errors[0];
  LoadedConfig from_yaml = loadConfigText(json, "deep.yaml", ConfigFormat::kYaml);
  EXPECT_TRUE(from_yaml.ok()) << from_yaml.errors[0];
}

TEST(ConfigLimits, DeepJsonIsRefusedQuicklyWithItsPosition) {
  std::string json = "{\"listeners\": " + std::string(10'000, '[') + std::string(10'000, ']') + "}";
  Errors errors;
  EXPECT_LT(timeToLoad(json, "deep.json", &errors), std::chrono::seconds(2));
  EXPECT_EQ(errors, Errors{"deep.json:1:46: mappings and lists nested more than 32 levels deep (the limit)"});

  std::string config = jsonConfigNested(kMaxNestingDepth + 1);
  EXPECT_EQ(loadConfigText(config, "deep.json", ConfigFormat::kJson).errors,
            Errors{"deep.json:1:" + std::to_string(config.find(R"({"k":1})") + 1) +
                   ": mappings and lists nested more than 32 levels deep (the limit)"});
}

TEST(ConfigLimits, BillionLaughsIsRefusedQuickly) {
  std::string yaml = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (char name = 'b'; name <= 'i'; ++name) {
    const char previous = char(name - 1);
    yaml.append(1, name).append(": &").append(1, name).append(" [*").append(1, previous);
    for (int i = 1; i < 9; ++i) yaml.append(", *").append(1, previous);
    yaml += "]\n";
  }
  Errors errors;
  EXPECT_LT(timeToLoad(yaml, "laughs.yaml", &errors), std::chrono::seconds(2));
  EXPECT_EQ(errors, Errors{"laughs.yaml:6:20: aliases expand to more than 1048576 bytes (the limit on what "
                           "aliases may add to a document)"});
}

TEST(ConfigLimits, TextLargerThanTheLimitIsRefused) {
  std::string text = "module_paths: [/opt]\n";
  text.resize(kMaxConfigBytes + 1, '\n');
  EXPECT_EQ(yamlErrors(text),
            Errors{"test.yaml: is 16777217 bytes, larger than the 16777216 bytes a config may have"});
}

TEST(ConfigLimits, FileLargerThanTheLimitIsRefusedWithoutReadingIt) {
  char path[] = "/tmp/switchyard-config-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 50 * 1024 * 1024), 0);  // sparse: nothing to read but zeros
  close(fd);
  auto start = std::chrono::steady_clock::now();
  Errors errors = loadConfigFile(path).errors;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  EXPECT_EQ(errors, Errors{std::string(path) +
                           ": is 52428800 bytes, larger than the 16777216 bytes a config may have"});
  std::remove(path);
}

TEST(ConfigLimits, MegabyteValueIsQuotedAsAnExcerpt) {
  Errors errors = yamlErrors(configWithListenerField("") + "admin: {address: \"" +
                             std::string(1'000'000, 'x') + "\", port: 9901}\n");
  EXPECT_EQ(errors, Errors{"test.yaml: admin.address: \"" + std::string(kMaxQuotedBytes, 'x') +
                           "\u2026(1000000 bytes)\" is not an IPv4 or IPv6 address"});
  Errors schema_errors =
      yamlErrors("admin: {port: \"" + std::string(1'000'000, '9') + "x\"}\nlisteners: []\n");
  ASSERT_EQ(schema_errors.size(), 1u);
  EXPECT_LT(schema_errors[0].size(), 200u) << schema_errors[0].substr(0, 200);
}

TEST(ConfigLimits, MegabyteKeyIsQuotedAsAnExcerpt) {
  // YAML keeps plain keys to 1024 characters; JSON has no such rule.
  Errors errors = loadConfigText("{\"admin\": {\"" + std::string(1'000'000, 'k') + "\": 1}}", "test.json",
                                 ConfigFormat::kJson)
                      .errors;
  EXPECT_EQ(errors, Errors{"test.json: admin." + std::string(kMaxQuotedBytes, 'k') +
                           "\u2026(1000000 bytes): unknown field (valid fields: address, port)"});
}

TEST(ConfigLimits, ControlCharactersAreRefusedByName) {
  using namespace std::string_literals;
  EXPECT_EQ(
      yamlErrors("listeners:\n  - name: \"ht\0tp\"\n"s),
      Errors{"test.yaml:2:14: control character \\x00 is not allowed in config text (inside a double-quoted "
             "string, write it as an escape sequence)"});
  EXPECT_EQ(
      loadConfigText("{\"admin\": \x01}", "test.json", ConfigFormat::kJson).errors,
      Errors{"test.json:1:11: control character \\x01 is not allowed in config text (inside a double-quoted "
             "string, write it as an escape sequence)"});
  EXPECT_EQ(yamlErrors("\x89PNG\r\n"),
            Errors{"test.yaml:1:1: byte \\x89 is not valid UTF-8 (a config is UTF-8 text)"});
}

TEST(ConfigLimits, EscapedControlCharactersArePrintedEscaped) {
  // An escape sequence is the way to put one in a value; messages quoting
  // the value spell it the same way.
  EXPECT_EQ(yamlErrors(configWithListenerField("") + "admin: {address: \"\\e[2J\\0\", port: 9901}\n"),
            Errors{R"(test.yaml: admin.address: "\x1b[2J\x00" is not an IPv4 or IPv6 address)"});
  EXPECT_EQ(loadConfigText(
                R"({"admin": {"address": "\u0007", "port": 9901}, "listeners": [{"name": "a", "port": 1,)"
                R"("virtual_hosts": [{"domains": ["*"]}]}]})",
                "test.json", ConfigFormat::kJson)
                .errors,
            Errors{R"(test.json: admin.address: "\x07" is not an IPv4 or IPv6 address)"});
}

TEST(ConfigLimits, EmbedApiTextGoesThroughTheSameLimits) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  sy_proxy_options options{};
  options.size = sizeof options;
  sy_proxy* proxy = sy_proxy_new(&loop, &options);
  ASSERT_NE(proxy, nullptr);
  const std::string deep = "listeners: " + std::string(100'000, '[') + std::string(100'000, ']') + "\n";
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(sy_proxy_load_config_text(proxy, deep.data(), deep.size(), "inline"), -1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_STREQ(sy_proxy_last_error(proxy),
               "inline:1:43: mappings and lists nested more than 32 levels deep (the limit)");
  sy_proxy_free(proxy);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace switchyard::config
