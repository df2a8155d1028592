// UpstreamRequest: the router's side of one stream — the route (matched
// once), the cluster, the choice of hosts, the attempts (retries and hedges),
// the replay copy of the request, the retry timer, and the response flags
// that follow from how the attempts ended. The stream feeds it the request
// the filters let through and hears back through UpstreamRequestCallbacks.
//
// Attempts: before one starts, its host (the balancer's pick) is offered to
// the filters' attempt_admit hooks, which may refuse it (another host is
// picked) or the attempt. Each attempt's outcome goes to the filters'
// attempt_finished hooks. A response nobody rejects is accepted and the other attempts are
// cancelled; a failure with nothing in flight and no retry pending ends the
// request with 502/503/504. While a filter asks for request replay, the
// request head and up to the replay limit of body are kept to send again.
//
// Re-entrancy, the one rule: filters run inside this object (attempt hooks)
// and call back into it (retry, hedge, cancel, reject), and the stream may
// close it from a hook (a local reply). So every entry point — a stream
// call, a filter call, an attempt event, the retry timer — holds an
// EntryGuard. While one is held, an attempt that ends is parked rather than
// destroyed and a hedge asked for is queued; when the outermost guard is
// released the queued hedges start and the parked attempts are destroyed.
// After running hooks, code checks closed() before going on.
//
// The attempt bookkeeping (reports, retiring, what follows the last
// failure) is in upstream_request_attempts.cc.
#pragma once

#include <switchyard/filter.h>
#include <uv.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/proxy_config.h"
#include "http/header_map.h"
#include "router/pending_retry.h"
#include "router/route_table.h"
#include "router/upstream_attempt.h"
#include "upstream/cluster_manager.h"

namespace switchyard::router {

class UpstreamRequestCallbacks {
 public:
  // The filters' attempt hooks, in listener order. attempt_started may edit
  // `headers`, this attempt's own copy of the request head.
  virtual void runAttemptStarted(const sy_attempt_info& attempt, http::HeaderMap& headers) = 0;
  virtual void runAttemptFinished(const sy_attempt_info& attempt) = 0;
  // The filters' attempt_admit hooks (ABI 1.3) for a candidate host; a
  // refusal may set *reason.
  virtual sy_admission runAttemptAdmit(const sy_attempt_info& candidate, std::string* reason) = 0;
  // The accepted response (hop-by-hop headers removed), then its body.
  virtual void onUpstreamResponseHeaders(http::HeaderMap&& headers, bool end_stream) = 0;
  virtual void onUpstreamResponseBody(std::string_view data) = 0;
  virtual void onUpstreamResponseTrailers(http::HeaderMap&& trailers) = 0;
  virtual void onUpstreamResponseComplete() = 0;
  // Every attempt failed and none is pending: the client gets `status`.
  virtual void onUpstreamFailed(int status, std::string_view body, std::string_view details) = 0;
  // The filters refused the only attempt (attempt_admit): the client gets
  // 503 with `reason` in x-switchyard-overloaded.
  virtual void onUpstreamOverloaded(std::string_view reason) = 0;
  // The accepted response broke off mid-body: `reason` for a reply body,
  // `details` (the failure's name) for the log.
  virtual void onUpstreamResponseReset(std::string_view reason, std::string_view details) = 0;
  // Request bytes queued for the upstream fell; the stream may read more.
  virtual void onUpstreamRequestDrained() = 0;
  virtual void addResponseFlag(sy_response_flag flag) = 0;
  // True while the downstream connection parses the bytes of one read: the
  // request bytes it produces are held and written once per read.
  virtual bool downstreamDispatching() const = 0;

 protected:
  ~UpstreamRequestCallbacks() = default;
};

class UpstreamRequest : private AttemptEvents {
 public:
  UpstreamRequest(UpstreamRequestCallbacks& callbacks, uv_loop_t* loop, const RouteTable& routes,
                  const config::ProxyConfig& config, upstream::ClusterManager& clusters,
                  size_t replay_buffer_bytes);
  ~UpstreamRequest() override;
  UpstreamRequest(const UpstreamRequest&) = delete;
  UpstreamRequest& operator=(const UpstreamRequest&) = delete;

  // Matches the request as it arrived (filters get the route's config).
  void selectRoute(const http::HeaderMap& headers);
  // The filters let the request head through: matches again only if they
  // changed :path or :authority, then starts the first attempt. False when
  // no route matches (nothing is sent; the stream answers 404).
  bool start(http::HeaderMap& headers, bool end_stream, const std::string& client_ip);
  // Request body and trailers after the filters, framed for the upstream.
  void sendBody(std::string& data, bool end_stream);
  void sendTrailers(http::HeaderMap& trailers);
  // Writes what was held while the downstream parsed one read.
  void flush();
  // Ends every attempt and a pending retry, reporting them cancelled; the
  // accepted response's connection goes back to the pool when its exchange
  // completed. Nothing is reported to the stream afterwards.
  void close();

  // Filter calls (ABI 1.1); see sy_host_api.
  sy_result retry(uint64_t delay_ms, bool exclude_tried_hosts);
  sy_result startParallel(bool exclude_tried_hosts);
  sy_result cancel(uint32_t number, sy_attempt_outcome reason);
  sy_result rejectResponse();
  uint32_t attemptCount() const { return attempt_count_; }
  sy_result clusterStats(sy_cluster_stats* stats) const;

  // Response flow control, from the downstream write queue.
  void pauseResponse();
  void resumeResponse();
  // Request bytes not yet on the wire to the slowest attempt.
  size_t queuedRequestBytes() const;

  const RouteEntry* route() const { return route_; }
  const std::string& upstreamHost() const { return upstream_host_text_; }
  bool closed() const { return closed_; }
  bool responseComplete() const { return response_complete_; }
  bool replayKept() const { return replay_buffer_bytes_ > 0 && !replay_overflowed_; }

 private:
  class EntryGuard;
  // The response under judgement while attempt_finished hooks run for it.
  struct Judgement {
    const UpstreamAttempt* attempt;
    bool rejected = false;
  };

  void startAttempt(bool hedged, bool exclude_tried_hosts);
  void startQueuedAttempts();
  void settle();
  // The pending retry's back-off is over.
  void onRetryDue(bool exclude_tried_hosts);
  void writeUpstream(std::string&& data);
  // Runs attempt_finished; true when a filter rejected the response.
  bool reportFinished(const UpstreamAttempt& attempt, sy_attempt_outcome outcome, int status,
                      const http::HeaderMap* response_headers, std::string_view details);
  // Moves an attempt out of the in-flight set, parked until it is safe to
  // destroy (or kept reading when it discards its response).
  void retire(UpstreamAttempt& attempt, bool reuse_connection);
  // After an attempt ended without an accepted response: wait for another
  // attempt or a pending retry, else fail the request.
  void afterAttemptFailed(sy_attempt_outcome outcome, const std::string& reason);
  // The filters refused an attempt on every host: unless something else
  // may still answer, the request ends overloaded (503, UO).
  void refuseAttempt(const std::string& reason);
  // The cluster has no host yet (discovery): unless something else may
  // still answer, 503 with flag UH.
  void failNoHost();
  // Ends the attempts in flight except the accepted one and a pending
  // retry, reporting each as `outcome`.
  void cancelAttempts(sy_attempt_outcome outcome, std::string_view details);
  void changeActiveRetries(int64_t delta);

  void onAttemptHeaders(UpstreamAttempt& attempt, http::HeaderMap&& headers, const http::ResponseInfo& info) override;
  void onAttemptBody(UpstreamAttempt& attempt, std::string_view data) override;
  void onAttemptTrailers(UpstreamAttempt& attempt, http::HeaderMap&& trailers) override;
  void onAttemptComplete(UpstreamAttempt& attempt) override;
  void onAttemptFailure(UpstreamAttempt& attempt, upstream::UpstreamFailure failure,
                        const std::string& reason) override;
  void onAttemptWriteDrained(UpstreamAttempt& attempt) override;

  UpstreamRequestCallbacks& callbacks_;
  const RouteTable& routes_;
  const config::ProxyConfig& config_;
  upstream::ClusterManager& clusters_;
  const size_t replay_buffer_bytes_;  // 0: no filter replays, nothing is kept
  PendingRetry pending_retry_;

  const RouteEntry* route_ = nullptr;
  std::string matched_path_;       // what route_ was matched on
  std::string matched_authority_;
  upstream::ClusterState* cluster_ = nullptr;           // this worker's state of the route's cluster
  config::ClusterCounters* cluster_counters_ = nullptr;  // set while counted as an active request
  const stats::ClusterMetrics* cluster_metrics_ = nullptr;  // the route's cluster's, once started
  std::string method_;
  std::optional<uint64_t> hash_key_;  // from the route's hash_policy, for every attempt
  http::HeaderMap head_;  // the request head every attempt starts from
  bool request_chunked_ = false;
  bool request_complete_ = false;   // the whole request went upstream-bound
  bool response_complete_ = false;  // the accepted response ended
  bool closed_ = false;
  std::string upstream_host_text_;  // the latest attempt's host

  // In flight, in start order; the accepted one stays until its response ends.
  std::vector<std::unique_ptr<UpstreamAttempt>> attempts_;
  UpstreamAttempt* accepted_ = nullptr;
  int accepted_status_ = 0;
  // Ended attempts, destroyed when the outermost entry returns.
  std::vector<std::unique_ptr<UpstreamAttempt>> parked_;
  // Attempts reading a rejected response to its end to keep the connection.
  std::vector<std::unique_ptr<UpstreamAttempt>> discarding_;
  int entry_depth_ = 0;
  std::vector<bool> queued_hedges_;  // each: exclude tried hosts
  Judgement* judgement_ = nullptr;
  uint32_t attempt_count_ = 0;
  std::vector<size_t> tried_hosts_;
  std::string replay_body_;  // framed request body after the head
  bool replay_overflowed_ = false;
  int64_t active_retries_ = 0;  // this request's share of the cluster's active_retries
};

}  // namespace switchyard::router
