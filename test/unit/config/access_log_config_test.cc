// Listener access_log entries: loaded from a file, every problem reported
// with the file and the field path.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config_loader.h"

namespace switchyard::config {
namespace {

using Errors = std::vector<std::string>;

Errors errorsWithAccessLog(const std::string& access_log_yaml) {
  std::string yaml =
      "listeners:\n"
      "  - name: http\n"
      "    port: 8080\n"
      "    virtual_hosts:\n"
      "      - domains: ['*']\n"
      "        routes: [{match: {prefix: /}, route: {cluster: backend}}]\n"
      "    access_log:\n" +
      access_log_yaml +
      "clusters:\n"
      "  - name: backend\n"
      "    endpoints: [{address: 127.0.0.1, port: 9000}]\n";
  return loadConfigText(yaml, "test.yaml", ConfigFormat::kYaml).errors;
}

TEST(AccessLogConfig, ValidEntriesLoad) {
  EXPECT_EQ(errorsWithAccessLog("      - path: /dev/stdout\n"
                                "      - path: /tmp/a.log\n"
                                "        format: '%REQ(:METHOD)% %RESPONSE_CODE%'\n"
                                "      - path: /tmp/b.log\n"
                                "        json_format: {status: '%RESPONSE_CODE%', path: '%REQ(:PATH):100%'}\n"),
            Errors{});
}

TEST(AccessLogConfig, PathIsRequired) {
  EXPECT_EQ(errorsWithAccessLog("      - format: '%RESPONSE_CODE%'\n"),
            Errors{"test.yaml: listeners[0].access_log[0].path: required (a file, /dev/stdout or /dev/stderr)"});
}

TEST(AccessLogConfig, AnUnknownOperatorNamesTheField) {
  EXPECT_EQ(errorsWithAccessLog("      - path: /dev/stdout\n"
                                "      - path: /dev/stdout\n"
                                "        format: '%RESPONSE_CODE% %NOPE%'\n"),
            Errors{"test.yaml: listeners[0].access_log[1].format: unknown operator %NOPE% at offset 16"});
}

TEST(AccessLogConfig, AJsonFormatErrorNamesTheKey) {
  EXPECT_EQ(errorsWithAccessLog("      - path: /dev/stdout\n"
                                "        json_format: {ok: '%DURATION%', bad: '%REQ()%'}\n"),
            Errors{"test.yaml: listeners[0].access_log[0].json_format.bad: \"\" is not a header name (or two "
                   "separated by '?') at offset 5"});
}

TEST(AccessLogConfig, FormatAndJsonFormatAreExclusive) {
  EXPECT_EQ(errorsWithAccessLog("      - path: /dev/stdout\n"
                                "        format: x\n"
                                "        json_format: {a: b}\n"),
            Errors{"test.yaml: listeners[0].access_log[0].json_format: give either format or json_format, not both"});
}

TEST(AccessLogConfig, UnknownFieldsAreSchemaErrors) {
  Errors errors = errorsWithAccessLog("      - path: /dev/stdout\n        formt: x\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("listeners[0].access_log[0].formt"), std::string::npos) << errors[0];
}

}  // namespace
}  // namespace switchyard::config
