// retry_method_is_idempotent: RFC 9110's idempotent methods, exactly.
#include "retry_method.h"

#include <gtest/gtest.h>

#include <string>

namespace switchyard::retry_test {
namespace {

bool idempotent(const std::string& method) {
  return retry_method_is_idempotent(method.data(), method.size());
}

TEST(RetryMethodTest, IdempotentMethods) {
  for (const char* method : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}) {
    EXPECT_TRUE(idempotent(method)) << method;
  }
}

TEST(RetryMethodTest, EverythingElseIsNot) {
  for (const char* method : {"POST", "PATCH", "CONNECT", "get", "Get", "GETS", "GE", "", "PROPFIND"}) {
    EXPECT_FALSE(idempotent(method)) << method;
  }
}

}  // namespace
}  // namespace switchyard::retry_test
