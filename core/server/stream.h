// Stream: one HTTP request/response exchange on a downstream connection.
//
// It runs the request through the listener's filters (FilterPipeline), then
// the router as the terminal step (route match, cluster, then one or more
// UpstreamAttempts), and runs the accepted response back through the filters
// in reverse to the downstream connection. It also implements what filters
// can ask of the host (continue, local reply, reset, properties, attributes,
// timers, and from ABI 1.1 retries, hedges and cancels of attempts) through
// the per-filter handles it gives them.
//
// Attempts: each attempt's outcome goes to every filter's attempt_finished
// hook. A response nobody rejects is accepted and the other attempts are
// cancelled; a failure with nothing in flight and no retry pending gets the
// client 502/503/504. While a filter may retry, the request head and up to
// request_replay_buffer_bytes of body are kept to send again.
#pragma once

#include <switchyard/filter.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/header_map.h"
#include "http/request_decoder.h"
#include "server/filter_pipeline.h"
#include "server/proxy_config.h"
#include "server/upstream_attempt.h"
#include "upstream/cluster_manager.h"

namespace switchyard::module {
struct FilterTimer;
}

namespace switchyard::server {

class DownstreamConnection;
class Worker;
class Stream;

// What a filter's sy_stream* points at: the stream as seen by one filter,
// so that "continue" knows whose stop it ends.
struct FilterHandle {
  Stream* stream;
  size_t filter_index;
};

class Stream : private AttemptEvents {
 public:
  Stream(DownstreamConnection& connection, Worker& worker, const ListenerConfig& listener, uint64_t id);
  ~Stream() override;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // From the downstream decoder.
  void onRequestHeaders(http::HeaderMap&& headers, const http::RequestInfo& info);
  void onRequestBody(std::string_view data);
  void onRequestTrailers(http::HeaderMap&& trailers);
  void onRequestComplete();
  // The downstream connection closed or failed under the stream.
  void onDownstreamReset();
  // The downstream write queue drained below the low watermark.
  void onDownstreamWriteDrained();
  // Reply without filters or upstream (decoder errors, timeouts).
  void sendErrorReply(int status, std::string_view details);
  // Writes request bytes held during a downstream read to the upstream.
  void flushUpstream();

  bool requestComplete() const { return request_complete_; }
  bool responseComplete() const { return response_complete_; }
  bool responseStarted() const { return response_headers_sent_; }

  // Host API, called through a filter's handle.
  sy_result continueRequest(size_t filter_index);
  sy_result continueResponse(size_t filter_index);
  sy_result sendLocalReply(size_t filter_index, int status, std::string_view body,
                           std::string_view content_type, std::string_view details);
  sy_result resetFromFilter(std::string_view details);
  sy_result property(sy_stream_property property, sy_slice* value);
  sy_result setAttribute(std::string_view key, std::string_view value);
  sy_result getAttribute(std::string_view key, sy_slice* value);
  void adoptTimer(module::FilterTimer* timer);
  // ABI 1.1: upstream attempts and response flags.
  sy_result retryAttempt(uint64_t delay_ms, bool exclude_tried_hosts);
  sy_result startParallelAttempt(bool exclude_tried_hosts);
  sy_result cancelAttempt(uint32_t number, sy_attempt_outcome reason);
  sy_result rejectAttemptResponse();
  uint32_t attemptCount() const { return attempt_count_; }
  sy_result clusterStats(sy_cluster_stats* stats);
  sy_result addResponseFlag(std::string_view flag);
  Worker& worker() { return worker_; }

 private:
  class RequestInvoker;
  class ResponseInvoker;
  friend class RequestInvoker;
  friend class ResponseInvoker;

  struct FilterInstance {
    const module::FilterConfig* config = nullptr;
    void* context = nullptr;
    FilterHandle handle;
  };

  sy_stream* handleOf(size_t filter_index);
  const sy_filter_module& moduleOf(size_t filter_index) const;
  // False when a filter's stream_new failed; the stream is answered 500.
  bool createFilterContexts();

  // Router: terminal of the request direction.
  void routeRequest(http::HeaderMap& headers, bool end_stream);
  void sendUpstreamBody(std::string& data, bool end_stream);
  void sendUpstreamTrailers(http::HeaderMap& trailers);
  // Framed request bytes after the head: kept for replay, sent to every
  // attempt in flight.
  void writeUpstream(std::string&& data);

  // Attempts.
  void startAttempt(bool hedged, bool exclude_tried_hosts);
  void startQueuedAttempts();
  static void onRetryTimer(uv_timer_t* timer);
  // Runs every filter's attempt_finished; true when one rejected the
  // response (SY_ATTEMPT_RESPONSE only).
  bool reportAttemptFinished(const UpstreamAttempt& attempt, sy_attempt_outcome outcome, int status,
                             const http::HeaderMap* response_headers, std::string_view details);
  // Moves an attempt out of the in-flight set (it may still be on the
  // stack, so it is kept until the stream ends) and returns it.
  UpstreamAttempt& retireAttempt(UpstreamAttempt& attempt, bool reuse_connection);
  // After an attempt ended without an accepted response: wait for another
  // attempt or a pending retry, else answer the client.
  void afterAttemptFailed(sy_attempt_outcome outcome, const std::string& reason);
  // Ends every attempt in flight except the accepted one and drops a
  // pending retry, reporting each as `outcome`.
  void cancelAttempts(sy_attempt_outcome outcome, std::string_view details);
  void releaseUpstream(bool reuse_connection);
  void changeActiveRetries(int64_t delta);
  void onAttemptHeaders(UpstreamAttempt& attempt, http::HeaderMap&& headers,
                        const http::ResponseInfo& info) override;
  void onAttemptBody(UpstreamAttempt& attempt, std::string_view data) override;
  void onAttemptTrailers(UpstreamAttempt& attempt, http::HeaderMap&& trailers) override;
  void onAttemptComplete(UpstreamAttempt& attempt) override;
  void onAttemptFailure(UpstreamAttempt& attempt, upstream::UpstreamFailure failure,
                        const std::string& reason) override;
  void onAttemptWriteDrained(UpstreamAttempt& attempt) override;

  // Response direction.
  void startResponse(size_t filter_count);
  void writeResponseHead(http::HeaderMap& headers, bool end_stream);
  void writeResponseBody(std::string& data, bool end_stream);
  void writeResponseTrailers(http::HeaderMap& trailers);
  void respondLocally(size_t filter_count, int status, std::string_view body, std::string_view content_type,
                      std::string_view details);
  void finishResponse();
  void applyRequestFlowControl();
  void applyResponseFlowControl();

  void maybeComplete();
  void complete();
  void recordResponseStatus(int status);

  DownstreamConnection& connection_;
  Worker& worker_;
  const ListenerConfig& listener_;
  const uint64_t id_;
  std::string id_text_;
  uint64_t start_ms_;

  http::RequestInfo request_info_;
  std::string request_method_;
  std::string request_path_;
  const router::RouteEntry* route_ = nullptr;
  upstream::ClusterState* cluster_ = nullptr;  // this worker's state of the route's cluster
  ClusterCounters* cluster_counters_ = nullptr;  // set while counted as an active request
  http::HeaderMap upstream_headers_;  // the request head every attempt starts from
  bool upstream_request_complete_ = false;  // the whole request went upstream-bound
  bool upstream_request_chunked_ = false;
  bool upstream_response_complete_ = false;
  std::string upstream_host_text_;  // the latest attempt's host

  // Attempts in flight, in start order; the accepted one stays here until
  // its response ends. Finished ones are kept until the stream ends because
  // their callbacks may still be on the stack.
  std::vector<std::unique_ptr<UpstreamAttempt>> attempts_;
  std::vector<std::unique_ptr<UpstreamAttempt>> retired_attempts_;
  UpstreamAttempt* response_attempt_ = nullptr;  // the accepted one
  uint32_t attempt_count_ = 0;
  std::vector<size_t> tried_endpoints_;
  // Framed request body after the head, kept while a filter may retry.
  std::string replay_body_;
  bool replay_overflowed_ = false;
  // A retry requested by a filter, started when retry_timer_ fires.
  bool retry_pending_ = false;
  bool retry_excludes_tried_hosts_ = false;
  uv_timer_t* retry_timer_ = nullptr;
  // Parallel attempts asked for while attempt hooks run; started after.
  std::vector<bool> queued_parallel_attempts_;  // each: exclude tried hosts
  int attempt_hook_depth_ = 0;
  // Set while attempt_finished hooks judge a response.
  const UpstreamAttempt* judged_attempt_ = nullptr;
  bool judged_response_rejected_ = false;
  int64_t active_retries_ = 0;  // this stream's share of the cluster's active_retries
  std::vector<std::string> response_flags_;

  std::vector<FilterInstance> filters_;
  // Filters [0, filters_with_context_) got stream_new (successfully, or had
  // none): only they get stream hooks, stream_complete and stream_destroy.
  size_t filters_with_context_ = 0;
  std::unique_ptr<RequestInvoker> request_invoker_;
  std::unique_ptr<ResponseInvoker> response_invoker_;
  std::unique_ptr<FilterPipeline> request_;
  std::unique_ptr<FilterPipeline> response_;
  // A local reply replaces the response pipeline while one of its hooks may
  // still be on the stack; the old one lives until the stream does.
  std::vector<std::unique_ptr<FilterPipeline>> retired_pipelines_;

  bool request_complete_ = false;
  bool request_abandoned_ = false;  // answered before the request ended
  bool response_headers_sent_ = false;
  bool response_chunked_ = false;
  bool response_has_body_ = true;
  bool response_complete_ = false;
  bool close_connection_after_ = false;
  bool reading_paused_for_upstream_ = false;
  bool upstream_paused_for_downstream_ = false;
  bool completed_ = false;
  bool answered_ = false;  // answered locally or reset: no more attempts
  int response_status_ = 0;
  uint64_t response_body_bytes_ = 0;
  std::string response_details_;

  std::unordered_map<std::string, std::string> attributes_;
  std::vector<module::FilterTimer*> timers_;
  std::string property_scratch_;
};

}  // namespace switchyard::server
