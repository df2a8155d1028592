// ResponseDecoder over raw bytes: framing, interim responses, HEAD, and
// malformed or truncated responses.
#include "http/response_decoder.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace switchyard::http
