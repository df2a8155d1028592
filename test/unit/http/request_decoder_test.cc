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

struct BadRequest {
  const char* name;
  const char* bytes;
  int status;
};

class RequestDecoderRejects : public ::testing::TestWithParam<BadRequest> {};

TEST_P(RequestDecoderRejects, WithStatus) {
  Recorder r;
  EXPECT_EQ(decodeAll(r, GetParam().bytes, 1024), GetParam().status) << GetParam().name;
  EXPECT_EQ(r.completed, 0) << "a rejected request must never complete";
}

INSTANTIATE_TEST_SUITE_P(
    SmugglingAndLimits, RequestDecoderRejects,
    ::testing::Values(
        BadRequest{"cl_and_te", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
        BadRequest{"two_content_lengths", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400},
        BadRequest{"invalid_chunk_size", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400},
        BadRequest{"bare_lf", "GET / HTTP/1.1\nHost: h\n\n", 400},
        BadRequest{"bare_lf_in_field", "GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n", 400},
        BadRequest{"obs_fold", "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  continued\r\n\r\n", 400},
        BadRequest{"space_before_colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400},
        BadRequest{"space_before_colon_any_field", "GET / HTTP/1.1\r\nHost: h\r\nX-A : 1\r\n\r\n", 400},
        BadRequest{"missing_host", "GET / HTTP/1.1\r\n\r\n", 400},
        BadRequest{"two_hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        BadRequest{"te_not_chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\nabc", 400},
        BadRequest{"bad_version", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 400}),
    [](const ::testing::TestParamInfo<BadRequest>& info) { return std::string(info.param.name); });

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
