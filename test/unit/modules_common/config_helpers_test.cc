// modules/common/config_errors.c and http_token.c: the error plumbing and the
// header-name check that the headers, timeout and retry configs share. The
// modules' own tests check their messages; these pin the helpers' edges
// (cutting to fit, quoting limits, the token alphabet).
#include <gtest/gtest.h>

#include <climits>
#include <cstddef>
#include <cstring>
#include <string>

#include "config_errors.h"
#include "http_token.h"

namespace {

TEST(ConfigErrors, FailWritesTheMessageAndReturnsZero) {
  char text[64] = "";
  config_error error = {text, sizeof text};
  EXPECT_EQ(config_fail(&error, "%s: expected %d", "num_retries", 3), 0);
  EXPECT_STREQ(text, "num_retries: expected 3");
}

TEST(ConfigErrors, FailCutsALongMessageToFit) {
  char text[8] = "";
  config_error error = {text, sizeof text};
  EXPECT_EQ(config_fail(&error, "%s", "0123456789"), 0);
  EXPECT_STREQ(text, "0123456");
}

TEST(ConfigErrors, OutOfMemory) {
  char text[64] = "";
  config_error error = {text, sizeof text};
  EXPECT_EQ(config_out_of_memory(&error), 0);
  EXPECT_STREQ(text, "out of memory");
}

TEST(ConfigErrors, FormatFieldBuildsAndCutsPaths) {
  char field[16];
  config_format_field(field, sizeof field, "%s[%zu].%s", "set", static_cast<size_t>(2), "name");
  EXPECT_STREQ(field, "set[2].name");
  config_format_field(field, sizeof field, "%s.%s", "response", "a_very_long_member");
  EXPECT_STREQ(field, "response.a_very");
}

TEST(ConfigErrors, QuoteLengthStopsAtTheLimitAndAtIntMax) {
  EXPECT_EQ(config_quote_length(5, 40), 5);
  EXPECT_EQ(config_quote_length(40, 40), 40);
  EXPECT_EQ(config_quote_length(41, 40), 40);
  EXPECT_EQ(config_quote_length(0, 64), 0);
  EXPECT_EQ(config_quote_length(static_cast<size_t>(INT_MAX) + 10, static_cast<size_t>(-1)), INT_MAX);
}

bool token(const std::string& text) { return http_is_token(text.data(), text.size()) != 0; }

TEST(HttpToken, AcceptsHeaderNames) {
  EXPECT_TRUE(token("x-request-id"));
  EXPECT_TRUE(token("Content-Type"));
  EXPECT_TRUE(token("!#$%&'*+-.^_`|~09azAZ"));
}

TEST(HttpToken, RejectsEmptyControlSpaceAndDelimiters) {
  EXPECT_FALSE(token(""));
  EXPECT_FALSE(token("x a"));
  EXPECT_FALSE(token("x\ta"));
  EXPECT_FALSE(token(std::string("x\0a", 3)));
  EXPECT_FALSE(token("x\x7f"));
  EXPECT_FALSE(token("caf\xc3\xa9"));
  for (const char* delimiter = "\"(),/:;<=>?@[\\]{}"; *delimiter != '\0'; ++delimiter) {
    EXPECT_FALSE(token(std::string("x") + *delimiter)) << *delimiter;
  }
  EXPECT_FALSE(token(":authority"));
}

}  // namespace
