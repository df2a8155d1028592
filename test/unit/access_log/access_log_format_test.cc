// Access log formats: parsed once, applied to plain request facts.
#include "access_log/access_log_format.h"

#include <gtest/gtest.h>

#include <vector>

namespace switchyard::access_log {
namespace {

class AccessLogFormatTest : public ::testing::Test {
 protected:
  AccessLogFormatTest() {
    // 2026-01-02T03:04:05.123456789Z
    facts_.start_time = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(1767323045123456789)));
    facts_.protocol = "HTTP/1.1";
    facts_.response_code = 503;
    facts_.response_flags = "UO";
    facts_.response_code_details = "upstream_overflow";
    facts_.bytes_received = 12;
    facts_.bytes_sent = 345;
    facts_.duration_ms = 67;
    facts_.upstream_service_time_ms = 8;
    facts_.upstream_host = "10.0.0.1:8080";
    facts_.upstream_cluster = "backend";
    facts_.route_name = "api";
    facts_.request_id = "req-1";
    facts_.attempt_count = 2;
    facts_.downstream_ip = "127.0.0.1";
    facts_.downstream_port = 54321;
  }

  // Formats `text` with the request and response header values given in
  // selection order.
  std::string format(std::string_view text, std::vector<std::pair<std::string, std::string>> request = {},
                     std::vector<std::pair<std::string, std::string>> response = {}) {
    HeaderSelection request_selection, response_selection;
    std::string error;
    auto parsed = FormatTemplate::parse(text, request_selection, response_selection, &error);
    EXPECT_TRUE(parsed) << error;
    if (!parsed) return "";
    request_values_ = values(request_selection, request);
    response_values_ = values(response_selection, response);
    facts_.request_headers = request_values_;
    facts_.response_headers = response_values_;
    std::string out;
    AccessLogFormat::text(std::move(*parsed)).format(facts_, out);
    return out;
  }

  static std::vector<std::string> values(const HeaderSelection& selection,
                                         const std::vector<std::pair<std::string, std::string>>& headers) {
    std::vector<std::string> out(selection.names().size());
    for (const auto& [name, value] : headers) {
      for (size_t i = 0; i < out.size(); ++i) {
        if (selection.names()[i] == name) out[i] = value;
      }
    }
    return out;
  }

  std::string parseError(std::string_view text) {
    HeaderSelection request, response;
    std::string error;
    EXPECT_FALSE(FormatTemplate::parse(text, request, response, &error)) << text;
    return error;
  }

  RequestFacts facts_;
  std::vector<std::string> request_values_, response_values_;
};

TEST_F(AccessLogFormatTest, EveryPlainOperatorHasItsValue) {
  EXPECT_EQ(format("%PROTOCOL% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%"),
            "HTTP/1.1 503 UO upstream_overflow\n");
  EXPECT_EQ(format("%BYTES_RECEIVED% %BYTES_SENT% %DURATION% %UPSTREAM_SERVICE_TIME%"), "12 345 67 8\n");
  EXPECT_EQ(format("%UPSTREAM_HOST% %UPSTREAM_CLUSTER% %ROUTE_NAME% %REQUEST_ID% %UPSTREAM_REQUEST_ATTEMPT_COUNT%"),
            "10.0.0.1:8080 backend api req-1 2\n");
  EXPECT_EQ(format("%DOWNSTREAM_REMOTE_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%"),
            "127.0.0.1:54321 127.0.0.1\n");
  facts_.downstream_ip = "::1";
  EXPECT_EQ(format("%DOWNSTREAM_REMOTE_ADDRESS%"), "[::1]:54321\n");
}

TEST_F(AccessLogFormatTest, StartTimeIsUtcWithMillisecondsByDefaultOrAnyStrftimeFormat) {
  EXPECT_EQ(format("%START_TIME%"), "2026-01-02T03:04:05.123Z\n");
  EXPECT_EQ(format("%START_TIME(%Y/%m/%d %H:%M:%S.%6f)%"), "2026/01/02 03:04:05.123456\n");
  EXPECT_EQ(format("%START_TIME(%S.%9f %%3f)%"), "05.123456789 %3f\n");
}

TEST_F(AccessLogFormatTest, HeadersWithAlternativeAndMaxLength) {
  EXPECT_EQ(format("%REQ(:METHOD)% %REQ(:PATH)% %REQ(User-Agent)%", {{":method", "GET"}, {":path", "/a?b"},
                                                                     {"user-agent", "curl/8"}}),
            "GET /a?b curl/8\n");
  EXPECT_EQ(format("%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%", {{":path", "/fallback"}}), "/fallback\n");
  EXPECT_EQ(format("%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%", {{":path", "/b"}, {"x-envoy-original-path", "/a"}}), "/a\n");
  EXPECT_EQ(format("%REQ(USER-AGENT):4%", {{"user-agent", "curl/8.1"}}), "curl\n");
  EXPECT_EQ(format("%RESP(CONTENT-TYPE)% %RESP(X-MISSING)%", {}, {{"content-type", "text/plain"}}),
            "text/plain -\n");
  EXPECT_EQ(format("%RESPONSE_FLAGS:1%"), "U\n");
}

TEST_F(AccessLogFormatTest, AbsentValuesAreADash) {
  facts_ = RequestFacts{};
  facts_.protocol = "HTTP/1.1";
  EXPECT_EQ(format("%RESPONSE_CODE% %RESPONSE_FLAGS% %UPSTREAM_HOST% %UPSTREAM_SERVICE_TIME% %ROUTE_NAME% %REQ(A)%"),
            "- - - - - -\n");
}

TEST_F(AccessLogFormatTest, LiteralTextIsKeptAndOneNewlineEndsTheLine) {
  EXPECT_EQ(format("code=%RESPONSE_CODE% done"), "code=503 done\n");
  EXPECT_EQ(format("%RESPONSE_CODE%\n"), "503\n");
  EXPECT_EQ(format("plain"), "plain\n");
}

TEST_F(AccessLogFormatTest, TheDefaultFormatParses) {
  std::string line = format(AccessLogFormat::kDefaultText, {{":method", "GET"}, {":path", "/x"},
                                                            {":authority", "h"}, {"user-agent", "ua"}});
  EXPECT_EQ(line,
            "[2026-01-02T03:04:05.123Z] \"GET /x HTTP/1.1\" 503 UO 12 345 67 8 \"-\" \"ua\" \"req-1\" \"h\" "
            "\"10.0.0.1:8080\"\n");
}

TEST_F(AccessLogFormatTest, HeaderSelectionsHoldEachNameOnceInLowercase) {
  HeaderSelection request, response;
  std::string error;
  ASSERT_TRUE(FormatTemplate::parse("%REQ(A?B)% %REQ(a)% %RESP(:STATUS)% %RESP(b)%", request, response, &error));
  EXPECT_EQ(request.names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(response.names(), (std::vector<std::string>{":status", "b"}));
}

TEST_F(AccessLogFormatTest, MalformedFormatsSayWhatAndWhere) {
  EXPECT_EQ(parseError("x %NOPE% y"), "unknown operator %NOPE% at offset 2");
  EXPECT_EQ(parseError("100%"), "'%' does not start an operator (such as %RESPONSE_CODE%) at offset 3");
  EXPECT_EQ(parseError("%REQ%"), "%REQ% needs a header name: %REQ(X)% at offset 4");
  EXPECT_EQ(parseError("%REQ(a b)%"), "\"a b\" is not a header name (or two separated by '?') at offset 5");
  EXPECT_EQ(parseError("%REQ(a?)%"), "\"a?\" is not a header name (or two separated by '?') at offset 5");
  EXPECT_EQ(parseError("%REQ(a%"), "%REQ( has no closing ')' at offset 4");
  EXPECT_EQ(parseError("%DURATION(x)%"), "%DURATION% takes no arguments at offset 9");
  EXPECT_EQ(parseError("%DURATION"), "%DURATION is not closed by '%' at offset 9");
  EXPECT_EQ(parseError("%REQ(a):0%"), "the length after ':' must be a number from 1 to 1048576 at offset 8");
  EXPECT_EQ(parseError("%REQ(a):x%"), "the length after ':' must be a number from 1 to 1048576 at offset 8");
}

TEST_F(AccessLogFormatTest, JsonLinesHaveTypedValuesInSortedKeyOrder) {
  HeaderSelection request, response;
  std::string error;
  std::map<std::string, FormatTemplate> fields;
  for (auto [key, text] : std::vector<std::pair<std::string, std::string>>{
           {"status", "%RESPONSE_CODE%"}, {"flags", "%RESPONSE_FLAGS%"}, {"agent", "%REQ(USER-AGENT)%"},
           {"line", "%REQ(:METHOD)% %REQ(:PATH)%"}, {"service", "%UPSTREAM_SERVICE_TIME%"}, {"fixed", "v1"},
           {"cut", "%RESPONSE_CODE:2%"}}) {
    auto parsed = FormatTemplate::parse(text, request, response, &error);
    ASSERT_TRUE(parsed) << error;
    fields.emplace(key, std::move(*parsed));
  }
  facts_.upstream_service_time_ms.reset();
  request_values_ = values(request, {{":method", "GET"}, {":path", "/q?a=\"b\""}});
  facts_.request_headers = request_values_;
  std::string out;
  AccessLogFormat::json(std::move(fields)).format(facts_, out);
  EXPECT_EQ(out,
            "{\"agent\":null,\"cut\":\"50\",\"fixed\":\"v1\",\"flags\":\"UO\",\"line\":\"GET /q?a=\\\"b\\\"\","
            "\"service\":null,\"status\":503}\n");
}

TEST(AppendJsonStringTest, EscapesQuotesControlsAndInvalidUtf8) {
  std::string out;
  appendJsonString("a\"b\\c\n\t\x01\x7f", out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\"");
  out.clear();
  appendJsonString("caf\xc3\xa9 \xe2\x82\xac", out);  // valid UTF-8 stays
  EXPECT_EQ(out, "\"caf\xc3\xa9 \xe2\x82\xac\"");
  out.clear();
  appendJsonString("\xff\xc3(\xed\xa0\x80", out);  // stray byte, cut sequence, surrogate
  EXPECT_EQ(out, "\"\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\"");
}

}  // namespace
}  // namespace switchyard::access_log
