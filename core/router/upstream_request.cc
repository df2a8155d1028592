#include "router/upstream_request.h"

#include <algorithm>

#include "common/log.h"
#include "common/uv_util.h"
#include "http/message_encoder.h"
#include "http/method.h"
#include "router/admitted_host.h"
#include "router/attempt_info.h"
#include "router/cluster_stats.h"
#include "router/hash_key.h"
#include "router/upstream_head.h"
#include "stats/core_metrics.h"

namespace switchyard::router {

// Held by every entry point; see the re-entrancy rule in the header.
class UpstreamRequest::EntryGuard {
 public:
  explicit EntryGuard(UpstreamRequest& request) : request_(request) { ++request_.entry_depth_; }
  ~EntryGuard() {
    if (request_.entry_depth_ == 1) request_.settle();
    --request_.entry_depth_;
  }
  EntryGuard(const EntryGuard&) = delete;
  EntryGuard& operator=(const EntryGuard&) = delete;

 private:
  UpstreamRequest& request_;
};

UpstreamRequest::UpstreamRequest(UpstreamRequestCallbacks& callbacks, uv_loop_t* loop, const RouteTable& routes,
                                 const config::ProxyConfig& config, upstream::ClusterManager& clusters,
                                 size_t replay_buffer_bytes)
    : callbacks_(callbacks),
      routes_(routes),
      config_(config),
      clusters_(clusters),
      replay_buffer_bytes_(replay_buffer_bytes),
      pending_retry_(loop, [this](bool exclude_tried_hosts) { onRetryDue(exclude_tried_hosts); }) {}

UpstreamRequest::~UpstreamRequest() {
  // Attempts end without reports: no filter hook may run from here on.
  closed_ = true;
  for (auto& attempt : attempts_) attempt->release(attempt.get() == accepted_ && response_complete_);
  if (cluster_counters_ != nullptr) cluster_counters_->active_requests.fetch_sub(1, std::memory_order_relaxed);
  changeActiveRetries(-active_retries_);
}

void UpstreamRequest::settle() {
  // Still inside the outermost entry (depth 1), so hedges started here park
  // what they end instead of destroying it under our feet.
  startQueuedAttempts();
  parked_.clear();
}

// ---------------------------------------------------------------------------
// Route and request

void UpstreamRequest::selectRoute(const http::HeaderMap& headers) {
  route_ = routes_.match(headers);
  matched_path_ = std::string(headers.get(":path").value_or(""));
  matched_authority_ = std::string(headers.get(":authority").value_or(""));
}

bool UpstreamRequest::start(http::HeaderMap& headers, bool end_stream, const std::string& client_ip) {
  EntryGuard guard(*this);
  // Filters may have changed what the route was matched on.
  if (headers.get(":path").value_or("") != matched_path_ ||
      headers.get(":authority").value_or("") != matched_authority_) {
    selectRoute(headers);
  }
  if (route_ == nullptr) return false;
  const config::ClusterConfig* cluster_config = config_.findCluster(route_->cluster);
  cluster_ = &clusters_.cluster(*cluster_config);
  cluster_counters_ = cluster_config->counters.get();
  cluster_metrics_ = cluster_config->metrics.get();
  cluster_counters_->active_requests.fetch_add(1, std::memory_order_relaxed);
  method_ = std::string(headers.get(":method").value_or(""));

  hash_key_ = requestHashKey(route_->hash_policies, headers, client_ip);
  head_ = upstreamHead(*route_, headers, end_stream, client_ip, &request_chunked_);
  request_complete_ = end_stream;
  if (replay_buffer_bytes_ > 0) stats::recordMetric(stats::CoreMetrics::get().upstream_rq_replay_kept);
  startAttempt(false, false);
  return true;
}

void UpstreamRequest::startAttempt(bool hedged, bool exclude_tried_hosts) {
  static const std::vector<size_t> kNoHostsToAvoid;
  const AttemptToPlace placing{attempt_count_ + 1, hedged, exclude_tried_hosts ? tried_hosts_ : kNoHostsToAvoid,
                               hash_key_};
  HostChoice choice = chooseAdmittedHost(*cluster_, placing, [&](const sy_attempt_info& candidate, std::string* reason) {
    return closed_ ? SY_ADMIT_REFUSE_ATTEMPT : callbacks_.runAttemptAdmit(candidate, reason);
  });
  if (closed_) return;
  if (!choice.host) {
    if (choice.no_host) {
      failNoHost();
      return;
    }
    refuseAttempt(choice.refusal_reason);
    return;
  }
  size_t host = *choice.host;
  if (std::find(tried_hosts_.begin(), tried_hosts_.end(), host) == tried_hosts_.end()) tried_hosts_.push_back(host);
  upstream::ConnectionPool& pool = *cluster_->pools[host];
  upstream_host_text_ = pool.endpoint().text;
  uint32_t number = ++attempt_count_;

  // Each attempt gets its own copy of the head, for attempt_started hooks
  // to change; without replay there is only ever this one attempt.
  http::HeaderMap attempt_headers = replay_buffer_bytes_ > 0 ? head_ : std::move(head_);
  auto attempt = std::make_unique<UpstreamAttempt>(static_cast<AttemptEvents&>(*this), number, hedged, host, pool,
                                                   cluster_->hosts, *cluster_counters_, method_ == "HEAD",
                                                   http::isIdempotentMethod(method_));
  callbacks_.runAttemptStarted(attemptInfo(*attempt), attempt_headers);
  if (closed_) return;

  std::string request;
  http::appendRequestHead(request, attempt_headers);
  request.append(replay_body_);
  if (request_complete_) attempt->markRequestSent();
  UpstreamAttempt& started = *attempt;
  attempts_.push_back(std::move(attempt));
  // Retries and hedges count against retry budgets while they load the
  // upstream, not while they wait out a back-off.
  if (number > 1) changeActiveRetries(1);
  stats::recordMetric(stats::CoreMetrics::get().upstream_rq_total);
  if (number > 1 && !hedged) stats::recordMetric(stats::CoreMetrics::get().upstream_rq_retry);
  cluster_metrics_->attemptStarted(host, number > 1 && !hedged, hedged);
  // The pool may fail or answer before start() returns; either arrives as
  // an attempt event.
  started.start(std::move(request), callbacks_.downstreamDispatching());
}

void UpstreamRequest::startQueuedAttempts() {
  while (!queued_hedges_.empty() && !closed_ && accepted_ == nullptr) {
    bool exclude = queued_hedges_.front();
    queued_hedges_.erase(queued_hedges_.begin());
    startAttempt(true, exclude);
  }
  queued_hedges_.clear();
}

void UpstreamRequest::onRetryDue(bool exclude_tried_hosts) {
  EntryGuard guard(*this);
  if (closed_ || accepted_ != nullptr) return;
  if (replay_overflowed_) {
    // The body outgrew the replay buffer during the back-off.
    afterAttemptFailed(SY_ATTEMPT_RESET_BEFORE_HEADERS, "request body outgrew the replay buffer");
    return;
  }
  startAttempt(false, exclude_tried_hosts);
}

void UpstreamRequest::writeUpstream(std::string&& data) {
  if (data.empty()) return;
  if (replay_buffer_bytes_ > 0 && !replay_overflowed_) {
    if (replay_body_.size() + data.size() > replay_buffer_bytes_) {
      replay_overflowed_ = true;
      std::string().swap(replay_body_);
    } else {
      replay_body_.append(data);
    }
  }
  // While the downstream connection is still parsing the bytes of one read,
  // attempts hold what it produces: one write per read, and a request whose
  // body turns out malformed in the same read never reaches the upstream.
  bool hold = callbacks_.downstreamDispatching();
  if (attempts_.size() == 1) {
    attempts_.front()->send(std::move(data), hold);
  } else {
    for (auto& attempt : attempts_) attempt->sendCopy(data, hold);
  }
  if (request_complete_) {
    for (auto& attempt : attempts_) attempt->markRequestSent();
  }
}

void UpstreamRequest::sendBody(std::string& data, bool end_stream) {
  if (closed_ || response_complete_) return;
  EntryGuard guard(*this);
  std::string framed;
  if (request_chunked_) {
    if (!data.empty()) {
      http::appendChunkPrefix(framed, data.size());
      framed.append(data);
      framed.append(http::kChunkSuffix);
    }
    if (end_stream) http::appendLastChunk(framed, nullptr);
  } else {
    framed = std::move(data);
  }
  if (end_stream) request_complete_ = true;
  writeUpstream(std::move(framed));
}

void UpstreamRequest::sendTrailers(http::HeaderMap& trailers) {
  if (closed_ || response_complete_) return;
  EntryGuard guard(*this);
  std::string framed;
  if (request_chunked_) http::appendLastChunk(framed, &trailers);
  request_complete_ = true;
  writeUpstream(std::move(framed));
}

void UpstreamRequest::flush() {
  for (auto& attempt : attempts_) attempt->flush();
}

size_t UpstreamRequest::queuedRequestBytes() const {
  // The slowest attempt sets the pace: every attempt gets every byte.
  size_t queued = 0;
  for (const auto& attempt : attempts_) queued = std::max(queued, attempt->queuedBytes());
  return queued;
}

void UpstreamRequest::pauseResponse() {
  if (accepted_ != nullptr) accepted_->pauseReading();
}

void UpstreamRequest::resumeResponse() {
  if (accepted_ != nullptr) accepted_->resumeReading();
}

void UpstreamRequest::close() {
  if (closed_) return;
  EntryGuard guard(*this);
  cancelAttempts(SY_ATTEMPT_CANCELLED, "stream ended");
  closed_ = true;
  if (accepted_ != nullptr) retire(*accepted_, request_complete_ && response_complete_);
  if (cluster_counters_ != nullptr) {
    cluster_counters_->active_requests.fetch_sub(1, std::memory_order_relaxed);
    cluster_counters_ = nullptr;
  }
}

// ---------------------------------------------------------------------------
// Filter calls

sy_result UpstreamRequest::retry(uint64_t delay_ms, bool exclude_tried_hosts) {
  if (closed_ || cluster_ == nullptr) return SY_ERR_BAD_STATE;
  if (accepted_ != nullptr) return SY_ERR_BAD_STATE;
  if (!replayKept()) return SY_ERR_NOT_REPLAYABLE;
  if (pending_retry_.pending()) return SY_ERR_LIMIT;
  pending_retry_.schedule(delay_ms, exclude_tried_hosts);
  if (judgement_ != nullptr) judgement_->rejected = true;
  return SY_OK;
}

sy_result UpstreamRequest::startParallel(bool exclude_tried_hosts) {
  if (closed_ || cluster_ == nullptr) return SY_ERR_BAD_STATE;
  if (accepted_ != nullptr) return SY_ERR_BAD_STATE;
  if (!replayKept()) return SY_ERR_NOT_REPLAYABLE;
  EntryGuard guard(*this);
  queued_hedges_.push_back(exclude_tried_hosts);
  stats::recordMetric(stats::CoreMetrics::get().upstream_rq_hedge);
  return SY_OK;
}

sy_result UpstreamRequest::cancel(uint32_t number, sy_attempt_outcome reason) {
  if (reason != SY_ATTEMPT_TIMED_OUT && reason != SY_ATTEMPT_CANCELLED) return SY_ERR_INVALID_ARGUMENT;
  if (closed_) return SY_ERR_BAD_STATE;
  EntryGuard guard(*this);
  std::vector<UpstreamAttempt*> targets;
  for (auto& attempt : attempts_) {
    if (attempt.get() != accepted_ && (number == 0 || attempt->number() == number)) targets.push_back(attempt.get());
  }
  if (targets.empty()) return SY_ERR_NOT_FOUND;
  const char* details = reason == SY_ATTEMPT_TIMED_OUT ? "attempt timed out" : "attempt cancelled";
  for (UpstreamAttempt* attempt : targets) {
    retire(*attempt, false);
    reportFinished(*attempt, reason, 0, nullptr, details);
  }
  afterAttemptFailed(reason, details);
  return SY_OK;
}

sy_result UpstreamRequest::rejectResponse() {
  if (judgement_ == nullptr) return SY_ERR_BAD_STATE;
  bool another_in_flight = attempts_.size() > 1 || !queued_hedges_.empty();
  if (!another_in_flight && !pending_retry_.pending()) return SY_ERR_BAD_STATE;
  judgement_->rejected = true;
  return SY_OK;
}

sy_result UpstreamRequest::clusterStats(sy_cluster_stats* stats) const {
  if (route_ == nullptr) return SY_ERR_NOT_FOUND;
  const config::ClusterConfig* cluster = config_.findCluster(route_->cluster);
  if (cluster == nullptr) return SY_ERR_NOT_FOUND;
  return readClusterStats(*cluster->counters, stats);
}

// ---------------------------------------------------------------------------
// Attempt events

void UpstreamRequest::onAttemptHeaders(UpstreamAttempt& attempt, http::HeaderMap&& headers,
                                       const http::ResponseInfo& info) {
  EntryGuard guard(*this);
  int status = http::statusOf(headers);
  bool rejected = reportFinished(attempt, SY_ATTEMPT_RESPONSE, status, &headers, "response");
  if (closed_) return;
  if (rejected) {
    // A filter retries or waits for another attempt: this response never
    // reaches the client; its connection goes back to the pool once the
    // rest of it has been read, when that is cheap.
    attempt.discardResponse();
    retire(attempt, false);
    afterAttemptFailed(SY_ATTEMPT_RESPONSE, "response " + std::to_string(status) + " rejected");
    return;
  }
  accepted_ = &attempt;
  accepted_status_ = status;
  upstream_host_text_ = attempt.hostText();
  cancelAttempts(SY_ATTEMPT_CANCELLED, "another attempt's response was accepted");
  if (info.end_stream) response_complete_ = true;
  http::removeHopByHopHeaders(headers);
  callbacks_.onUpstreamResponseHeaders(std::move(headers), info.end_stream);
}

void UpstreamRequest::onAttemptBody(UpstreamAttempt& attempt, std::string_view data) {
  if (&attempt != accepted_ || closed_) return;
  EntryGuard guard(*this);
  callbacks_.onUpstreamResponseBody(data);
}

void UpstreamRequest::onAttemptTrailers(UpstreamAttempt& attempt, http::HeaderMap&& trailers) {
  if (&attempt != accepted_ || closed_) return;
  EntryGuard guard(*this);
  callbacks_.onUpstreamResponseTrailers(std::move(trailers));
}

void UpstreamRequest::onAttemptComplete(UpstreamAttempt& attempt) {
  if (&attempt != accepted_ || closed_) return;
  EntryGuard guard(*this);
  response_complete_ = true;
  if (request_complete_) retire(attempt, true);
  callbacks_.onUpstreamResponseComplete();
}

void UpstreamRequest::onAttemptFailure(UpstreamAttempt& attempt, upstream::UpstreamFailure failure,
                                       const std::string& reason) {
  if (closed_) return;
  EntryGuard guard(*this);
  if (&attempt == accepted_) {
    // The accepted response broke off: nothing can be retried any more.
    retire(attempt, false);
    reportFinished(attempt, SY_ATTEMPT_RESET_AFTER_HEADERS, accepted_status_, nullptr, reason);
    if (closed_) return;
    callbacks_.addResponseFlag(SY_FLAG_UPSTREAM_CONNECTION_TERMINATION);
    callbacks_.onUpstreamResponseReset(reason, upstream::upstreamFailureName(failure));
    return;
  }
  sy_attempt_outcome outcome = failure == upstream::UpstreamFailure::kConnectFailure
                                   ? SY_ATTEMPT_CONNECT_FAILURE
                                   : SY_ATTEMPT_RESET_BEFORE_HEADERS;
  retire(attempt, false);
  reportFinished(attempt, outcome, 0, nullptr, reason);
  afterAttemptFailed(outcome, reason);
}

void UpstreamRequest::onAttemptWriteDrained(UpstreamAttempt&) {
  if (closed_) return;
  callbacks_.onUpstreamRequestDrained();
}

}  // namespace switchyard::router
