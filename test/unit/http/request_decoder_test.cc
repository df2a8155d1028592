// RequestDecoder over raw bytes: what is accepted, what is refused with
// which status, and how pipelined messages are split.
#include "http/request_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace switchyard::http {
namespace {

struct Recorder : RequestDecoderCallbacks {
  std::vector<HeaderMap> requests;
  std::vector<RequestInfo> infos;
  std::string body;
  HeaderMap trailers;
  int completed = 0;
  void onRequestHeaders(HeaderMap&& headers, const RequestInfo& info) override {
    requests.push_back(std::move(headers));
    infos.push_back(info);
  }
  void onRequestBody(std::string_view data) override { body.append(data); }
  void onRequestTrailers(HeaderMap&& t) override { trailers = std::move(t); }
  void onRequestComplete() override { ++completed; }
};

// Feeds everything, resuming after each complete message like the
// connection does; returns the decoder's error status (0 if none).
int decodeAll(Recorder& recorder, std::string_view bytes, size_t max_headers = 60 * 1024) {
  RequestDecoder decoder(recorder, max_headers);
  while (!bytes.empty()) {
    if (decoder.paused()) decoder.resume();
    size_t used = decoder.feed(bytes);
    if (decoder.failed()) return decoder.errorStatus();
    bytes.remove_prefix(used);
    if (used == 0 && !decoder.paused()) break;
  }
  return 0;
}

TEST(RequestDecoder, SimpleGetYieldsPseudoHeaders) {
  Recorder r;
  ASSERT_EQ(decodeAll(r, "GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nX-A: 1\r\n\r\n"), 0);
  ASSERT_EQ(r.requests.size(), 1u);
  EXPECT_EQ(r.requests[0].get(":method"), "GET");
  EXPECT_EQ(r.requests[0].get(":path"), "/a?b=1");
  EXPECT_EQ(r.requests[0].get(":authority"), "example.com");
  EXPECT_EQ(r.requests[0].get("x-a"), "1");
  EXPECT_FALSE(r.requests[0].get("host"));
  EXPECT_TRUE(r.infos[0].end_stream);
  EXPECT_EQ(r.completed, 1);
}

TEST(RequestDecoder, PipelinedRequestsArriveOneAtATime) {
  Recorder r;
  std::string two = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n";
  RequestDecoder decoder(r, 60 * 1024);
  size_t used = decoder.feed(two);
  EXPECT_TRUE(decoder.paused());
  EXPECT_EQ(r.requests.size(), 1u);
  EXPECT_EQ(two.substr(used).rfind("GET /2", 0), 0u) << "the second request must be left unconsumed";
  decoder.resume();
  decoder.feed(std::string_view(two).substr(used));
  ASSERT_EQ(r.requests.size(), 2u);
  EXPECT_EQ(r.requests[1].get(":path"), "/2");
}

TEST(RequestDecoder, ChunkedBodyWithTrailers) {
  Recorder r;
  ASSERT_EQ(decodeAll(r, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n"), 0);
  EXPECT_EQ(r.body, "hello world");
  EXPECT_TRUE(r.infos[0].chunked);
  EXPECT_EQ(r.trailers.get("x-sum"), "1");
  EXPECT_EQ(r.completed, 1);
}

TEST(RequestDecoder, ContentLengthBody) {
  Recorder r;
  ASSERT_EQ(decodeAll(r, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"), 0);
  EXPECT_EQ(r.body, "abc");
  EXPECT_EQ(r.infos[0].content_length, 3u);
}

TEST(RequestDecoder, ExpectContinueIsReported) {
  Recorder r;
  ASSERT_EQ(decodeAll(r, "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx"), 0);
  EXPECT_TRUE(r.infos[0].expect_continue);
}

// One case per grammar rule (RFC 9112 / RFC 9110). Each is complete as
// sent, so a decoder that let it through would complete it.
struct GrammarCase {
  const char* name;
  std::string bytes;
  int status;  // 0: accepted and completed
};

class RequestGrammar : public ::testing::TestWithParam<GrammarCase> {};

TEST_P(RequestGrammar, StatusAsTheRuleSays) {
  Recorder r;
  const GrammarCase& c = GetParam();
  EXPECT_EQ(decodeAll(r, c.bytes, 1024), c.status);
  if (c.status != 0) {
    EXPECT_EQ(r.requests.size(), 0u) << "a refused request must not reach the stream";
    EXPECT_EQ(r.completed, 0) << "a refused request must never complete";
  } else {
    EXPECT_EQ(r.completed, 1);
  }
}

std::string get(std::string_view rest) { return "GET / HTTP/1.1\r\nHost: h\r\n" + std::string(rest) + "\r\n"; }
std::string withField(std::string_view field) { return get(std::string(field) + "\r\n"); }
std::string chunked(std::string_view body) {
  return "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(body);
}
std::string withHost(std::string_view host) { return "GET / HTTP/1.1\r\nHost: " + std::string(host) + "\r\n\r\n"; }
std::string withContentLength(std::string_view value) {
  return "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::string(value) + "\r\n\r\nabcde";
}
std::string target(std::string_view request_target) {
  return "GET " + std::string(request_target) + " HTTP/1.1\r\nHost: h\r\n\r\n";
}
std::string nul(std::string text) {
  for (char& c : text) {
    if (c == '@') c = '\0';
  }
  return text;
}

INSTANTIATE_TEST_SUITE_P(
    RequestLine, RequestGrammar,
    ::testing::Values(
        GrammarCase{"plain", get(""), 0},
        GrammarCase{"empty_line_before_request_line", "\r\n" + get(""), 0},
        GrammarCase{"two_spaces_after_method", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        GrammarCase{"two_spaces_after_target", "GET /  HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        GrammarCase{"tab_as_separator", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        GrammarCase{"space_before_method", " GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        GrammarCase{"space_after_version", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400},
        GrammarCase{"no_version", "GET /\r\nHost: h\r\n\r\n", 400},
        GrammarCase{"method_not_a_token", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        GrammarCase{"lowercase_method", "get / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        GrammarCase{"lowercase_protocol_name", "GET / http/1.1\r\nHost: h\r\n\r\n", 400},
        GrammarCase{"version_two_digit_minor", "GET / HTTP/1.10\r\nHost: h\r\n\r\n", 400},
        GrammarCase{"http_1_0", "GET / HTTP/1.0\r\n\r\n", 0},
        GrammarCase{"http_2_0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
        GrammarCase{"http_1_2", "GET / HTTP/1.2\r\nHost: h\r\n\r\n", 505},
        GrammarCase{"http_0_9", "GET / HTTP/0.9\r\nHost: h\r\n\r\n", 505},
        GrammarCase{"http_3_0", "GET / HTTP/3.0\r\nHost: h\r\n\r\n", 505},
        GrammarCase{"fragment_in_target", target("/a#frag"), 400},
        GrammarCase{"fragment_in_absolute_target", target("http://h/a#frag"), 400},
        GrammarCase{"control_byte_in_target", target("/a\x01" "b"), 400},
        GrammarCase{"del_in_target", target("/a\x7f"), 400},
        GrammarCase{"non_ascii_in_target", target("/caf\xc3\xa9"), 400},
        GrammarCase{"nul_in_target", nul("GET /a@b HTTP/1.1\r\nHost: h\r\n\r\n"), 400},
        GrammarCase{"asterisk_for_options", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", 0},
        GrammarCase{"asterisk_for_get", target("*"), 400},
        GrammarCase{"relative_target", target("a/b"), 400},
        GrammarCase{"authority_form_for_get", target("h:80"), 400},
        GrammarCase{"https_absolute_target", target("https://h/"), 400}),
    [](const ::testing::TestParamInfo<GrammarCase>& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    FieldLines, RequestGrammar,
    ::testing::Values(
        GrammarCase{"empty_field_name", withField(": v"), 400},
        GrammarCase{"pseudo_header_trick", withField(":path: /admin"), 400},
        GrammarCase{"space_inside_name", withField("X A: v"), 400},
        GrammarCase{"space_before_colon", withField("X-A : v"), 400},
        GrammarCase{"space_before_colon_of_host", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400},
        GrammarCase{"tab_before_colon", withField("X-A\t: v"), 400},
        GrammarCase{"control_in_name", withField("X\x01A: v"), 400},
        GrammarCase{"non_token_in_name", withField("X(A): v"), 400},
        GrammarCase{"slash_in_name", withField("X/A: v"), 400},
        GrammarCase{"no_colon", withField("X-A v"), 400},
        GrammarCase{"field_line_starts_with_space", "GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400},
        GrammarCase{"obs_fold_space", withField("X-A: 1\r\n folded"), 400},
        GrammarCase{"obs_fold_tab", withField("X-A: 1\r\n\tfolded"), 400},
        GrammarCase{"colon_in_value", withField("X-A: b:c"), 0},
        GrammarCase{"htab_in_value", withField("X-A: a\tb"), 0},
        GrammarCase{"obs_text_in_value", withField("X-A: caf\xc3\xa9"), 0},
        GrammarCase{"empty_value", withField("X-A:"), 0},
        GrammarCase{"nul_in_value", nul(withField("X-A: a@b")), 400},
        GrammarCase{"bare_cr_in_value", withField("X-A: a\rb"), 400},
        GrammarCase{"bare_cr_at_end_of_value", withField("X-A: ab\r"), 400},
        GrammarCase{"bare_lf_in_value", withField("X-A: a\nb"), 400},
        GrammarCase{"control_in_value", withField("X-A: a\x01" "b"), 400},
        GrammarCase{"escape_in_value", withField("X-A: a\x1b" "b"), 400},
        GrammarCase{"del_in_value", withField("X-A: a\x7f" "b"), 400},
        GrammarCase{"bare_lf_ends_request_line", "GET / HTTP/1.1\nHost: h\r\n\r\n", 400},
        GrammarCase{"bare_lf_ends_header_section", "GET / HTTP/1.1\r\nHost: h\r\n\n", 400},
        GrammarCase{"bare_cr_ends_field_line", "GET / HTTP/1.1\r\nHost: h\rX-A: 1\r\n\r\n", 400}),
    [](const ::testing::TestParamInfo<GrammarCase>& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Host, RequestGrammar,
    ::testing::Values(
        GrammarCase{"missing_on_http_1_1", "GET / HTTP/1.1\r\n\r\n", 400},
        GrammarCase{"optional_on_http_1_0", "GET / HTTP/1.0\r\n\r\n", 0},
        GrammarCase{"twice", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400},
        GrammarCase{"twice_on_http_1_0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        GrammarCase{"list", withHost("a, b"), 400},
        GrammarCase{"empty", withHost(""), 400},
        GrammarCase{"reg_name", withHost("api.example-1.com"), 0},
        GrammarCase{"reg_name_sub_delims_and_pct", withHost("a~b_c!$&'()*+,;=%41"), 0},
        GrammarCase{"with_port", withHost("example.com:8080"), 0},
        GrammarCase{"ipv4_with_port", withHost("127.0.0.1:80"), 0},
        GrammarCase{"ipv6", withHost("[::1]"), 0},
        GrammarCase{"ipv6_with_port", withHost("[2001:db8::7]:443"), 0},
        GrammarCase{"space_inside", withHost("a b"), 400},
        GrammarCase{"slash", withHost("a/b"), 400},
        GrammarCase{"userinfo", withHost("user@a"), 400},
        GrammarCase{"bad_pct_encoding", withHost("a%4"), 400},
        GrammarCase{"non_ascii", withHost("caf\xc3\xa9"), 400},
        GrammarCase{"empty_port", withHost("a:"), 400},
        GrammarCase{"port_not_digits", withHost("a:8o"), 400},
        GrammarCase{"port_too_large", withHost("a:65536"), 400},
        GrammarCase{"two_colons", withHost("a:1:2"), 400},
        GrammarCase{"empty_host_with_port", withHost(":80"), 400},
        GrammarCase{"ipv6_unbracketed", withHost("::1"), 400},
        GrammarCase{"ipv6_unclosed", withHost("[::1"), 400},
        GrammarCase{"ipv6_invalid", withHost("[::g]"), 400},
        GrammarCase{"ipv6_zone", withHost("[fe80::1%25eth0]"), 400},
        GrammarCase{"ipv6_junk_after_bracket", withHost("[::1]x"), 400},
        GrammarCase{"absolute_form_host_may_differ",
                    "GET http://a/x HTTP/1.1\r\nHost: b\r\n\r\n", 0},
        GrammarCase{"absolute_form_still_needs_host", "GET http://a/x HTTP/1.1\r\n\r\n", 400},
        GrammarCase{"absolute_form_invalid_host_field", "GET http://a/x HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
        GrammarCase{"absolute_form_empty_authority", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        GrammarCase{"absolute_form_userinfo", "GET http://u@a/x HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        GrammarCase{"absolute_form_bad_port", "GET http://a:x/ HTTP/1.1\r\nHost: a\r\n\r\n", 400}),
    [](const ::testing::TestParamInfo<GrammarCase>& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Framing, RequestGrammar,
    ::testing::Values(
        GrammarCase{"content_length", withContentLength("5"), 0},
        GrammarCase{"content_length_leading_zeros", withContentLength("005"), 0},
        GrammarCase{"content_length_plus_sign", withContentLength("+5"), 400},
        GrammarCase{"content_length_minus_sign", withContentLength("-5"), 400},
        GrammarCase{"content_length_inner_space", withContentLength("5 5"), 400},
        GrammarCase{"content_length_hex", withContentLength("0x5"), 400},
        GrammarCase{"content_length_empty", withContentLength(""), 400},
        GrammarCase{"content_length_list", withContentLength("5, 5"), 400},
        GrammarCase{"content_length_overflow", withContentLength("184467440737095516160"), 400},
        GrammarCase{"content_length_twenty_digits", withContentLength("00000000000000000005"), 0},
        GrammarCase{"content_length_twice_same", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
                                                 "Content-Length: 5\r\n\r\nabcde", 400},
        GrammarCase{"content_length_and_chunked", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
                                                  "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
        GrammarCase{"chunked_on_http_1_0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
        GrammarCase{"transfer_encoding_gzip_only", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
        GrammarCase{"chunked_not_last", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
                                        "0\r\n\r\n", 400},
        GrammarCase{"chunked_twice", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"
                                     "0\r\n\r\n", 400},
        GrammarCase{"chunked_twice_in_two_fields", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                                                   "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
        GrammarCase{"transfer_encoding_empty", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n\r\n", 400},
        GrammarCase{"chunked_misspelt", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunkedx\r\n\r\n"
                                        "0\r\n\r\n", 400},
        // A coding before chunked is well-formed; the proxy does not
        // implement it (RFC 9112 6.1: 501).
        GrammarCase{"gzip_then_chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                                         "0\r\n\r\n", 501},
        GrammarCase{"chunked_uppercase", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", 0}),
    [](const ::testing::TestParamInfo<GrammarCase>& info) { return std::string(info.param.name); });

// Errors in chunk lines and trailers come after the head was delivered:
// the request never completes, and the connection refuses the rest.
class RequestBodyGrammar : public ::testing::TestWithParam<GrammarCase> {};

TEST_P(RequestBodyGrammar, StatusAsTheRuleSays) {
  Recorder r;
  const GrammarCase& c = GetParam();
  EXPECT_EQ(decodeAll(r, c.bytes, 1024), c.status);
  EXPECT_EQ(r.requests.size(), 1u);
  EXPECT_EQ(r.completed, c.status == 0 ? 1 : 0);
}

INSTANTIATE_TEST_SUITE_P(
    ChunkedBody, RequestBodyGrammar,
    ::testing::Values(
        GrammarCase{"chunk", chunked("5\r\nhello\r\n0\r\n\r\n"), 0},
        GrammarCase{"chunk_size_uppercase_hex", chunked("A\r\n0123456789\r\n0\r\n\r\n"), 0},
        GrammarCase{"chunk_size_not_hex", chunked("zz\r\nabc\r\n0\r\n\r\n"), 400},
        GrammarCase{"chunk_size_empty", chunked("\r\nabc\r\n0\r\n\r\n"), 400},
        GrammarCase{"chunk_size_signed", chunked("+5\r\nhello\r\n0\r\n\r\n"), 400},
        GrammarCase{"chunk_size_0x", chunked("0x5\r\nhello\r\n0\r\n\r\n"), 400},
        GrammarCase{"chunk_size_space_before", chunked(" 5\r\nhello\r\n0\r\n\r\n"), 400},
        GrammarCase{"chunk_size_space_after", chunked("5 \r\nhello\r\n0\r\n\r\n"), 400},
        GrammarCase{"chunk_size_overflow", chunked("10000000000000000\r\nhello\r\n0\r\n\r\n"), 400},
        GrammarCase{"chunk_ext", chunked("5;a=b\r\nhello\r\n0;last\r\n\r\n"), 0},
        GrammarCase{"chunk_ext_quoted", chunked("5;a=\"b c;d\"\r\nhello\r\n0\r\n\r\n"), 0},
        // BWS around the separators is grammar that senders must not generate;
        // llhttp refuses it, and so does the proxy.
        GrammarCase{"chunk_ext_bws", chunked("5 ; a = b\r\nhello\r\n0\r\n\r\n"), 400},
        GrammarCase{"chunk_ext_empty_name", chunked("5;=b\r\nhello\r\n0\r\n\r\n"), 400},
        GrammarCase{"chunk_ext_no_name", chunked("5;\r\nhello\r\n0\r\n\r\n"), 400},
        GrammarCase{"chunk_ext_control", chunked("5;a\x01\r\nhello\r\n0\r\n\r\n"), 400},
        GrammarCase{"chunk_ext_bad_value", chunked("5;a=b c\r\nhello\r\n0\r\n\r\n"), 400},
        GrammarCase{"chunk_ext_unterminated_quote", chunked("5;a=\"b\r\nhello\r\n0\r\n\r\n"), 400},
        GrammarCase{"chunk_ext_empty_value", chunked("5;a=\r\nhello\r\n0\r\n\r\n"), 400},
        GrammarCase{"bare_lf_after_chunk_size", chunked("5\nhello\r\n0\r\n\r\n"), 400},
        GrammarCase{"bare_cr_after_chunk_size", chunked("5\rhello\r\n0\r\n\r\n"), 400},
        GrammarCase{"bare_lf_after_chunk_data", chunked("5\r\nhello\n0\r\n\r\n"), 400},
        GrammarCase{"bare_cr_after_chunk_data", chunked("5\r\nhello\r0\r\n\r\n"), 400},
        GrammarCase{"chunk_data_too_long", chunked("5\r\nhelloXX\r\n0\r\n\r\n"), 400},
        GrammarCase{"bare_lf_after_last_chunk", chunked("0\n\r\n"), 400},
        GrammarCase{"bare_lf_ends_trailers", chunked("0\r\n\n"), 400},
        GrammarCase{"trailer", chunked("0\r\nX-T: 1\r\n\r\n"), 0},
        GrammarCase{"bare_lf_in_trailer", chunked("0\r\nX-T: 1\n\r\n"), 400},
        GrammarCase{"obs_fold_in_trailer", chunked("0\r\nX-T: 1\r\n 2\r\n\r\n"), 400},
        GrammarCase{"space_before_colon_in_trailer", chunked("0\r\nX-T : 1\r\n\r\n"), 400},
        GrammarCase{"control_in_trailer_value", chunked("0\r\nX-T: 1\x01\r\n\r\n"), 400},
        GrammarCase{"empty_name_in_trailer", chunked("0\r\n: 1\r\n\r\n"), 400}),
    [](const ::testing::TestParamInfo<GrammarCase>& info) { return std::string(info.param.name); });

TEST(RequestDecoder, UpgradeIsNotPerformedAndTheNextRequestIsParsed) {
  // What curl --http2 sends on plain HTTP, then a second request in the same
  // send: both are ordinary HTTP/1.1 requests.
  Recorder r;
  ASSERT_EQ(decodeAll(r, "GET /1 HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                         "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n"
                         "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n"), 0);
  ASSERT_EQ(r.requests.size(), 2u);
  EXPECT_EQ(r.requests[1].get(":path"), "/2");
  EXPECT_EQ(r.completed, 2);
  EXPECT_TRUE(r.infos[0].keep_alive);
}

TEST(RequestDecoder, UpgradeWithABodyKeepsItsFraming) {
  Recorder r;
  ASSERT_EQ(decodeAll(r, "POST /1 HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: websocket\r\n"
                         "Content-Length: 3\r\n\r\nabcGET /2 HTTP/1.1\r\nHost: h\r\n\r\n"), 0);
  EXPECT_EQ(r.body, "abc");
  ASSERT_EQ(r.requests.size(), 2u);
  EXPECT_EQ(r.requests[1].get(":path"), "/2");
}

TEST(RequestDecoder, ConnectIsRefusedWith405BeforeItsBody) {
  for (std::string_view bytes : {"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
                                 "CONNECT /delay/1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcde"}) {
    Recorder r;
    EXPECT_EQ(decodeAll(r, bytes), 405) << bytes;
    EXPECT_TRUE(r.requests.empty());
    EXPECT_TRUE(r.body.empty());
  }
}

TEST(RequestDecoder, Http2PrefaceIs505) {
  Recorder r;
  EXPECT_EQ(decodeAll(r, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 505);
}

TEST(RequestDecoder, AbsoluteFormTargetReplacesHost) {
  Recorder r;
  ASSERT_EQ(decodeAll(r, "GET HTTP://api.example:8080/a?b HTTP/1.1\r\nHost: other\r\n\r\n"
                         "GET http://api.example?q=1 HTTP/1.1\r\nHost: other\r\n\r\n"), 0);
  ASSERT_EQ(r.requests.size(), 2u);
  EXPECT_EQ(r.requests[0].get(":authority"), "api.example:8080");
  EXPECT_EQ(r.requests[0].get(":path"), "/a?b");
  EXPECT_EQ(r.requests[1].get(":path"), "/?q=1");
  EXPECT_FALSE(r.requests[0].get("host"));
}

TEST(RequestDecoder, OwsAroundValuesIsDroppedAndEmptyValuesStayTheirOwnField) {
  Recorder r;
  ASSERT_EQ(decodeAll(r, "GET / HTTP/1.1\r\nX-Empty:\r\nHost: h\r\nX-A: \t a b \t\r\n\r\n"), 0);
  EXPECT_EQ(r.requests[0].get("x-empty"), "");
  EXPECT_EQ(r.requests[0].get(":authority"), "h");
  EXPECT_EQ(r.requests[0].get("x-a"), "a b");
}

std::string requestWithFields(size_t count) {
  std::string request = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (size_t i = 1; i < count; ++i) request += "X-" + std::to_string(i) + ": v\r\n";
  return request + "\r\n";
}

TEST(RequestDecoderLimitsTest, HeaderCountUpToTheLimitIsAccepted) {
  Recorder r;
  RequestDecoder decoder(r, 60 * 1024, 100);
  decoder.feed(requestWithFields(100));
  EXPECT_FALSE(decoder.failed());
  EXPECT_EQ(r.completed, 1);
}

TEST(RequestDecoderLimitsTest, OneHeaderFieldTooManyGets431) {
  Recorder r;
  RequestDecoder decoder(r, 60 * 1024, 100);
  decoder.feed(requestWithFields(101));
  EXPECT_EQ(decoder.errorStatus(), 431);
  EXPECT_TRUE(r.requests.empty());
}

TEST(RequestDecoderLimitsTest, TrailerCountHasTheSameLimit) {
  Recorder r;
  RequestDecoder decoder(r, 60 * 1024, 2);
  decoder.feed("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");
  EXPECT_EQ(decoder.errorStatus(), 431);
  EXPECT_EQ(r.completed, 0);
}

TEST(RequestDecoderLimitsTest, LongUriGets414) {
  Recorder r;
  std::string request = "GET /" + std::string(2000, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n";
  EXPECT_EQ(decodeAll(r, request, 1024), 414);
}

TEST(RequestDecoderLimitsTest, LargeHeadersGet431) {
  Recorder r;
  std::string request = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(2000, 'b') + "\r\n\r\n";
  EXPECT_EQ(decodeAll(r, request, 1024), 431);
}

}  // namespace
}  // namespace switchyard::http
