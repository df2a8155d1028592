// modules/common/http_field.c: the header name and value checks that the
// headers, timeout and retry configs share.
#include "http_field.h"

#include <gtest/gtest.h>

#include <string>

namespace {

bool token(const std::string& text) { return http_is_token(text.data(), text.size()) != 0; }
bool safeValue(const std::string& text) { return http_is_safe_field_value(text.data(), text.size()) != 0; }

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

TEST(HttpSafeFieldValue, AcceptsAnythingButCrLfAndNul) {
  EXPECT_TRUE(safeValue(""));
  EXPECT_TRUE(safeValue("by %LISTENER% at 100%, \t caf\xc3\xa9"));
  EXPECT_FALSE(safeValue("a\rb"));
  EXPECT_FALSE(safeValue("a\nb"));
  EXPECT_FALSE(safeValue(std::string("a\0b", 3)));
}

}  // namespace
