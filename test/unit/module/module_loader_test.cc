// The module loader against the fixture modules of test/abi: each broken
// module is refused with its own LoadError and a message naming the config
// context and the file, never a crash; working modules are found on both
// search-path layouts, shared, and given their lifecycle calls in order.
#include "module/module_loader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "fake_host.h"
#include "module/filter_config.h"
#include "module/host_api.h"

namespace switchyard::module {
namespace {

using fake_host::FakeHeaders;
using fake_host::fakeHost;
using fake_host::fakeHostTable;
using fake_host::FakeStream;
using fake_host::TestConfig;

const std::string kContext = "demo.yaml: listeners[0] 'edge': filters[1] 'fixture'";

std::string fixtureDir() { return SY_ABI_FIXTURE_DIR; }

// The real path the loader reports for a fixture.
std::string fixturePath(const std::string& name) {
  return std::filesystem::canonical(fixtureDir() + "/" + name + ".so").string();
}

std::string hostAbi() { return std::to_string(SY_ABI_VERSION_MAJOR) + "." + std::to_string(SY_ABI_VERSION_MINOR); }

void expectContains(const std::string& text, std::initializer_list<std::string> parts) {
  for (const auto& part : parts) EXPECT_NE(text.find(part), std::string::npos) << "'" << part << "' not in: " << text;
}

class ModuleLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fakeHost().reset();
  }

  struct Failure {
    LoadError kind;
    std::string message;
  };

  Failure loadExpectingFailure(const std::string& name, const std::string& explicit_path = "") {
    std::string error;
    LoadError kind{};
    auto module = loader_.load(name, explicit_path, kContext, &error, &kind);
    EXPECT_EQ(module, nullptr) << name << " loaded but should not have";
    EXPECT_EQ(error.rfind(kContext + ": ", 0), 0u) << "the message must start with the context: " << error;
    expectContains(error, {std::string("(") + loadErrorName(kind) + ")"});
    return {kind, error};
  }

  std::shared_ptr<LoadedModule> loadOrFail(const std::string& name, const std::string& explicit_path = "") {
    std::string error;
    auto module = loader_.load(name, explicit_path, kContext, &error);
    EXPECT_NE(module, nullptr) << error;
    return module;
  }

  ModuleLoader loader_{{fixtureDir()}, fakeHostTable()};
};

TEST_F(ModuleLoaderTest, RefusesAnotherMajorAbiNamingBothVersions) {
  Failure failure = loadExpectingFailure("wrong_major");
  EXPECT_EQ(failure.kind, LoadError::kAbiMismatch);
  expectContains(failure.message,
                 {"module 'wrong_major'", fixturePath("wrong_major"), "needs ABI 2.x, host has " + hostAbi()});
}

TEST_F(ModuleLoaderTest, RefusesANewerMinorThanTheHostHas) {
  Failure failure = loadExpectingFailure("newer_minor");
  EXPECT_EQ(failure.kind, LoadError::kAbiMismatch);
  expectContains(failure.message, {fixturePath("newer_minor"), "needs ABI 1.99, host has " + hostAbi()});
}

TEST_F(ModuleLoaderTest, ReportsAMissingEntrySymbol) {
  Failure failure = loadExpectingFailure("no_entry");
  EXPECT_EQ(failure.kind, LoadError::kNoEntrySymbol);
  expectContains(failure.message, {fixturePath("no_entry"), "does not export sy_filter_module_entry"});
}

TEST_F(ModuleLoaderTest, ReportsAnEntrySymbolThatReturnsNoTable) {
  Failure failure = loadExpectingFailure("null_table");
  EXPECT_EQ(failure.kind, LoadError::kBadTable);
  expectContains(failure.message, {fixturePath("null_table"), "returned NULL"});
}

TEST_F(ModuleLoaderTest, ReportsATableTooSmallForTheRequiredHooks) {
  Failure failure = loadExpectingFailure("short_table");
  EXPECT_EQ(failure.kind, LoadError::kBadTable);
  expectContains(failure.message, {fixturePath("short_table"), "table size"});
}

TEST_F(ModuleLoaderTest, ReportsAMissingRequiredHookByName) {
  Failure failure = loadExpectingFailure("missing_required_hook");
  EXPECT_EQ(failure.kind, LoadError::kBadTable);
  expectContains(failure.message, {fixturePath("missing_required_hook"), "required hook config_destroy is NULL"});
}

TEST_F(ModuleLoaderTest, ReportsAnUnresolvableSymbolAtLoadTimeWithDlerror) {
  Failure failure = loadExpectingFailure("undefined_symbol");
  EXPECT_EQ(failure.kind, LoadError::kOpenFailed);
  expectContains(failure.message, {fixturePath("undefined_symbol"), "sy_fixture_function_nobody_defines"});
}

TEST_F(ModuleLoaderTest, ReportsAFileThatIsNotASharedObject) {
  std::string path = (std::filesystem::temp_directory_path() / "switchyard_not_a_module.so").string();
  std::ofstream(path) << "this is not an ELF file\n";
  Failure failure = loadExpectingFailure("not_a_module", path);
  std::remove(path.c_str());
  EXPECT_EQ(failure.kind, LoadError::kOpenFailed);
  expectContains(failure.message, {"switchyard_not_a_module.so"});
}

TEST_F(ModuleLoaderTest, ReportsTheReasonModuleInitGaveAndSkipsShutdown) {
  Failure failure = loadExpectingFailure("init_fails");
  EXPECT_EQ(failure.kind, LoadError::kInitFailed);
  expectContains(failure.message,
                 {fixturePath("init_fails"), "cannot read license file /nonexistent/init_fails.key"});
  EXPECT_TRUE(fakeHost().log_messages.empty()) << "module_shutdown ran for a module whose init failed";
}

TEST_F(ModuleLoaderTest, ReportsARejectedConfigWithTheModulesMessage) {
  auto module = loadOrFail("config_rejects");
  ASSERT_NE(module, nullptr);
  TestConfig input(R"({"threshold": 99})", "fixture");
  std::string error;
  auto config = FilterConfig::create(module, input.context(), kContext, &error);
  EXPECT_EQ(config, nullptr);
  EXPECT_EQ(error.rfind(kContext + ": ", 0), 0u) << error;
  expectContains(error, {"(config_rejected)", fixturePath("config_rejects"),
                         "threshold: expected a number from 1 to 10"});
}

TEST_F(ModuleLoaderTest, TypedConfigErrorsRejectTheConfigWithFullPathsEvenWhenConfigNewSaysOk) {
  auto module = loadOrFail("typed_config");
  ASSERT_NE(module, nullptr);
  TestConfig input(R"({"threshold": 99, "timeout": "2m", "limit": 1})", "typed",
                   "demo.yaml: listeners[0].filters[1].config");
  std::string error;
  EXPECT_EQ(FilterConfig::create(module, input.context(), kContext, &error), nullptr);
  EXPECT_EQ(error, kContext + ": the module rejected its config (config_rejected): module 'typed_config' (" +
                       fixturePath("typed_config") +
                       "):\n"
                       "  demo.yaml: listeners[0].filters[1].config.limit: unknown field (expected threshold or "
                       "timeout)\n"
                       "  demo.yaml: listeners[0].filters[1].config.threshold: expected an integer from 1 to 10, "
                       "got 99\n"
                       "  demo.yaml: listeners[0].filters[1].config.timeout: expected a duration from 0ms to "
                       "60000ms (\"300ms\", \"1.5s\" or an integer of milliseconds), got \"2m\"");
  // config_new returned a config; the host rejected it and destroyed it.
  EXPECT_EQ(fakeHost().log_messages, std::vector<std::string>{"typed_config: config_destroy"});
}

TEST_F(ModuleLoaderTest, TypedConfigAcceptsAValidConfig) {
  auto module = loadOrFail("typed_config");
  ASSERT_NE(module, nullptr);
  TestConfig input(R"({"threshold": 7, "timeout": "1.5s"})", "typed");
  std::string error;
  auto config = FilterConfig::create(module, input.context(), kContext, &error);
  ASSERT_NE(config, nullptr) << error;
  FakeStream stream;
  FakeHeaders headers;
  void* stream_context = nullptr;
  ASSERT_EQ(module->table->stream_new(stream.handle(), config->config(), &stream_context), SY_OK);
  module->table->response_headers(stream.handle(), stream_context, headers.handle(), 1);
  EXPECT_EQ(headers.values("x-threshold"), std::vector<std::string>{"7"});
}

TEST_F(ModuleLoaderTest, AModuleBuiltAgainstAbi11StillGetsItsConfigAsJsonText) {
  auto module = loadOrFail("old_abi_1_1");
  ASSERT_NE(module, nullptr);
  EXPECT_EQ(module->abi.minor, 1);
  TestConfig input(R"({"echo_and_reject": [1, "two", {"three": true}]})", "old");
  std::string error;
  EXPECT_EQ(FilterConfig::create(module, input.context(), kContext, &error), nullptr);
  expectContains(error, {R"(got JSON text: {"echo_and_reject":[1,"two",{"three":true}]})"});
  TestConfig empty("{}", "old");
  EXPECT_NE(FilterConfig::create(module, empty.context(), kContext, &error), nullptr) << error;
}

TEST_F(ModuleLoaderTest, AModuleBuiltAgainstAbi12ReadsTypedConfigAndAsksForRequestReplay) {
  auto module = loadOrFail("old_abi_1_2");
  ASSERT_NE(module, nullptr);
  EXPECT_EQ(module->abi.major, 1);
  EXPECT_EQ(module->abi.minor, 2);
  // Asked for explicitly through 1.2's capabilities, not implied.
  EXPECT_EQ(module->table->capabilities, static_cast<uint32_t>(SY_CAPABILITY_REQUEST_REPLAY));
  EXPECT_TRUE(module->asksForRequestReplay());

  // A bad config: every problem named by its field's path.
  TestConfig bad(R"({"retry_status": 700, "tag": 7, "retries": 1})", "old12",
                 "demo.yaml: listeners[0].filters[2].config");
  std::string error;
  EXPECT_EQ(FilterConfig::create(module, bad.context(), kContext, &error), nullptr);
  expectContains(error, {"(config_rejected)", fixturePath("old_abi_1_2"),
                         "demo.yaml: listeners[0].filters[2].config.retries: unknown field (expected retry_status "
                         "or tag)",
                         "demo.yaml: listeners[0].filters[2].config.retry_status: expected an integer from 100 to "
                         "599, got 700",
                         "demo.yaml: listeners[0].filters[2].config.tag: expected a string"});

  // A good one: the typed values reach the hooks.
  TestConfig good(R"({"retry_status": 502, "tag": "blue"})", "old12");
  auto config = FilterConfig::create(module, good.context(), kContext, &error);
  ASSERT_NE(config, nullptr) << error;
  FakeStream stream;
  void* stream_context = nullptr;
  ASSERT_EQ(module->table->stream_new(stream.handle(), config->config(), &stream_context), SY_OK);
  sy_attempt_info attempt{};
  attempt.size = sizeof attempt;
  attempt.outcome = SY_ATTEMPT_RESPONSE;
  attempt.number = 1;
  attempt.status = 503;  // not retry_status
  module->table->attempt_finished(stream.handle(), stream_context, &attempt);
  EXPECT_TRUE(fakeHost().retries.empty());
  attempt.status = 502;  // retried once...
  module->table->attempt_finished(stream.handle(), stream_context, &attempt);
  EXPECT_EQ(fakeHost().retries.size(), 1u);
  EXPECT_TRUE(stream.response_flags.empty());
  attempt.number = 2;  // ...then let through, flagged
  module->table->attempt_finished(stream.handle(), stream_context, &attempt);
  EXPECT_EQ(fakeHost().retries.size(), 1u);
  EXPECT_EQ(stream.response_flags, std::vector<std::string>{"URX"});
  fakeHost().attempt_count = 2;
  FakeHeaders headers;
  EXPECT_EQ(module->table->response_headers(stream.handle(), stream_context, headers.handle(), 1),
            SY_FILTER_CONTINUE);
  EXPECT_EQ(headers.values("x-built-against-1-2"), std::vector<std::string>{"switchyard ABI 1.2"});
  EXPECT_EQ(headers.values("x-attempts-seen-by-1-2"), std::vector<std::string>{"2"});
  EXPECT_EQ(headers.values("x-retried-by-1-2"), std::vector<std::string>{"yes"});
  EXPECT_EQ(headers.values("x-tag-1-2"), std::vector<std::string>{"blue"});
  module->table->stream_destroy(stream_context);
}

TEST_F(ModuleLoaderTest, NotFoundListsEveryDirectorySearched) {
  ModuleLoader loader({"/nonexistent/first", fixtureDir()}, fakeHostTable());
  std::string error;
  LoadError kind{};
  EXPECT_EQ(loader.load("no_such_filter", "", kContext, &error, &kind), nullptr);
  EXPECT_EQ(kind, LoadError::kNotFound);
  EXPECT_EQ(error.rfind(kContext + ": ", 0), 0u) << error;
  expectContains(error, {"no_such_filter.so", "no_such_filter/no_such_filter.so", "/nonexistent/first, " + fixtureDir()});
}

TEST_F(ModuleLoaderTest, NotFoundNamesAMissingExplicitPath) {
  Failure failure = loadExpectingFailure("counter", "/nonexistent/counter.so");
  EXPECT_EQ(failure.kind, LoadError::kNotFound);
  expectContains(failure.message, {"/nonexistent/counter.so"});
}

TEST_F(ModuleLoaderTest, RefusesNamesThatCouldLeaveTheSearchPath) {
  for (const char* name : {"../abi/counter", "/etc/passwd", "sub/counter", "Counter", "counter.so", ""}) {
    Failure failure = loadExpectingFailure(name);
    EXPECT_EQ(failure.kind, LoadError::kInvalidName) << name;
    expectContains(failure.message, {std::string("'").append(name).append("'")});
  }
  EXPECT_TRUE(loader_.loadedModules().empty());
}

TEST_F(ModuleLoaderTest, LoadingTwiceReturnsTheSameModule) {
  auto first = loadOrFail("counter");
  auto again = loadOrFail("counter");
  auto by_path = loadOrFail("counter", fixtureDir() + "/../abi/counter.so");
  EXPECT_EQ(first, again);
  EXPECT_EQ(first, by_path);
  ASSERT_EQ(loader_.loadedModules().size(), 1u);
  int module_inits = 0;
  for (const auto& line : fakeHost().log_messages) module_inits += line == "counter: module_init";
  EXPECT_EQ(module_inits, 1);
}

TEST_F(ModuleLoaderTest, ListsLoadedModulesForTheAdminEndpoint) {
  loadOrFail("counter");
  loadOrFail("old_abi_1_0");
  auto modules = loader_.loadedModules();
  ASSERT_EQ(modules.size(), 2u);
  EXPECT_EQ(modules[0].name, "counter");
  EXPECT_EQ(modules[0].version, "0.1.0");
  EXPECT_EQ(modules[0].path, fixturePath("counter"));
  EXPECT_EQ(modules[0].abi.major, SY_ABI_VERSION_MAJOR);
  EXPECT_EQ(modules[1].name, "old_abi_1_0");
}

TEST_F(ModuleLoaderTest, FindsModulesInTheBuildTreesNestedLayout) {
  ModuleLoader loader({SY_MODULE_BUILD_DIR}, fakeHostTable());
  std::string error;
  auto module = loader.load("headers", "", kContext, &error);
  ASSERT_NE(module, nullptr) << error;
  EXPECT_EQ(module->name, "headers");
  EXPECT_EQ(std::filesystem::path(module->path).filename(), "headers.so");
  EXPECT_EQ(std::filesystem::path(module->path).parent_path().filename(), "headers");
}

TEST_F(ModuleLoaderTest, KeepsLoadingAModuleBuiltAgainstTheFrozenAbi10Header) {
  auto module = loadOrFail("old_abi_1_0");
  ASSERT_NE(module, nullptr);
  EXPECT_EQ(module->abi.major, 1);
  EXPECT_EQ(module->abi.minor, 0);
  TestConfig input("{}", "old");
  std::string error;
  auto config = FilterConfig::create(module, input.context(), kContext, &error);
  ASSERT_NE(config, nullptr) << error;
  ASSERT_NE(module->table->response_headers, nullptr);
  FakeHeaders headers;
  FakeStream stream;
  EXPECT_EQ(module->table->response_headers(stream.handle(), nullptr, headers.handle(), 1), SY_FILTER_CONTINUE);
  EXPECT_EQ(headers.values("x-built-against"), std::vector<std::string>{"switchyard ABI 1.0"});
}

TEST_F(ModuleLoaderTest, HooksPastTheModulesTableSizeReadAsAbsent) {
  auto module = loadOrFail("truncated_table");
  ASSERT_NE(module, nullptr);
  EXPECT_LT(module->table->size, sizeof(sy_filter_module));
  EXPECT_NE(module->table->config_destroy, nullptr);
  EXPECT_EQ(module->table->stream_new, nullptr);
  EXPECT_EQ(module->table->stream_complete, nullptr);
}

TEST_F(ModuleLoaderTest, CallsLifecycleHooksOnceEachAndShutsDownLast) {
  using Log = std::vector<std::string>;
  const auto& log = fakeHost().log_messages;
  std::shared_ptr<const FilterConfig> config;
  {
    ModuleLoader loader({fixtureDir()}, fakeHostTable());
    std::string error;
    auto module = loader.load("counter", "", kContext, &error);
    ASSERT_NE(module, nullptr) << error;
    TestConfig input("{}", "edge_counter");
    config = FilterConfig::create(module, input.context(), kContext, &error);
    ASSERT_NE(config, nullptr) << error;
    EXPECT_EQ(fakeHost().metric_names, (Log{"edge_counter.requests", "edge_counter.observed"}));

    FakeStream stream;
    FakeHeaders headers;
    void* stream_context = nullptr;
    ASSERT_EQ(module->table->stream_new(stream.handle(), config->config(), &stream_context), SY_OK);
    module->table->request_headers(stream.handle(), stream_context, headers.handle(), 1);
    module->table->request_headers(stream.handle(), stream_context, headers.handle(), 1);
    EXPECT_EQ(fakeHost().metric_totals[0], 2);
  }
  // The loader is gone, but the config still holds the module.
  EXPECT_EQ(log, (Log{"counter: module_init", "counter: config_new"}));
  config.reset();
  EXPECT_EQ(log, (Log{"counter: module_init", "counter: config_new", "counter: config_destroy",
                      "counter: module_shutdown"}));
}

TEST(ModuleLoaderDefaults, SearchesNextToTheExecutableThenTheInstallDirectory) {
  auto dirs = ModuleLoader::defaultSearchPath();
  ASSERT_EQ(dirs.size(), 2u);
  EXPECT_EQ(std::filesystem::path(dirs[0]).filename(), "modules");
  EXPECT_EQ(dirs[0].find(".."), std::string::npos) << dirs[0];
  EXPECT_FALSE(dirs[1].empty());
}

}  // namespace
}  // namespace switchyard::module
