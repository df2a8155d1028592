// ResponseDecoder over raw bytes: framing, interim responses, HEAD, and
// malformed or truncated responses.
#include "http/response_decoder.h"

#include <gtest/gtest.h>

#include <string>

namespace switchyard::http {
namespace {

struct Recorder : ResponseDecoderCallbacks {
  HeaderMap headers;
  ResponseInfo info;
  std::string body;
  int completed = 0;
  void onResponseHeaders(HeaderMap&& h, const ResponseInfo& i) override {
    headers = std::move(h);
    info = i;
  }
  void onResponseBody(std::string_view data) override { body.append(data); }
  void onResponseTrailers(HeaderMap&&) override {}
  void onResponseComplete() override { ++completed; }
};

TEST(ResponseDecoder, ContentLengthResponse) {
  Recorder r;
  ResponseDecoder decoder(r, 60 * 1024);
  decoder.expectResponse(false);
  ASSERT_TRUE(decoder.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  EXPECT_EQ(r.headers.get(":status"), "200");
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(r.completed, 1);
  EXPECT_TRUE(r.info.keep_alive);
}

TEST(ResponseDecoder, InterimContinueIsSwallowed) {
  Recorder r;
  ResponseDecoder decoder(r, 60 * 1024);
  decoder.expectResponse(false);
  ASSERT_TRUE(decoder.feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_EQ(r.headers.get(":status"), "201");
  EXPECT_EQ(r.completed, 1);
}

// Found by the response decoder fuzzer: a 1xx never has a body, whatever
// its Content-Length says; what follows its head is the next response.
TEST(ResponseDecoder, InterimResponseBodyIsNeverDelivered) {
  Recorder r;
  ResponseDecoder decoder(r, 60 * 1024);
  decoder.expectResponse(false);
  EXPECT_FALSE(decoder.feed("HTTP/1.1 103 Early\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\n\r\n"));
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.completed, 0);

  Recorder ok;
  ResponseDecoder next(ok, 60 * 1024);
  next.expectResponse(false);
  ASSERT_TRUE(next.feed("HTTP/1.1 103 Early\r\nContent-Length: 3\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  EXPECT_EQ(ok.headers.get(":status"), "200");
  EXPECT_EQ(ok.body, "ok");
  EXPECT_EQ(ok.completed, 1);
}

TEST(ResponseDecoder, HeadResponseHasNoBody) {
  Recorder r;
  ResponseDecoder decoder(r, 60 * 1024);
  decoder.expectResponse(true);
  ASSERT_TRUE(decoder.feed("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"));
  EXPECT_EQ(r.completed, 1);
  EXPECT_TRUE(r.info.end_stream);
}

TEST(ResponseDecoder, CloseDelimitedBodyEndsAtFinish) {
  Recorder r;
  ResponseDecoder decoder(r, 60 * 1024);
  decoder.expectResponse(false);
  ASSERT_TRUE(decoder.feed("HTTP/1.1 200 OK\r\n\r\nabc"));
  EXPECT_EQ(r.completed, 0);
  EXPECT_TRUE(decoder.finish());
  EXPECT_EQ(r.body, "abc");
  EXPECT_EQ(r.completed, 1);
}

TEST(ResponseDecoder, TruncatedBodyIsAnError) {
  Recorder r;
  ResponseDecoder decoder(r, 60 * 1024);
  decoder.expectResponse(false);
  ASSERT_TRUE(decoder.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
  EXPECT_FALSE(decoder.finish());
}

TEST(ResponseDecoder, MalformedStatusLineIsAnError) {
  Recorder r;
  ResponseDecoder decoder(r, 60 * 1024);
  decoder.expectResponse(false);
  EXPECT_FALSE(decoder.feed("HTTP/1.1 2OO OK\r\n\r\n"));
  EXPECT_FALSE(decoder.errorReason().empty());
}

TEST(ResponseDecoder, BytesAfterCompleteResponseAreAnError) {
  Recorder r;
  ResponseDecoder decoder(r, 60 * 1024);
  decoder.expectResponse(false);
  EXPECT_FALSE(decoder.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"));
}

TEST(ResponseDecoder, InterimResponseThenFinalOneInTheSameReadIsScannedToo) {
  Recorder r;
  ResponseDecoder decoder(r, 60 * 1024);
  decoder.expectResponse(false);
  EXPECT_FALSE(decoder.feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n"
                            "Content-Length: 0\r\n\r\n"));
  EXPECT_EQ(r.completed, 0);
}

TEST(ResponseDecoder, OwsAroundValuesIsDropped) {
  Recorder r;
  ResponseDecoder decoder(r, 60 * 1024);
  decoder.expectResponse(false);
  ASSERT_TRUE(decoder.feed("HTTP/1.1 200 OK\r\nX-Empty:\r\nX-A:  a \t\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_EQ(r.headers.get("x-empty"), "");
  EXPECT_EQ(r.headers.get("x-a"), "a");
}

// One case per grammar rule; a refused response is an error (the proxy
// answers 502 and closes the upstream connection) and never completes.
struct ResponseCase {
  const char* name;
  std::string bytes;
  bool valid;
};

class ResponseGrammar : public ::testing::TestWithParam<ResponseCase> {};

TEST_P(ResponseGrammar, RefusedUnlessValid) {
  Recorder r;
  ResponseDecoder decoder(r, 1024);
  decoder.expectResponse(false);
  const ResponseCase& c = GetParam();
  bool fed = decoder.feed(c.bytes);
  EXPECT_EQ(fed && r.completed == 1, c.valid) << decoder.errorReason();
  if (!c.valid) {
    EXPECT_EQ(r.completed, 0);
  }
}

std::string withField(std::string_view field) {
  return "HTTP/1.1 200 OK\r\n" + std::string(field) + "\r\nContent-Length: 2\r\n\r\nok";
}
std::string chunked(std::string_view body) {
  return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(body);
}
std::string withContentLength(std::string_view value) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::string(value) + "\r\n\r\nok";
}
std::string statusLine(std::string_view line) { return std::string(line) + "\r\nContent-Length: 2\r\n\r\nok"; }

std::string withFields(size_t count) {
  std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n";
  for (size_t i = 1; i < count; ++i) response += "X-" + std::to_string(i) + ": v\r\n";
  return response + "\r\nok";
}

INSTANTIATE_TEST_SUITE_P(
    StatusLine, ResponseGrammar,
    ::testing::Values(
        ResponseCase{"plain", statusLine("HTTP/1.1 200 OK"), true},
        ResponseCase{"http_1_0", statusLine("HTTP/1.0 200 OK"), true},
        ResponseCase{"empty_reason", statusLine("HTTP/1.1 200 "), true},
        ResponseCase{"reason_with_spaces_and_tab", statusLine("HTTP/1.1 200 All\tquite fine"), true},
        ResponseCase{"status_not_digits", statusLine("HTTP/1.1 2OO OK"), false},
        ResponseCase{"status_two_digits", statusLine("HTTP/1.1 20 OK"), false},
        ResponseCase{"status_four_digits", statusLine("HTTP/1.1 2000 OK"), false},
        ResponseCase{"status_below_100", statusLine("HTTP/1.1 099 OK"), false},
        ResponseCase{"status_above_599", statusLine("HTTP/1.1 600 OK"), false},
        ResponseCase{"two_spaces_after_version", statusLine("HTTP/1.1  200 OK"), false},
        ResponseCase{"http_2_0", statusLine("HTTP/2.0 200 OK"), false},
        ResponseCase{"http_1_2", statusLine("HTTP/1.2 200 OK"), false},
        ResponseCase{"http_0_9", statusLine("HTTP/0.9 200 OK"), false},
        ResponseCase{"lowercase_protocol", statusLine("http/1.1 200 OK"), false},
        ResponseCase{"control_in_reason", statusLine("HTTP/1.1 200 O\x01K"), false},
        ResponseCase{"bare_lf_ends_status_line", "HTTP/1.1 200 OK\nContent-Length: 2\r\n\r\nok", false},
        ResponseCase{"unrequested_101", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", false}),
    [](const ::testing::TestParamInfo<ResponseCase>& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    FieldLines, ResponseGrammar,
    ::testing::Values(
        ResponseCase{"empty_field_name", withField(": v"), false},
        ResponseCase{"space_inside_name", withField("X A: v"), false},
        ResponseCase{"space_before_colon", withField("X-A : v"), false},
        ResponseCase{"control_in_name", withField("X\x01A: v"), false},
        ResponseCase{"non_token_in_name", withField("X(A): v"), false},
        ResponseCase{"obs_fold", withField("X-A: 1\r\n folded"), false},
        ResponseCase{"bare_lf", withField("X-A: 1\nX-B: 2"), false},
        ResponseCase{"bare_cr", withField("X-A: 1\rX-B: 2"), false},
        ResponseCase{"nul_in_value", withField(std::string("X-A: a\0b", 9)), false},
        ResponseCase{"control_in_value", withField("X-A: a\x01" "b"), false},
        ResponseCase{"del_in_value", withField("X-A: a\x7f" "b"), false},
        ResponseCase{"htab_and_obs_text_in_value", withField("X-A: a\tcaf\xc3\xa9"), true},
        ResponseCase{"headers_up_to_the_limit", withFields(100), true},
        ResponseCase{"one_header_too_many", withFields(101), false}),
    [](const ::testing::TestParamInfo<ResponseCase>& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Framing, ResponseGrammar,
    ::testing::Values(
        ResponseCase{"content_length_plus_sign", withContentLength("+2"), false},
        ResponseCase{"content_length_minus_sign", withContentLength("-2"), false},
        ResponseCase{"content_length_inner_space", withContentLength("2 2"), false},
        ResponseCase{"content_length_hex", withContentLength("0x2"), false},
        ResponseCase{"content_length_empty", withContentLength(""), false},
        ResponseCase{"content_length_list", withContentLength("2, 2"), false},
        ResponseCase{"content_length_overflow", withContentLength("184467440737095516160"), false},
        ResponseCase{"content_length_twice", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
                     false},
        ResponseCase{"content_length_and_chunked",
                     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
                     false},
        ResponseCase{"chunked_on_http_1_0", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false},
        ResponseCase{"gzip_then_chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                     false},
        ResponseCase{"chunked_twice", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
                     false},
        ResponseCase{"chunked", chunked("2\r\nok\r\n0\r\n\r\n"), true},
        ResponseCase{"chunk_ext", chunked("2;a=b\r\nok\r\n0;d=\"e f\"\r\n\r\n"), true},
        // Valid, but llhttp 8.1 refuses a second extension on a chunk line.
        ResponseCase{"two_chunk_exts", chunked("2;a=b;c\r\nok\r\n0\r\n\r\n"), false},
        ResponseCase{"chunk_size_not_hex", chunked("zz\r\nok\r\n0\r\n\r\n"), false},
        ResponseCase{"chunk_size_overflow", chunked("10000000000000000\r\nok\r\n0\r\n\r\n"), false},
        ResponseCase{"chunk_ext_empty_name", chunked("2;=b\r\nok\r\n0\r\n\r\n"), false},
        ResponseCase{"chunk_ext_empty_value", chunked("2;a=\r\nok\r\n0\r\n\r\n"), false},
        ResponseCase{"chunk_ext_control", chunked("2;a\x01\r\nok\r\n0\r\n\r\n"), false},
        ResponseCase{"bare_lf_after_chunk_size", chunked("2\nok\r\n0\r\n\r\n"), false},
        ResponseCase{"bare_cr_after_chunk_data", chunked("2\r\nok\r0\r\n\r\n"), false},
        ResponseCase{"bare_lf_ends_trailers", chunked("0\r\n\n"), false},
        ResponseCase{"trailer", chunked("0\r\nX-T: 1\r\n\r\n"), true},
        ResponseCase{"obs_fold_in_trailer", chunked("0\r\nX-T: 1\r\n 2\r\n\r\n"), false},
        ResponseCase{"space_before_colon_in_trailer", chunked("0\r\nX-T : 1\r\n\r\n"), false}),
    [](const ::testing::TestParamInfo<ResponseCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace switchyard::http
