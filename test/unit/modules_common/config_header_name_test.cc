// modules/common/config_header_name.c: the header-name reader that the
// headers and retry configs share. The modules' tests check the messages in
// context; these pin the reader itself (what it copies, what it refuses,
// and that it leaves the outputs alone when it refuses).
#include "config_header_name.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "json_tree.h"

namespace {

struct Result {
  int ok = 0;
  std::string name;
  size_t length = 0;
  bool name_set = false;
  std::string error;
};

Result read(const std::string& json) {
  Result result;
  JsonTree tree = ParseJsonTree(json);
  if (tree == nullptr) return result;
  char text[256] = "";
  config_error error = {text, sizeof text};
  char* name = nullptr;
  size_t length = 12345;
  result.ok = config_read_header_name(&error, tree.get(), "request.set[0].name", &name, &length);
  result.name_set = name != nullptr;
  if (name != nullptr) result.name.assign(name, length);
  result.length = length;
  result.error = text;
  std::free(name);
  return result;
}

TEST(ConfigReadHeaderName, CopiesATokenAsWritten) {
  Result result = read(R"("X-Request-Id")");
  EXPECT_EQ(result.ok, 1);
  EXPECT_EQ(result.name, "X-Request-Id");
  EXPECT_EQ(result.length, 12u);
  EXPECT_EQ(result.error, "");
}

TEST(ConfigReadHeaderName, RefusesOtherTypes) {
  Result result = read("42");
  EXPECT_EQ(result.ok, 0);
  EXPECT_FALSE(result.name_set);
  EXPECT_EQ(result.length, 12345u);
  EXPECT_EQ(result.error, "request.set[0].name: expected a header name (string), got number");
  EXPECT_EQ(read("[]").error, "request.set[0].name: expected a header name (string), got array");
}

TEST(ConfigReadHeaderName, RefusesNonTokens) {
  Result result = read(R"("x a")");
  EXPECT_EQ(result.ok, 0);
  EXPECT_FALSE(result.name_set);
  EXPECT_EQ(result.length, 12345u);
  EXPECT_EQ(result.error, "request.set[0].name: \"x a\" is not a valid header name (an HTTP token)");
  EXPECT_EQ(read(R"("")").error, "request.set[0].name: \"\" is not a valid header name (an HTTP token)");
  EXPECT_EQ(read(R"(":authority")").error,
            "request.set[0].name: \":authority\" is not a valid header name (an HTTP token)");
}

}  // namespace
