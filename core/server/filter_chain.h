// FilterChain: one stream's filters — their instances and per-stream
// contexts, the request pipeline (listener order) and the response pipeline
// (reverse order), stream timers and attributes — and the implementation of
// module::StreamServices, what the filter host API asks of a stream.
//
// The chain owns nothing of HTTP framing or the upstream: what leaves the
// last filter goes to the stream (FilterChainCallbacks), and attempt calls
// go to the stream's router::UpstreamRequest.
#pragma once

#include <switchyard/filter.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/header_map.h"
#include "module/filter_chain_config.h"
#include "module/stream_services.h"
#include "router/upstream_request.h"
#include "server/filter_pipeline.h"

namespace switchyard::server {

class FilterChainCallbacks {
 public:
  // What passed every filter of its direction.
  virtual void onFilteredRequestHeaders(http::HeaderMap& headers, bool end_stream) = 0;
  virtual void onFilteredRequestBody(std::string& body, bool end_stream) = 0;
  virtual void onFilteredRequestTrailers(http::HeaderMap& trailers) = 0;
  virtual void onFilteredResponseHeaders(http::HeaderMap& headers, bool end_stream) = 0;
  virtual void onFilteredResponseBody(std::string& body, bool end_stream) = 0;
  virtual void onFilteredResponseTrailers(http::HeaderMap& trailers) = 0;
  // A filter held more than the buffer limit in that direction.
  virtual void onFilterBufferOverflow(bool request_direction) = 0;
  // What filters ask of the stream itself.
  virtual sy_result onFilterLocalReply(size_t filter_index, int status, std::string_view body,
                                       std::string_view content_type, std::string_view details) = 0;
  virtual sy_result onFilterReset(std::string_view details) = 0;
  virtual sy_result streamProperty(sy_stream_property property, sy_slice* value) = 0;
  virtual void onFilterResponseFlag(std::string_view flag) = 0;
  virtual sy_result onFilterRequestId(std::string_view id) = 0;
  // Attempt calls are refused once the stream answered or sent its head.
  virtual sy_result attemptControlAllowed() const = 0;
  // A filter resumed a direction, or released part of what it held there:
  // re-check that direction's flow control.
  virtual void onFilterResumed(bool request_direction) = 0;
  // The exchange is over; filters can no longer move it.
  virtual bool streamCompleted() const = 0;

 protected:
  ~FilterChainCallbacks() = default;
};

class FilterChain : public module::StreamServices {
 public:
  FilterChain(FilterChainCallbacks& stream, module::WorkerServices& worker, const module::FilterChainConfig& config,
              router::UpstreamRequest& upstream, size_t buffer_limit);
  // Runs stream_destroy for every filter with a context, then frees timers.
  ~FilterChain();
  FilterChain(const FilterChain&) = delete;
  FilterChain& operator=(const FilterChain&) = delete;

  // Runs stream_new in order with the configs for `route_id`; false when
  // one failed (only the filters before it have contexts and see the rest).
  bool createContexts(size_t route_id);
  size_t filterCount() const { return filters_.size(); }
  size_t filtersWithContext() const { return filters_with_context_; }

  FilterPipeline& request() { return *request_; }
  // The response pipeline runs through filters [0, filter_count) in
  // reverse; a local reply from filter i starts a new one through [0, i).
  FilterPipeline& startResponse(size_t filter_count);
  FilterPipeline* response() { return response_.get(); }
  size_t heldBytes() const;

  // The filters' attempt hooks (router::UpstreamRequestCallbacks relays).
  void runAttemptStarted(const sy_attempt_info& attempt, http::HeaderMap& headers);
  void runAttemptFinished(const sy_attempt_info& attempt);
  // attempt_admit hooks in listener order until one refuses.
  sy_admission runAttemptAdmit(const sy_attempt_info& candidate, std::string* reason);
  void runStreamComplete();

  // module::StreamServices
  sy_result continueRequest(size_t filter_index) override;
  sy_result continueResponse(size_t filter_index) override;
  sy_result releaseResponseBody(size_t filter_index, size_t max_bytes, size_t* released,
                                size_t* still_held) override;
  sy_result sendLocalReply(size_t filter_index, int status, std::string_view body, std::string_view content_type,
                           std::string_view details) override;
  sy_result resetStream(std::string_view details) override;
  sy_result property(sy_stream_property property, sy_slice* value) override;
  sy_result setAttribute(std::string_view key, std::string_view value) override;
  sy_result getAttribute(std::string_view key, sy_slice* value) override;
  sy_result addResponseFlag(std::string_view flag) override;
  sy_result setRequestId(std::string_view id) override;
  void adoptTimer(module::FilterTimer* timer) override { timers_.push_back(timer); }
  module::WorkerServices& worker() override { return worker_; }
  sy_result retryAttempt(uint64_t delay_ms, bool exclude_tried_hosts) override;
  sy_result startParallelAttempt(bool exclude_tried_hosts) override;
  sy_result cancelAttempt(uint32_t number, sy_attempt_outcome reason) override;
  sy_result rejectAttemptResponse() override;
  uint32_t attemptCount() const override { return upstream_.attemptCount(); }
  sy_result clusterStats(sy_cluster_stats* stats) override { return upstream_.clusterStats(stats); }

 private:
  class RequestInvoker;
  class ResponseInvoker;

  struct FilterInstance {
    const module::FilterConfig* config = nullptr;
    void* context = nullptr;
    module::FilterHandle handle;
  };

  sy_stream* handleOf(size_t filter_index) { return reinterpret_cast<sy_stream*>(&filters_[filter_index].handle); }
  const sy_filter_module& moduleOf(size_t filter_index) const {
    return *filters_[filter_index].config->module()->table;
  }

  FilterChainCallbacks& stream_;
  module::WorkerServices& worker_;
  const module::FilterChainConfig& config_;
  router::UpstreamRequest& upstream_;
  const size_t buffer_limit_;

  std::vector<FilterInstance> filters_;
  // Filters [0, filters_with_context_) got stream_new (successfully, or had
  // none): only they get stream hooks, stream_complete and stream_destroy.
  size_t filters_with_context_ = 0;
  std::unique_ptr<RequestInvoker> request_invoker_;
  std::unique_ptr<FilterPipeline> request_;
  std::unique_ptr<ResponseInvoker> response_invoker_;
  std::unique_ptr<FilterPipeline> response_;
  // A local reply replaces the response pipeline while one of its hooks may
  // still be on the stack; the old one lives as long as the chain.
  std::vector<std::unique_ptr<ResponseInvoker>> replaced_invokers_;
  std::vector<std::unique_ptr<FilterPipeline>> replaced_pipelines_;

  std::unordered_map<std::string, std::string> attributes_;
  std::vector<module::FilterTimer*> timers_;
};

}  // namespace switchyard::server
