// The headers module (modules/headers, built as headers.so), loaded the way
// the proxy loads it and driven through its table with the fake host:
// config_new accepts valid configs and rejects bad ones with messages that
// name the field's full path (through the core's typed config calls); the
// stream hooks apply remove, set, add in that order and
// expand variables.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fake_host.h"
#include "module/filter_config.h"
#include "module/host_api.h"
#include "module/module_loader.h"

namespace switchyard::module {
namespace {

using fake_host::FakeHeaders;
using fake_host::fakeHost;
using fake_host::fakeHostTable;
using fake_host::FakeStream;
using fake_host::TestConfig;

using Values = std::vector<std::string>;

const std::string kContext = "demo.yaml: listeners[0] 'edge': filters[0] 'headers'";

class HeadersModuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fakeHost().reset();
    std::string error;
    module_ = loader_.load("headers", "", kContext, &error);
    ASSERT_NE(module_, nullptr) << error;
  }

  std::shared_ptr<const FilterConfig> configure(const std::string& json, std::string* error) {
    TestConfig input(json, "headers", "demo.yaml: listeners[0].filters[0].config");
    EXPECT_TRUE(input.parsed()) << json;
    return FilterConfig::create(module_, input.context(), kContext, error);
  }

  // Runs one exchange through the filter: stream_new, request and response
  // headers, stream_destroy.
  void runRequest(const FilterConfig& config, FakeStream& stream, FakeHeaders& request, FakeHeaders& response) {
    const sy_filter_module& table = *module_->table;
    void* stream_context = nullptr;
    ASSERT_EQ(table.stream_new(stream.handle(), config.config(), &stream_context), SY_OK);
    EXPECT_EQ(table.request_headers(stream.handle(), stream_context, request.handle(), 1), SY_FILTER_CONTINUE);
    EXPECT_EQ(table.response_headers(stream.handle(), stream_context, response.handle(), 0), SY_FILTER_CONTINUE);
    if (table.stream_destroy != nullptr) table.stream_destroy(stream_context);
  }

  ModuleLoader loader_{{SY_MODULE_BUILD_DIR}, fakeHostTable()};
  std::shared_ptr<LoadedModule> module_;
};

TEST_F(HeadersModuleTest, DeclaresTheHeadersAbiVersion) {
  EXPECT_EQ(module_->abi.major, SY_ABI_VERSION_MAJOR);
  EXPECT_EQ(module_->abi.minor, SY_ABI_VERSION_MINOR);
  EXPECT_EQ(module_->table->capabilities, 0u);
}

TEST(HeadersModuleHost, RefusesToLoadInAHostWithoutTypedConfigAccess) {
  const sy_host_api host_1_1 = fake_host::truncatedTable(offsetof(sy_host_api, config_root), 1);
  ModuleLoader loader{{SY_MODULE_BUILD_DIR}, &host_1_1};
  std::string error;
  EXPECT_EQ(loader.load("headers", "", kContext, &error), nullptr);
  EXPECT_NE(error.find("(init_failed)"), std::string::npos) << error;
  EXPECT_NE(error.find("headers reads its config through the typed config calls of filter ABI 1.2 (config_root "
                       "and the rest), but this host (ABI 1.1) does not provide them"),
            std::string::npos)
      << error;
}

TEST_F(HeadersModuleTest, AcceptsAnEmptyConfig) {
  std::string error;
  EXPECT_NE(configure("{}", &error), nullptr) << error;
}

TEST_F(HeadersModuleTest, AcceptsEveryOptionAndDefinesItsMetrics) {
  std::string error;
  auto config = configure(R"({
      "request": {"set": [{"name": "x-client", "value": "%CLIENT_ADDRESS%:%CLIENT_PORT%"}],
                  "add": [{"name": "x-via", "value": "%LISTENER% %ROUTE% %CLUSTER% %UPSTREAM_HOST%"}],
                  "remove": ["x-internal"]},
      "response": {"set": [{"name": "x-request-id", "value": "%REQUEST_ID% %PROTOCOL% 100%%"}],
                   "add": [], "remove": []}})",
                          &error);
  ASSERT_NE(config, nullptr) << error;
  EXPECT_EQ(fakeHost().metric_names, (Values{"headers.requests_modified", "headers.responses_modified"}));
}

struct RejectedConfig {
  const char* json;
  const char* message;  // must appear in the error
};

class HeadersModuleRejectsTest : public HeadersModuleTest, public ::testing::WithParamInterface<RejectedConfig> {};

TEST_P(HeadersModuleRejectsTest, NamingTheField) {
  std::string error;
  EXPECT_EQ(configure(GetParam().json, &error), nullptr);
  EXPECT_EQ(error.rfind(kContext + ": ", 0), 0u) << error;
  EXPECT_NE(error.find("(config_rejected)"), std::string::npos) << error;
  EXPECT_NE(error.find(GetParam().message), std::string::npos) << "expected '" << GetParam().message << "' in: " << error;
}

INSTANTIATE_TEST_SUITE_P(
    BadConfigs, HeadersModuleRejectsTest,
    ::testing::Values(
        RejectedConfig{R"({"request": {"set": [{"name": "x-a", "value": "%FOO%"}]}})",
                       "request.set[0].value: unknown variable %FOO%"},
        RejectedConfig{R"({"response": {"add": [{"name": "x-a", "value": "ok"}, {"name": "x-b", "value": "%client_address%"}]}})",
                       "response.add[1].value: unknown variable %client_address%"},
        RejectedConfig{R"({"request": {"set": [{"name": "x-a", "value": "50%"}]}})",
                       "request.set[0].value: unterminated variable"},
        RejectedConfig{R"({"requests": {}})", "requests: unknown field"},
        RejectedConfig{R"({"request": {"sett": []}})", "request.sett: unknown field"},
        RejectedConfig{R"({"request": {"set": [{"name": "x-a", "value": "v", "when": "always"}]}})",
                       "request.set[0].when: unknown field"},
        RejectedConfig{R"({"request": {"set": [{"name": "x a", "value": "v"}]}})",
                       "request.set[0].name: \"x a\" is not a valid header name"},
        RejectedConfig{R"({"request": {"set": [{"name": ":path", "value": "/"}]}})",
                       "request.set[0].name: \":path\" is not a valid header name"},
        RejectedConfig{R"({"request": {"set": [{"value": "v"}]}})", "request.set[0]: name is required"},
        RejectedConfig{R"({"request": {"add": [{"name": "x-a"}]}})", "request.add[0]: value is required"},
        RejectedConfig{R"({"request": {"set": [{"name": "x-a", "value": 7}]}})",
                       "request.set[0].value: expected a string, got 7"},
        RejectedConfig{R"({"request": {"set": [{"name": "x-a", "value": "a\r\nx-injected: 1"}]}})",
                       "request.set[0].value: header values may not contain CR, LF or NUL"},
        RejectedConfig{R"({"request": {"set": [{"name": "x-a", "value": "a\u0000b"}]}})",
                       "request.set[0].value: header values may not contain CR, LF or NUL"},
        RejectedConfig{R"({"response": {"remove": ["x-ok", "bad name"]}})",
                       "response.remove[1]: \"bad name\" is not a valid header name"},
        RejectedConfig{R"({"response": {"remove": ["x-ok", 7]}})", "response.remove[1]: expected a string, got 7"},
        RejectedConfig{R"({"response": {"remove": "x-a"}})",
                       "response.remove: expected an array of strings, got \"x-a\""},
        RejectedConfig{R"({"request": {"set": {"name": "x-a"}}})",
                       "request.set: expected an array of {name, value} objects, got object"},
        RejectedConfig{R"({"request": {"set": ["x-a"]}})", "request.set[0]: expected an object, got \"x-a\""},
        RejectedConfig{R"({"request": [1]})", "request: expected an object, got array"}));

TEST_F(HeadersModuleTest, ReportsEveryErrorEachWithItsFullPath) {
  std::string error;
  EXPECT_EQ(configure(R"({"request": {"set": [{"name": "x a", "value": "%FOO%"}], "sett": []},
                          "response": {"remove": ["ok", 5]}})",
                      &error),
            nullptr);
  EXPECT_EQ(error, kContext + ": the module rejected its config (config_rejected): module 'headers' (" +
                       module_->path +
                       "):\n"
                       "  demo.yaml: listeners[0].filters[0].config.request.sett: unknown field (expected set, add "
                       "or remove)\n"
                       "  demo.yaml: listeners[0].filters[0].config.request.set[0].name: \"x a\" is not a valid "
                       "header name (an HTTP token)\n"
                       "  demo.yaml: listeners[0].filters[0].config.request.set[0].value: unknown variable %FOO%\n"
                       "  demo.yaml: listeners[0].filters[0].config.response.remove[1]: expected a string, got 5");
}

TEST_F(HeadersModuleTest, AppliesRemoveThenSetThenAddWithVariables) {
  std::string error;
  auto config = configure(R"({
      "request": {"remove": ["x-drop", "x-replace"],
                  "set": [{"name": "x-replace", "value": "%CLIENT_ADDRESS%:%CLIENT_PORT%"},
                          {"name": "x-route", "value": "%ROUTE%"}],
                  "add": [{"name": "x-replace", "value": "added after set"},
                          {"name": "x-percent", "value": "100%% of %LISTENER%"}]},
      "response": {"add": [{"name": "x-upstream", "value": "%UPSTREAM_HOST%"}]}})",
                          &error);
  ASSERT_NE(config, nullptr) << error;

  FakeStream stream;
  stream.properties = {{SY_PROP_CLIENT_ADDRESS, "10.0.0.7"},
                       {SY_PROP_CLIENT_PORT, "51234"},
                       {SY_PROP_LISTENER_NAME, "edge"}};  // no route matched, no upstream yet
  FakeHeaders request{{{"x-drop", "1"}, {"X-Replace", "old"}, {"x-keep", "kept"}}};
  FakeHeaders response{{{"x-upstream", "from upstream"}}};
  runRequest(*config, stream, request, response);

  EXPECT_TRUE(request.values("x-drop").empty());
  EXPECT_EQ(request.values("x-keep"), Values{"kept"});
  EXPECT_EQ(request.values("x-replace"), (Values{"10.0.0.7:51234", "added after set"}));
  EXPECT_EQ(request.values("x-route"), Values{"-"});
  EXPECT_EQ(request.values("x-percent"), Values{"100% of edge"});
  EXPECT_EQ(response.values("x-upstream"), (Values{"from upstream", "-"}));
  EXPECT_EQ(fakeHost().metric_totals[0], 1);  // requests_modified
  EXPECT_EQ(fakeHost().metric_totals[1], 1);  // responses_modified
}

TEST_F(HeadersModuleTest, ExpandsValuesLongerThanItsStackBuffer) {
  const std::string literal(3000, 'a');
  std::string error;
  auto config =
      configure(R"({"request": {"set": [{"name": "x-long", "value": ")" + literal + R"(%REQUEST_ID%"}]}})", &error);
  ASSERT_NE(config, nullptr) << error;
  FakeStream stream;
  stream.properties = {{SY_PROP_REQUEST_ID, "42"}};
  FakeHeaders request;
  FakeHeaders response;
  runRequest(*config, stream, request, response);
  EXPECT_EQ(request.values("x-long"), Values{literal + "42"});
}

TEST_F(HeadersModuleTest, CountsOnlyTheDirectionsThatHaveRules) {
  std::string error;
  auto config = configure(R"({"response": {"remove": ["server"]}})", &error);
  ASSERT_NE(config, nullptr) << error;
  FakeStream stream;
  FakeHeaders request{{{"server", "client-sent"}}};
  FakeHeaders response{{{"Server", "upstream"}}};
  runRequest(*config, stream, request, response);
  EXPECT_EQ(request.values("server"), Values{"client-sent"});
  EXPECT_TRUE(response.values("server").empty());
  EXPECT_EQ(fakeHost().metric_totals.count(0), 0u);
  EXPECT_EQ(fakeHost().metric_totals[1], 1);
}

TEST_F(HeadersModuleTest, RouteOverridesAreSeparateConfigsOfOneModule) {
  std::string error;
  auto listener_config = configure(R"({"response": {"add": [{"name": "x-served-by", "value": "listener"}]}})", &error);
  auto route_config = configure(R"({"response": {"add": [{"name": "x-served-by", "value": "route"}]}})", &error);
  ASSERT_NE(listener_config, nullptr) << error;
  ASSERT_NE(route_config, nullptr) << error;
  FakeStream stream;
  FakeHeaders request;
  FakeHeaders listener_response;
  FakeHeaders route_response;
  runRequest(*listener_config, stream, request, listener_response);
  runRequest(*route_config, stream, request, route_response);
  EXPECT_EQ(listener_response.values("x-served-by"), Values{"listener"});
  EXPECT_EQ(route_response.values("x-served-by"), Values{"route"});
}

}  // namespace
}  // namespace switchyard::module
