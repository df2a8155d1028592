// GET /config_dump's JSON: the loaded config with secrets redacted, filter
// configs included.
#include "config/config_dump.h"

#include <gtest/gtest.h>

#include "config/config_loader.h"

namespace switchyard::config {
namespace {

TEST(ConfigDump, SecretLookingNamesAreRecognised) {
  for (const char* name : {"authorization", "Authorization", "x-api-key", "api_key", "client_secret", "password",
                           "db_passwd", "access_token", "credentials"}) {
    EXPECT_TRUE(looksSecret(name)) << name;
  }
  for (const char* name : {"name", "value", "x-request-id", "cluster", "path", "host"}) {
    EXPECT_FALSE(looksSecret(name)) << name;
  }
}

TEST(ConfigDump, RedactsSecretKeysAndTheValuesOfSecretNamedHeaders) {
  std::string yaml = R"(
listeners:
  - name: http
    port: 8080
    filters:
      - name: headers
        config:
          request_headers_to_add:
            - {name: authorization, value: "Bearer abc"}
            - {name: x-env, value: prod}
          api_key: k123
          retries: 3
    virtual_hosts:
      - domains: ['*']
        routes:
          - match: {prefix: /, headers: [{name: x-auth-token, exact: s3cr3t}]}
            route: {cluster: backend}
clusters:
  - name: backend
    endpoints: [{address: 127.0.0.1, port: 9000}]
)";
  LoadedConfig loaded = loadConfigText(yaml, "test.yaml", ConfigFormat::kYaml);
  ASSERT_TRUE(loaded.ok()) << loaded.errors[0];
  std::string dump = redactedConfigJson(*loaded.bootstrap);
  for (const char* secret : {"Bearer abc", "k123", "s3cr3t"}) {
    EXPECT_EQ(dump.find(secret), std::string::npos) << secret << " in\n" << dump;
  }
  for (const char* kept : {"\"authorization\"", "\"x-auth-token\"", "\"prod\"", "\"backend\"", "3", "8080"}) {
    EXPECT_NE(dump.find(kept), std::string::npos) << kept << " missing from\n" << dump;
  }
  EXPECT_NE(dump.find("[redacted]"), std::string::npos);
}

}  // namespace
}  // namespace switchyard::config
