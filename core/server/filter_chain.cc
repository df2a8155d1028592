#include "server/filter_chain.h"

#include <algorithm>

#include "common/log.h"
#include "http/grammar.h"
#include "module/host_api.h"

namespace switchyard::server {

// Request direction: filters in listener order, then the stream.
class FilterChain::RequestInvoker : public FilterPipelineInvoker {
 public:
  explicit RequestInvoker(FilterChain& chain) : chain_(chain) {}
  sy_filter_status invokeHeaders(size_t position, http::HeaderMap& headers, bool end_stream) override {
    auto hook = chain_.moduleOf(position).request_headers;
    if (hook == nullptr) return SY_FILTER_CONTINUE;
    return hook(chain_.handleOf(position), chain_.filters_[position].context, module::asHandle(&headers),
                end_stream ? 1 : 0);
  }
  sy_filter_status invokeBody(size_t position, std::string& body, bool end_stream) override {
    auto hook = chain_.moduleOf(position).request_body;
    if (hook == nullptr) return SY_FILTER_CONTINUE;
    return hook(chain_.handleOf(position), chain_.filters_[position].context, module::asHandle(&body),
                end_stream ? 1 : 0);
  }
  sy_filter_status invokeTrailers(size_t position, http::HeaderMap& trailers) override {
    auto hook = chain_.moduleOf(position).request_trailers;
    if (hook == nullptr) return SY_FILTER_CONTINUE;
    return hook(chain_.handleOf(position), chain_.filters_[position].context, module::asHandle(&trailers));
  }
  void sinkHeaders(http::HeaderMap& headers, bool end_stream) override {
    chain_.stream_.onFilteredRequestHeaders(headers, end_stream);
  }
  void sinkBody(std::string& body, bool end_stream) override { chain_.stream_.onFilteredRequestBody(body, end_stream); }
  void sinkTrailers(http::HeaderMap& trailers) override { chain_.stream_.onFilteredRequestTrailers(trailers); }
  void bufferOverflow() override { chain_.stream_.onFilterBufferOverflow(true); }

 private:
  FilterChain& chain_;
};

// Response direction: the first `filter_count` filters in reverse order,
// then the stream.
class FilterChain::ResponseInvoker : public FilterPipelineInvoker {
 public:
  ResponseInvoker(FilterChain& chain, size_t filter_count) : chain_(chain), filter_count_(filter_count) {}
  size_t filterAt(size_t position) const { return filter_count_ - 1 - position; }
  sy_filter_status invokeHeaders(size_t position, http::HeaderMap& headers, bool end_stream) override {
    size_t index = filterAt(position);
    auto hook = chain_.moduleOf(index).response_headers;
    if (hook == nullptr) return SY_FILTER_CONTINUE;
    return hook(chain_.handleOf(index), chain_.filters_[index].context, module::asHandle(&headers),
                end_stream ? 1 : 0);
  }
  sy_filter_status invokeBody(size_t position, std::string& body, bool end_stream) override {
    size_t index = filterAt(position);
    auto hook = chain_.moduleOf(index).response_body;
    if (hook == nullptr) return SY_FILTER_CONTINUE;
    return hook(chain_.handleOf(index), chain_.filters_[index].context, module::asHandle(&body),
                end_stream ? 1 : 0);
  }
  sy_filter_status invokeTrailers(size_t position, http::HeaderMap& trailers) override {
    size_t index = filterAt(position);
    auto hook = chain_.moduleOf(index).response_trailers;
    if (hook == nullptr) return SY_FILTER_CONTINUE;
    return hook(chain_.handleOf(index), chain_.filters_[index].context, module::asHandle(&trailers));
  }
  void sinkHeaders(http::HeaderMap& headers, bool end_stream) override {
    chain_.stream_.onFilteredResponseHeaders(headers, end_stream);
  }
  void sinkBody(std::string& body, bool end_stream) override {
    chain_.stream_.onFilteredResponseBody(body, end_stream);
  }
  void sinkTrailers(http::HeaderMap& trailers) override { chain_.stream_.onFilteredResponseTrailers(trailers); }
  void bufferOverflow() override { chain_.stream_.onFilterBufferOverflow(false); }

 private:
  FilterChain& chain_;
  const size_t filter_count_;
};

FilterChain::FilterChain(FilterChainCallbacks& stream, module::WorkerServices& worker,
                         const module::FilterChainConfig& config, router::UpstreamRequest& upstream,
                         size_t buffer_limit)
    : stream_(stream),
      worker_(worker),
      config_(config),
      upstream_(upstream),
      buffer_limit_(buffer_limit),
      filters_(config.size()) {
  for (size_t i = 0; i < filters_.size(); ++i) filters_[i].handle = module::FilterHandle{this, i};
  request_invoker_ = std::make_unique<RequestInvoker>(*this);
  request_ = std::make_unique<FilterPipeline>(*request_invoker_, filters_.size(), buffer_limit_);
}

FilterChain::~FilterChain() {
  for (size_t i = 0; i < filters_with_context_; ++i) {
    if (moduleOf(i).stream_destroy != nullptr) moduleOf(i).stream_destroy(filters_[i].context);
  }
  // After stream_destroy, which may still cancel or free its timers.
  for (module::FilterTimer* timer : timers_) module::freeTimer(timer);
}

bool FilterChain::createContexts(size_t route_id) {
  for (size_t i = 0; i < filters_.size(); ++i) filters_[i].config = &config_.effectiveConfig(route_id, i);
  for (size_t i = 0; i < filters_.size(); ++i) {
    auto stream_new = moduleOf(i).stream_new;
    if (stream_new != nullptr && stream_new(handleOf(i), filters_[i].config->config(), &filters_[i].context) != SY_OK) {
      SY_LOG(kWarn, "filter '%s' failed to create stream state; the stream is answered 500",
             config_.slot(i).name.c_str());
      filters_[i].context = nullptr;
      return false;
    }
    filters_with_context_ = i + 1;
  }
  return true;
}

FilterPipeline& FilterChain::startResponse(size_t filter_count) {
  if (response_) {
    replaced_pipelines_.push_back(std::move(response_));
    replaced_invokers_.push_back(std::move(response_invoker_));
  }
  response_invoker_ = std::make_unique<ResponseInvoker>(*this, filter_count);
  response_ = std::make_unique<FilterPipeline>(*response_invoker_, filter_count, buffer_limit_);
  return *response_;
}

size_t FilterChain::heldBytes() const { return request_->heldBytes(); }

void FilterChain::runAttemptStarted(const sy_attempt_info& attempt, http::HeaderMap& headers) {
  for (size_t i = 0; i < filters_with_context_ && !upstream_.closed(); ++i) {
    if (auto hook = moduleOf(i).attempt_started) hook(handleOf(i), filters_[i].context, &attempt, module::asHandle(&headers));
  }
}

void FilterChain::runAttemptFinished(const sy_attempt_info& attempt) {
  for (size_t i = 0; i < filters_with_context_; ++i) {
    if (auto hook = moduleOf(i).attempt_finished) hook(handleOf(i), filters_[i].context, &attempt);
  }
}

sy_admission FilterChain::runAttemptAdmit(const sy_attempt_info& candidate, std::string* reason) {
  for (size_t i = 0; i < filters_with_context_ && !upstream_.closed(); ++i) {
    auto hook = moduleOf(i).attempt_admit;
    if (hook == nullptr) continue;
    sy_slice refusal{nullptr, 0};
    sy_admission admission = hook(handleOf(i), filters_[i].context, &candidate, &refusal);
    if (admission == SY_ADMIT) continue;
    // The reason goes into a header: only a short token is taken as given.
    std::string_view given = refusal.ptr != nullptr ? std::string_view(refusal.ptr, refusal.len) : "";
    *reason = given.size() <= 64 && http::isToken(given) ? std::string(given) : "refused";
    return admission;
  }
  return upstream_.closed() ? SY_ADMIT_REFUSE_ATTEMPT : SY_ADMIT;
}

void FilterChain::runStreamComplete() {
  for (size_t i = 0; i < filters_with_context_; ++i) {
    if (moduleOf(i).stream_complete != nullptr) moduleOf(i).stream_complete(handleOf(i), filters_[i].context);
  }
}

// ---------------------------------------------------------------------------
// module::StreamServices

sy_result FilterChain::continueRequest(size_t filter_index) {
  if (stream_.streamCompleted()) return SY_ERR_BAD_STATE;
  sy_result result = request_->resume(filter_index);
  stream_.onFilterResumed(true);
  return result;
}

sy_result FilterChain::continueResponse(size_t filter_index) {
  if (stream_.streamCompleted() || !response_ || filter_index >= response_->filterCount()) {
    return SY_ERR_BAD_STATE;
  }
  sy_result result = response_->resume(response_invoker_->filterAt(filter_index));
  stream_.onFilterResumed(false);
  return result;
}

sy_result FilterChain::releaseResponseBody(size_t filter_index, size_t max_bytes, size_t* released,
                                           size_t* still_held) {
  if (stream_.streamCompleted() || !response_ || filter_index >= response_->filterCount()) {
    return SY_ERR_BAD_STATE;
  }
  sy_result result =
      response_->release(response_invoker_->filterAt(filter_index), max_bytes, released, still_held);
  // What left the pipeline now waits in the client's write queue.
  stream_.onFilterResumed(false);
  return result;
}

sy_result FilterChain::sendLocalReply(size_t filter_index, int status, std::string_view body,
                                      std::string_view content_type, std::string_view details) {
  return stream_.onFilterLocalReply(filter_index, status, body, content_type, details);
}

sy_result FilterChain::resetStream(std::string_view details) { return stream_.onFilterReset(details); }

sy_result FilterChain::property(sy_stream_property property, sy_slice* value) {
  return stream_.streamProperty(property, value);
}

sy_result FilterChain::setAttribute(std::string_view key, std::string_view value) {
  attributes_[std::string(key)] = std::string(value);
  return SY_OK;
}

sy_result FilterChain::getAttribute(std::string_view key, sy_slice* value) {
  auto it = attributes_.find(std::string(key));
  if (it == attributes_.end()) return SY_ERR_NOT_FOUND;
  *value = sy_slice{it->second.data(), it->second.size()};
  return SY_OK;
}

sy_result FilterChain::addResponseFlag(std::string_view flag) {
  if (flag.empty() || flag.size() > 16) return SY_ERR_INVALID_ARGUMENT;
  stream_.onFilterResponseFlag(flag);
  return SY_OK;
}

sy_result FilterChain::setRequestId(std::string_view id) {
  constexpr size_t kMaxRequestIdBytes = 128;
  if (id.empty() || id.size() > kMaxRequestIdBytes) return SY_ERR_INVALID_ARGUMENT;
  for (char c : id) {
    if (c <= ' ' || c > '~') return SY_ERR_INVALID_ARGUMENT;
  }
  return stream_.onFilterRequestId(id);
}

sy_result FilterChain::retryAttempt(uint64_t delay_ms, bool exclude_tried_hosts) {
  if (sy_result refused = stream_.attemptControlAllowed(); refused != SY_OK) return refused;
  return upstream_.retry(delay_ms, exclude_tried_hosts);
}

sy_result FilterChain::startParallelAttempt(bool exclude_tried_hosts) {
  if (sy_result refused = stream_.attemptControlAllowed(); refused != SY_OK) return refused;
  return upstream_.startParallel(exclude_tried_hosts);
}

sy_result FilterChain::cancelAttempt(uint32_t number, sy_attempt_outcome reason) {
  return upstream_.cancel(number, reason);
}

sy_result FilterChain::rejectAttemptResponse() { return upstream_.rejectResponse(); }

}  // namespace switchyard::server
