// http::RequestDecoder on hostile bytes delivered in fuzzer-chosen reads,
// driven the way a downstream connection drives it (unconsumed bytes kept
// and fed again after resume()). Besides ASan and UBSan it checks:
//  - no callback once the decoder has failed, and a failure has a status;
//  - each message's events come in order: headers, body, trailers, complete;
//  - the pseudo-headers come first and Host is folded into :authority;
//  - body bytes never exceed the bytes fed, a Content-Length body is exact
//    and a message announced without a body has none;
//  - how the bytes were split changes nothing: the same input fed in one
//    read gives the same messages and the same outcome.
// Control bytes: see fuzz_support.h; flag bit 0 picks a 64-byte header limit
// (to reach 414 and 431) instead of the default 60 KiB.
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "http/request_decoder.h"

namespace switchyard::fuzz {
namespace {

// One message as the callbacks saw it, in a form two runs can compare.
struct DecodedRequest {
  std::vector<http::HeaderField> headers;
  http::RequestInfo info;
  std::string body;
  std::vector<http::HeaderField> trailers;
  bool complete = false;

  bool operator==(const DecodedRequest& other) const {
    return sameFields(headers, other.headers) && sameFields(trailers, other.trailers) && body == other.body &&
           complete == other.complete && info.http_minor == other.info.http_minor &&
           info.keep_alive == other.info.keep_alive && info.chunked == other.info.chunked &&
           info.has_content_length == other.info.has_content_length &&
           info.content_length == other.info.content_length &&
           info.expect_continue == other.info.expect_continue && info.end_stream == other.info.end_stream;
  }
};

class CheckingCallbacks : public http::RequestDecoderCallbacks {
 public:
  void attach(const http::RequestDecoder* decoder) { decoder_ = decoder; }
  void addFed(size_t bytes) { bytes_fed_ += bytes; }
  const std::vector<DecodedRequest>& requests() const { return requests_; }

  void onRequestHeaders(http::HeaderMap&& headers, const http::RequestInfo& info) override {
    SY_FUZZ_CHECK(!decoder_->failed());
    SY_FUZZ_CHECK(requests_.empty() || requests_.back().complete);
    const auto& fields = headers.fields();
    SY_FUZZ_CHECK(fields.size() >= 4);
    SY_FUZZ_CHECK(fields[0].name == ":method" && fields[1].name == ":path" && fields[2].name == ":authority" &&
                  fields[3].name == ":scheme");
    SY_FUZZ_CHECK(fields[1].value.starts_with('/') || fields[1].value == "*");
    SY_FUZZ_CHECK(headers.countOf("host") == 0);
    SY_FUZZ_CHECK(!(info.chunked && info.has_content_length));
    if (info.end_stream) SY_FUZZ_CHECK(!info.chunked && info.content_length == 0);
    requests_.push_back(DecodedRequest{fields, info, "", {}, false});
  }

  void onRequestBody(std::string_view data) override {
    SY_FUZZ_CHECK(!decoder_->failed());
    SY_FUZZ_CHECK(!requests_.empty() && !requests_.back().complete && requests_.back().trailers.empty());
    SY_FUZZ_CHECK(!requests_.back().info.end_stream);
    body_bytes_ += data.size();
    SY_FUZZ_CHECK(body_bytes_ <= bytes_fed_);
    DecodedRequest& request = requests_.back();
    request.body.append(data);
    if (request.info.has_content_length) SY_FUZZ_CHECK(request.body.size() <= request.info.content_length);
  }

  void onRequestTrailers(http::HeaderMap&& trailers) override {
    SY_FUZZ_CHECK(!decoder_->failed());
    SY_FUZZ_CHECK(!requests_.empty() && !requests_.back().complete && requests_.back().trailers.empty());
    SY_FUZZ_CHECK(requests_.back().info.chunked);
    SY_FUZZ_CHECK(!trailers.empty());
    requests_.back().trailers = trailers.fields();
  }

  void onRequestComplete() override {
    SY_FUZZ_CHECK(!decoder_->failed());
    SY_FUZZ_CHECK(!requests_.empty() && !requests_.back().complete);
    DecodedRequest& request = requests_.back();
    if (request.info.has_content_length && !request.info.chunked) {
      SY_FUZZ_CHECK(request.body.size() == request.info.content_length);
    }
    request.complete = true;
  }

 private:
  const http::RequestDecoder* decoder_ = nullptr;
  std::vector<DecodedRequest> requests_;
  size_t bytes_fed_ = 0;
  size_t body_bytes_ = 0;
};

struct Outcome {
  std::vector<DecodedRequest> requests;
  bool failed = false;
};

// Feeds each read in turn, keeping what the decoder did not consume for the
// next call, resuming after every complete message, as the connection does.
Outcome decode(const std::vector<std::string_view>& reads, size_t max_headers_bytes) {
  CheckingCallbacks callbacks;
  http::RequestDecoder decoder(callbacks, max_headers_bytes);
  callbacks.attach(&decoder);
  std::string pending;
  for (std::string_view read : reads) {
    pending.append(read);
    callbacks.addFed(read.size());
    while (!pending.empty() && !decoder.failed()) {
      if (decoder.paused()) decoder.resume();
      size_t used = decoder.feed(pending);
      SY_FUZZ_CHECK(used <= pending.size());
      pending.erase(0, used);
      // Anything short of everything means a pause or a failure.
      if (!pending.empty()) SY_FUZZ_CHECK(decoder.paused() || decoder.failed());
    }
    if (decoder.failed()) {
      // 405 CONNECT, 501 a transfer coding other than chunked, 505 a version
      // other than 1.0/1.1; everything else is 400 or a size limit.
      int status = decoder.errorStatus();
      SY_FUZZ_CHECK(status == 400 || status == 405 || status == 414 || status == 431 || status == 501 ||
                    status == 505);
      SY_FUZZ_CHECK(!decoder.errorReason().empty());
      // A failed decoder takes nothing more.
      SY_FUZZ_CHECK(decoder.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n") == 0);
      break;
    }
  }
  return Outcome{callbacks.requests(), decoder.failed()};
}

}  // namespace
}  // namespace switchyard::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace switchyard::fuzz;
  SplitInput input = splitInput(data, size);
  size_t max_headers_bytes = (input.flags & 1) ? 64 : 60 * 1024;
  Outcome split = decode(input.reads, max_headers_bytes);
  Outcome whole = decode({input.message}, max_headers_bytes);
  SY_FUZZ_CHECK(split.failed == whole.failed);
  SY_FUZZ_CHECK(split.requests == whole.requests);
  return 0;
}
