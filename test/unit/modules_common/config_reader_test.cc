// modules/common/config_reader.c over the core's typed config calls (through
// the fake host): the helpers the headers, timeout and retry configs share.
// The modules' own tests check their messages in context; these pin the
// helpers (what they copy, what they refuse, that a refusal leaves the
// outputs alone, and that every error names its field path).
#include "config_reader.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "fake_host.h"

namespace {

using switchyard::fake_host::fakeHostTable;
using switchyard::fake_host::TestConfig;
using switchyard::fake_host::truncatedTable;
using Errors = std::vector<std::string>;

class ConfigReaderTest : public ::testing::Test {
 protected:
  explicit ConfigReaderTest(const std::string& json = R"({"name": "X-Request-Id", "bad": "x a", "number": 42,
                                                         "empty": "", "nested": {"a": 1}})")
      : input_(json, "", "demo.yaml: listeners[0].filters[0].config") {}

  const sy_config_value* field(const char* name) { return config_field(&reader_, root(), name); }
  const sy_config_value* root() { return fakeHostTable()->config_root(input_.context()); }

  TestConfig input_;
  config_reader reader_ = {fakeHostTable(), input_.context()};
};

TEST_F(ConfigReaderTest, FieldFindsMembersByCStringName) {
  EXPECT_NE(field("name"), nullptr);
  EXPECT_EQ(field("missing"), nullptr);
  EXPECT_EQ(fakeHostTable()->config_kind(field("nested")), SY_CONFIG_OBJECT);
  EXPECT_TRUE(input_.errors().empty());
}

TEST_F(ConfigReaderTest, ReadHeaderNameCopiesATokenAsWritten) {
  char* name = nullptr;
  size_t length = 0;
  EXPECT_EQ(config_read_header_name(&reader_, field("name"), &name, &length), SY_OK);
  EXPECT_STREQ(name, "X-Request-Id");
  EXPECT_EQ(length, 12u);
  std::free(name);
  EXPECT_TRUE(input_.errors().empty());
}

TEST_F(ConfigReaderTest, ReadHeaderNameRefusesNonTokensAndOtherKindsLeavingTheOutputsAlone) {
  char* name = nullptr;
  size_t length = 12345;
  EXPECT_EQ(config_read_header_name(&reader_, field("bad"), &name, &length), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(config_read_header_name(&reader_, field("empty"), &name, &length), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(config_read_header_name(&reader_, field("number"), &name, &length), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(name, nullptr);
  EXPECT_EQ(length, 12345u);
  EXPECT_EQ(input_.errors(),
            (Errors{"demo.yaml: listeners[0].filters[0].config.bad: \"x a\" is not a valid header name (an HTTP "
                    "token)",
                    "demo.yaml: listeners[0].filters[0].config.empty: \"\" is not a valid header name (an HTTP "
                    "token)",
                    "demo.yaml: listeners[0].filters[0].config.number: expected a string, got 42"}));
}

TEST_F(ConfigReaderTest, ReadHeaderNameOfAnAbsentFieldIsNotFoundAndNoError) {
  char* name = nullptr;
  size_t length = 0;
  EXPECT_EQ(config_read_header_name(&reader_, field("missing"), &name, &length), SY_ERR_NOT_FOUND);
  EXPECT_TRUE(input_.errors().empty());
}

TEST_F(ConfigReaderTest, ErrorfFormatsOntoTheValuesPathOrTheWholeConfig) {
  config_errorf(&reader_, field("number"), "%d is %s", 42, "too many");
  config_errorf(&reader_, nullptr, "needs %s", "something");
  EXPECT_EQ(input_.errors(), (Errors{"demo.yaml: listeners[0].filters[0].config.number: 42 is too many",
                                     "demo.yaml: listeners[0].filters[0].config: needs something"}));
}

TEST_F(ConfigReaderTest, ErrorfCutsAVeryLongMessage) {
  config_errorf(&reader_, nullptr, "%s", std::string(2000, 'x').c_str());
  ASSERT_EQ(input_.errors().size(), 1u);
  EXPECT_LT(input_.errors()[0].size(), 600u);
}

TEST_F(ConfigReaderTest, CopyIsNulTerminatedAndKeepsEmbeddedBytes) {
  char* copy = config_copy(&reader_, nullptr, sy_slice{"a\0b", 3});
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(std::string(copy, 4), std::string("a\0b\0", 4));
  std::free(copy);
}

TEST_F(ConfigReaderTest, CheckFieldsNamesEveryUnknownMember) {
  const char* const known[] = {"name", "number"};
  EXPECT_EQ(config_check_fields(&reader_, root(), known, 2), 0);
  EXPECT_EQ(input_.errors(),
            (Errors{"demo.yaml: listeners[0].filters[0].config.bad: unknown field (expected name or number)",
                    "demo.yaml: listeners[0].filters[0].config.empty: unknown field (expected name or number)",
                    "demo.yaml: listeners[0].filters[0].config.nested: unknown field (expected name or number)"}));
  const char* const nested_known[] = {"a"};
  EXPECT_EQ(config_check_fields(&reader_, field("nested"), nested_known, 1), 1);
  EXPECT_EQ(config_check_fields(&reader_, field("missing"), nested_known, 1), 1);
}

TEST(ConfigReaderHost, TypedAccessNeedsEveryCallOfAbi12) {
  EXPECT_TRUE(config_host_has_typed_access(fakeHostTable()));
  const sy_host_api host_1_1 = truncatedTable(offsetof(sy_host_api, config_root), 1);
  EXPECT_FALSE(config_host_has_typed_access(&host_1_1));
  const sy_host_api almost = truncatedTable(offsetof(sy_host_api, config_error_count), 2);
  EXPECT_FALSE(config_host_has_typed_access(&almost));
  sy_host_api missing_one = *fakeHostTable();
  missing_one.config_visit_strings = nullptr;
  EXPECT_FALSE(config_host_has_typed_access(&missing_one));
  char error[256] = "";
  EXPECT_EQ(config_refuse_host(&host_1_1, "demo", error, sizeof error), SY_ERR_UNSUPPORTED);
  EXPECT_STREQ(error,
               "demo reads its config through the typed config calls of filter ABI 1.2 (config_root and the "
               "rest), but this host (ABI 1.1) does not provide them");
}

}  // namespace
