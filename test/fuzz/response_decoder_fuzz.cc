// http::ResponseDecoder on hostile upstream bytes delivered in fuzzer-chosen
// reads, driven the way an upstream connection drives it: expectResponse()
// before each response (the next one only once the previous completed with
// nothing left over), finish() when the upstream closes. Besides ASan and
// UBSan it checks:
//  - no callback after feed() or finish() reported an error, and nothing is
//    accepted after one;
//  - each response's events come in order, ":status" first and final
//    (1xx are swallowed), at most one completion per expectResponse();
//  - body bytes never exceed the bytes fed, a Content-Length body is exact,
//    HEAD, 204 and 304 responses have none;
//  - the same bytes in one read give the same responses and outcome.
// Control bytes: see fuzz_support.h; flag bit 0 says the first request was
// HEAD, bit 1 a small (64-byte) header limit, bit 2 that the upstream closes
// after the last read (finish()).
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "http/response_decoder.h"

namespace switchyard::fuzz {
namespace {

struct DecodedResponse {
  std::vector<http::HeaderField> headers;
  http::ResponseInfo info;
  bool bodiless = false;  // HEAD, 204 or 304
  std::string body;
  std::vector<http::HeaderField> trailers;
  bool complete = false;

  bool operator==(const DecodedResponse& other) const {
    return sameFields(headers, other.headers) && sameFields(trailers, other.trailers) && body == other.body &&
           complete == other.complete && info.keep_alive == other.info.keep_alive &&
           info.chunked == other.info.chunked && info.has_content_length == other.info.has_content_length &&
           info.content_length == other.info.content_length && info.end_stream == other.info.end_stream;
  }
};

class CheckingCallbacks : public http::ResponseDecoderCallbacks {
 public:
  // The driver says when a new response is expected and when an error was
  // reported, after which no callback may come.
  void expect(bool head) {
    SY_FUZZ_CHECK(responses_.empty() || responses_.back().complete);
    head_ = head;
    expecting_ = true;
  }
  void errorReported() { error_reported_ = true; }
  void addFed(size_t bytes) { bytes_fed_ += bytes; }
  const std::vector<DecodedResponse>& responses() const { return responses_; }

  void onResponseHeaders(http::HeaderMap&& headers, const http::ResponseInfo& info) override {
    SY_FUZZ_CHECK(!error_reported_ && expecting_);
    expecting_ = false;
    const auto& fields = headers.fields();
    SY_FUZZ_CHECK(!fields.empty() && fields[0].name == ":status");
    const std::string& status = fields[0].value;
    SY_FUZZ_CHECK(status.size() == 3 && status >= "200" && status <= "999");
    SY_FUZZ_CHECK(headers.countOf(":status") == 1);
    bool bodiless = head_ || status == "204" || status == "304";
    if (bodiless) SY_FUZZ_CHECK(info.end_stream);
    responses_.push_back(DecodedResponse{fields, info, bodiless, "", {}, false});
  }

  void onResponseBody(std::string_view data) override {
    SY_FUZZ_CHECK(!error_reported_);
    SY_FUZZ_CHECK(!responses_.empty() && !responses_.back().complete && responses_.back().trailers.empty());
    DecodedResponse& response = responses_.back();
    SY_FUZZ_CHECK(!response.bodiless && !response.info.end_stream);
    body_bytes_ += data.size();
    SY_FUZZ_CHECK(body_bytes_ <= bytes_fed_);
    response.body.append(data);
    if (response.info.has_content_length) SY_FUZZ_CHECK(response.body.size() <= response.info.content_length);
  }

  void onResponseTrailers(http::HeaderMap&& trailers) override {
    SY_FUZZ_CHECK(!error_reported_);
    SY_FUZZ_CHECK(!responses_.empty() && !responses_.back().complete && responses_.back().trailers.empty());
    SY_FUZZ_CHECK(responses_.back().info.chunked && !trailers.empty());
    responses_.back().trailers = trailers.fields();
  }

  void onResponseComplete() override {
    SY_FUZZ_CHECK(!error_reported_);
    SY_FUZZ_CHECK(!responses_.empty() && !responses_.back().complete);
    DecodedResponse& response = responses_.back();
    if (response.bodiless) SY_FUZZ_CHECK(response.body.empty());
    if (response.info.has_content_length && !response.info.chunked && !response.bodiless) {
      SY_FUZZ_CHECK(response.body.size() == response.info.content_length);
    }
    response.complete = true;
  }

 private:
  bool head_ = false;
  bool expecting_ = false;
  bool error_reported_ = false;
  std::vector<DecodedResponse> responses_;
  size_t bytes_fed_ = 0;
  size_t body_bytes_ = 0;
};

struct Outcome {
  std::vector<DecodedResponse> responses;
  bool failed = false;
  bool next_exchange = false;  // a read came after a completed response
};

Outcome decode(const std::vector<std::string_view>& reads, uint8_t flags) {
  CheckingCallbacks callbacks;
  http::ResponseDecoder decoder(callbacks, (flags & 2) ? 64 : 60 * 1024);
  bool head = (flags & 1) != 0;
  callbacks.expect(head);
  decoder.expectResponse(head);
  bool failed = false;
  bool next_exchange = false;
  for (std::string_view read : reads) {
    if (read.empty()) continue;
    if (decoder.complete()) {
      next_exchange = true;
      // Keep-alive: the connection sends the next request, alternating HEAD
      // and GET so that both follow each other on one parser.
      head = !head;
      callbacks.expect(head);
      decoder.expectResponse(head);
    }
    callbacks.addFed(read.size());
    if (!decoder.feed(read)) {
      failed = true;
      break;
    }
  }
  if (!failed && (flags & 4) && !decoder.finish()) failed = true;
  if (failed) {
    SY_FUZZ_CHECK(!decoder.errorReason().empty());
    callbacks.errorReported();
    SY_FUZZ_CHECK(!decoder.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    // A response that completed before the error stays complete.
    SY_FUZZ_CHECK(decoder.finish() == decoder.complete());
  }
  return Outcome{callbacks.responses(), failed, next_exchange};
}

}  // namespace
}  // namespace switchyard::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace switchyard::fuzz;
  SplitInput input = splitInput(data, size);
  Outcome split = decode(input.reads, input.flags);
  // One read stands for the split unless the split went on to a next
  // exchange, where one read is "unexpected data after response" instead.
  if (!split.next_exchange) {
    Outcome whole = decode({input.message}, input.flags);
    SY_FUZZ_CHECK(split.failed == whole.failed);
    SY_FUZZ_CHECK(split.responses == whole.responses);
  }
  return 0;
}
