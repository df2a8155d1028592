// The hash key of a request: which value each hash_policy yields (a
// header, a cookie among several, the client's address), policies tried in
// order with the first value winning, and no key when none yields one.
#include "router/hash_key.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "common/stable_hash.h"

namespace switchyard::router {
namespace {

constexpr std::string_view kClientIp = "192.0.2.7";

// Policies from their text-format config, e.g. `header { header_name: "x-user" }`.
std::vector<HashPolicy> policies(std::initializer_list<std::string_view> texts) {
  std::vector<HashPolicy> compiled;
  for (std::string_view text : texts) {
    config::HashPolicy proto;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(std::string(text), &proto)) << text;
    compiled.push_back(compileHashPolicy(proto));
  }
  return compiled;
}

http::HeaderMap requestWith(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  http::HeaderMap headers;
  headers.add(":method", "GET");
  headers.add(":path", "/");
  headers.add(":authority", "example.com");
  for (const auto& [name, value] : fields) headers.add(name, value);
  return headers;
}

std::optional<uint64_t> keyOf(std::string_view value) { return stableHash(value); }

const auto kUserHeader = R"(header { header_name: "x-user" })";
const auto kSessionCookie = R"(cookie { name: "session" })";
const auto kSourceIp = R"(connection_properties { source_ip: true })";

TEST(HashKey, HeaderValueIsTheKey) {
  auto headers = requestWith({{"X-User", "alice"}});
  EXPECT_EQ(requestHashKey(policies({kUserHeader}), headers, kClientIp), keyOf("alice"));
}

TEST(HashKey, OnlyTheFirstLineOfARepeatedHeaderCounts) {
  auto headers = requestWith({{"x-user", "alice"}, {"x-user", "bob"}});
  EXPECT_EQ(requestHashKey(policies({kUserHeader}), headers, kClientIp), keyOf("alice"));
}

TEST(HashKey, AnEmptyOrMissingHeaderGivesNoKey) {
  EXPECT_EQ(requestHashKey(policies({kUserHeader}), requestWith({{"x-user", ""}}), kClientIp), std::nullopt);
  EXPECT_EQ(requestHashKey(policies({kUserHeader}), requestWith({}), kClientIp), std::nullopt);
}

TEST(HashKey, CookieIsFoundAmongSeveralWithOrWithoutSpaces) {
  for (std::string_view cookie : {"session=abc", "theme=dark; session=abc; lang=en", "theme=dark;session=abc",
                                  "  session = abc  ;theme=dark", "theme=dark;\tsession=abc\t"}) {
    EXPECT_EQ(requestHashKey(policies({kSessionCookie}), requestWith({{"cookie", cookie}}), kClientIp),
              keyOf("abc"))
        << cookie;
  }
}

TEST(HashKey, CookieNamesMatchExactlyAndCaseSensitively) {
  for (std::string_view cookie :
       {"Session=abc", "old_session=abc", "sessionx=abc", "session", "x=session=abc"}) {
    EXPECT_EQ(requestHashKey(policies({kSessionCookie}), requestWith({{"cookie", cookie}}), kClientIp),
              std::nullopt)
        << cookie;
  }
}

TEST(HashKey, TheFirstCookieOfTheNameWinsAcrossCookieLines) {
  auto headers =
      requestWith({{"Cookie", "theme=dark"}, {"cookie", "session=first"}, {"cookie", "session=second"}});
  EXPECT_EQ(requestHashKey(policies({kSessionCookie}), headers, kClientIp), keyOf("first"));
}

TEST(HashKey, AnEmptyCookieGivesNoKey) {
  EXPECT_EQ(requestHashKey(policies({kSessionCookie}), requestWith({{"cookie", "session=; a=b"}}), kClientIp),
            std::nullopt);
}

TEST(HashKey, SourceIpIsTheClientAddress) {
  EXPECT_EQ(requestHashKey(policies({kSourceIp}), requestWith({}), kClientIp), keyOf(kClientIp));
  EXPECT_EQ(requestHashKey(policies({kSourceIp}), requestWith({}), ""), std::nullopt);
}

TEST(HashKey, PoliciesAreTriedInOrderAndTheFirstValueWins) {
  auto chain = policies({kSessionCookie, kUserHeader, kSourceIp});
  EXPECT_EQ(requestHashKey(chain, requestWith({{"cookie", "session=abc"}, {"x-user", "alice"}}), kClientIp),
            keyOf("abc"));
  EXPECT_EQ(requestHashKey(chain, requestWith({{"cookie", "theme=dark"}, {"x-user", "alice"}}), kClientIp),
            keyOf("alice"));
  EXPECT_EQ(requestHashKey(chain, requestWith({}), kClientIp), keyOf(kClientIp));
  // The order is the config's, not a fixed precedence.
  auto reversed = policies({kUserHeader, kSessionCookie});
  EXPECT_EQ(
      requestHashKey(reversed, requestWith({{"cookie", "session=abc"}, {"x-user", "alice"}}), kClientIp),
      keyOf("alice"));
}

TEST(HashKey, NoPolicyOrNoValueGivesNoKey) {
  EXPECT_EQ(requestHashKey({}, requestWith({{"x-user", "alice"}}), kClientIp), std::nullopt);
  EXPECT_EQ(
      requestHashKey(policies({kUserHeader, kSessionCookie}), requestWith({{"x-other", "1"}}), kClientIp),
      std::nullopt);
}

// The key must not depend on the build: workers, proxies and releases all
// send a value to the same host. Pinned values catch a changed hash.
TEST(HashKey, KeysAreStableAcrossBuilds) {
  EXPECT_EQ(stableHash(""), 0xf52a15e9a9b5e89bull);
  EXPECT_EQ(stableHash("alice"), 0xc5d1556d66774a5cull);
  EXPECT_EQ(stableHash("192.0.2.7"), 0x6053c3970e6a076dull);
}

}  // namespace
}  // namespace switchyard::router
