// UpstreamRequest's attempt bookkeeping (upstream_request.h): how each
// attempt's end is reported (to the filters, outlier detection and the
// cluster's stats), retired, and what follows when none is left.
#include "router/upstream_request.h"

#include <algorithm>
#include <chrono>

#include "common/log.h"
#include "router/attempt_info.h"
#include "router/upstream_head.h"

namespace switchyard::router {

namespace {

stats::AttemptEnd attemptEndOf(sy_attempt_outcome outcome) {
  switch (outcome) {
    case SY_ATTEMPT_RESPONSE: return stats::AttemptEnd::kResponse;
    case SY_ATTEMPT_CONNECT_FAILURE: return stats::AttemptEnd::kConnectFailure;
    case SY_ATTEMPT_RESET_BEFORE_HEADERS:
    case SY_ATTEMPT_RESET_AFTER_HEADERS: return stats::AttemptEnd::kReset;
    case SY_ATTEMPT_TIMED_OUT: return stats::AttemptEnd::kTimeout;
    default: return stats::AttemptEnd::kCancelled;
  }
}

}  // namespace

bool UpstreamRequest::reportFinished(const UpstreamAttempt& attempt, sy_attempt_outcome outcome, int status,
                                     const http::HeaderMap* response_headers, std::string_view details) {
  sy_attempt_info info = attemptInfo(attempt);
  info.outcome = outcome;
  info.status = uint32_t(status);
  info.response_headers = response_headers != nullptr
                              ? reinterpret_cast<const sy_headers*>(response_headers)
                              : nullptr;
  info.details = sliceOf(details);
  SY_LOG(kDebug, "attempt %u to %s: %s %d (%.*s)", attempt.number(), attempt.hostText().c_str(),
         sy_attempt_outcome_name(outcome), status, int(details.size()), details.data());
  upstream::OutlierDetector* outliers = cluster_->outlier_detector;
  if (outliers != nullptr && outliers->recordAttempt(attempt.endpointIndex(), outcome, status)) {
    cluster_metrics_->hostEjected();
  }
  auto elapsed = std::chrono::steady_clock::now() - attempt.startedAt();
  cluster_metrics_->attemptEnded(attempt.endpointIndex(), attemptEndOf(outcome), status,
                                 uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()));
  Judgement judgement{&attempt};
  Judgement* outer = judgement_;
  judgement_ = outcome == SY_ATTEMPT_RESPONSE ? &judgement : nullptr;
  callbacks_.runAttemptFinished(info);
  judgement_ = outer;
  return judgement.rejected;
}

void UpstreamRequest::retire(UpstreamAttempt& attempt, bool reuse_connection) {
  if (!attempt.discarding()) attempt.release(reuse_connection);
  if (attempt.number() > 1) changeActiveRetries(-1);
  if (&attempt == accepted_) accepted_ = nullptr;
  auto it = std::find_if(attempts_.begin(), attempts_.end(), [&](const auto& a) { return a.get() == &attempt; });
  if (it == attempts_.end()) return;
  (attempt.discarding() ? discarding_ : parked_).push_back(std::move(*it));
  attempts_.erase(it);
}

void UpstreamRequest::afterAttemptFailed(sy_attempt_outcome outcome, const std::string& reason) {
  if (closed_ || accepted_ != nullptr) return;
  if (pending_retry_.pending() || !attempts_.empty() || !queued_hedges_.empty()) return;  // something else may answer
  FailureReply reply = failureReplyFor(outcome, reason);
  // Nothing is in flight or pending: the request is over. Closing first
  // makes whatever runs inside the report (a local reply, a hook) find it
  // closed, so the failure is reported once.
  close();
  callbacks_.addResponseFlag(reply.flag);
  callbacks_.onUpstreamFailed(reply.status, reply.body, reason);
}

void UpstreamRequest::refuseAttempt(const std::string& reason) {
  if (!attempts_.empty() || pending_retry_.pending() || !queued_hedges_.empty()) return;  // something else may answer
  close();
  callbacks_.addResponseFlag(SY_FLAG_UPSTREAM_OVERFLOW);
  callbacks_.onUpstreamOverloaded(reason.empty() ? "refused" : reason);
}

void UpstreamRequest::failNoHost() {
  if (!attempts_.empty() || pending_retry_.pending() || !queued_hedges_.empty()) return;  // something else may answer
  close();
  callbacks_.addResponseFlag(SY_FLAG_NO_HEALTHY_UPSTREAM);
  callbacks_.onUpstreamFailed(503, "no healthy upstream\n", "no_healthy_upstream");
}

void UpstreamRequest::cancelAttempts(sy_attempt_outcome outcome, std::string_view details) {
  pending_retry_.cancel();
  queued_hedges_.clear();
  std::vector<UpstreamAttempt*> cancelled;
  for (auto& attempt : attempts_) {
    if (attempt.get() != accepted_) cancelled.push_back(attempt.get());
  }
  for (UpstreamAttempt* attempt : cancelled) {
    retire(*attempt, false);
    // The attempt whose response is being judged already has its outcome.
    if (judgement_ == nullptr || judgement_->attempt != attempt) reportFinished(*attempt, outcome, 0, nullptr, details);
  }
}

void UpstreamRequest::changeActiveRetries(int64_t delta) {
  active_retries_ += delta;
  if (cluster_counters_ == nullptr) return;
  if (delta > 0) {
    cluster_counters_->active_retries.fetch_add(uint64_t(delta), std::memory_order_relaxed);
  } else if (delta < 0) {
    cluster_counters_->active_retries.fetch_sub(uint64_t(-delta), std::memory_order_relaxed);
  }
}

}  // namespace switchyard::router
