// The host table's header calls as a module sees them: what may be set, and
// that refused values leave the map unchanged.
#include "module/host_api.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace switchyard::module {
namespace {

sy_slice slice(const char* text) { return sy_slice{text, std::char_traits<char>::length(text)}; }

class HostApiHeadersTest : public ::testing::Test {
 protected:
  sy_result set(const char* name, const char* value) {
    return hostApi()->header_set(asHandle(&headers_), slice(name), slice(value));
  }
  http::HeaderMap headers_;
};

TEST_F(HostApiHeadersTest, StatusMustBeThreeDigitsFrom100To599) {
  EXPECT_EQ(set(":status", "204"), SY_OK);
  EXPECT_EQ(headers_.get(":status").value_or(""), "204");
  for (const char* bad : {"20", "2040", "abc", "099", "600", "2x4", ""}) {
    EXPECT_EQ(set(":status", bad), SY_ERR_INVALID_ARGUMENT) << bad;
  }
  EXPECT_EQ(headers_.get(":status").value_or(""), "204");
}

TEST_F(HostApiHeadersTest, OnlyKnownPseudoHeadersCanBeSet) {
  for (const char* name : {":method", ":path", ":authority", ":scheme"}) {
    EXPECT_EQ(set(name, "x"), SY_OK) << name;
    EXPECT_EQ(set(name, ""), SY_ERR_INVALID_ARGUMENT) << name;
  }
  EXPECT_EQ(set(":protocol", "websocket"), SY_ERR_INVALID_ARGUMENT);
  EXPECT_FALSE(headers_.get(":protocol"));
}

TEST_F(HostApiHeadersTest, ValuesMayNotCarryLineBreaksOrNul) {
  EXPECT_EQ(set("x-a", "ok value"), SY_OK);
  EXPECT_EQ(set("x-a", "bad\r\nx-injected: 1"), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(hostApi()->header_set(asHandle(&headers_), slice("x-a"), sy_slice{"a\0b", 3}), SY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(headers_.get("x-a").value_or(""), "ok value");
  EXPECT_EQ(set("bad name", "v"), SY_ERR_INVALID_ARGUMENT);
}

TEST_F(HostApiHeadersTest, NeitherSetNorAddCanInjectAFieldLine) {
  // A filter that builds a value from client data (an address, a copied
  // header) cannot end the field line early, wherever the break sits.
  for (std::string_view bad : {std::string_view("\r\nx-injected: 1"), std::string_view("a\rb"),
                               std::string_view("a\nb"), std::string_view("ab\r\n"),
                               std::string_view("a\0b", 3), std::string_view("\n")}) {
    sy_slice value{bad.data(), bad.size()};
    EXPECT_EQ(hostApi()->header_add(asHandle(&headers_), slice("x-a"), value), SY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(hostApi()->header_set(asHandle(&headers_), slice("x-a"), value), SY_ERR_INVALID_ARGUMENT);
  }
  EXPECT_TRUE(headers_.empty());
}

}  // namespace
}  // namespace switchyard::module
