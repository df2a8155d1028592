// Zipkin v2 JSON as the tracing filter writes it: the fields a collector
// requires, microseconds, the remote endpoint, and escaping.
#include "zipkin_encoder.h"

#include <gtest/gtest.h>

namespace tracing {
namespace {

Span clientSpan() {
  Span span;
  span.trace_id = parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")->trace_id;
  span.span_id = 0x0102030405060708;
  span.parent_span_id = 0x00f067aa0ba902b7;
  span.kind = SpanKind::kClient;
  span.name = "GET backend";
  span.start_unix_ns = 1700000000123456789;
  span.end_unix_ns = 1700000000123999999;
  span.remote_address = "10.0.0.7:8080";
  span.tags = {{"http.url", "/say \"hi\"\\\n"}};
  span.error = true;
  return span;
}

TEST(ZipkinEncoderTest, WritesAV2Span) {
  std::string json = encodeZipkin({clientSpan()}, "edge");
  EXPECT_EQ(json, R"([{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","id":"0102030405060708",)"
                  R"("parentId":"00f067aa0ba902b7","name":"GET backend","kind":"CLIENT",)"
                  R"("timestamp":1700000000123456,"duration":543,"localEndpoint":{"serviceName":"edge"},)"
                  R"("remoteEndpoint":{"ipv4":"10.0.0.7","port":8080},)"
                  R"("tags":{"http.url":"/say \"hi\"\\\u000a","error":"true"}}])");
}

TEST(ZipkinEncoderTest, ARootServerSpanHasNoParentAndAtLeastAMicrosecond) {
  Span span = clientSpan();
  span.kind = SpanKind::kServer;
  span.parent_span_id = 0;
  span.remote_address.clear();
  span.end_unix_ns = span.start_unix_ns + 10;  // under a microsecond
  span.tags.clear();
  span.error = false;
  std::string json = encodeZipkin({span, span}, "edge");
  EXPECT_EQ(json.find("parentId"), std::string::npos);
  EXPECT_EQ(json.find("remoteEndpoint"), std::string::npos);
  EXPECT_NE(json.find(R"("kind":"SERVER")"), std::string::npos);
  EXPECT_NE(json.find(R"("duration":1,)"), std::string::npos);
  EXPECT_NE(json.find("}},{"), std::string::npos) << "two spans in one array";
}

TEST(ZipkinEncoderTest, AnIpv6HostIsAnIpv6Endpoint) {
  Span span = clientSpan();
  span.remote_address = "[::1]:9411";
  EXPECT_NE(encodeZipkin({span}, "edge").find(R"("remoteEndpoint":{"ipv6":"::1","port":9411})"),
            std::string::npos);
}

}  // namespace
}  // namespace tracing
