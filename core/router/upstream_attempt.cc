#include "router/upstream_attempt.h"

namespace switchyard::router {

UpstreamAttempt::UpstreamAttempt(AttemptEvents& events, uint32_t number, bool hedged, size_t endpoint_index,
                                 upstream::ConnectionPool& pool, upstream::HostSet& hosts,
                                 config::ClusterCounters& counters, bool head_request, bool idempotent)
    : events_(events),
      number_(number),
      hedged_(hedged),
      endpoint_index_(endpoint_index),
      pool_(pool),
      host_text_(pool.endpoint().text),
      hosts_(hosts),
      counters_(counters),
      head_request_(head_request),
      idempotent_(idempotent) {}

UpstreamAttempt::~UpstreamAttempt() { release(false); }

void UpstreamAttempt::setWaitingForPool(bool waiting) {
  if (waiting == waiting_for_pool_) return;
  waiting_for_pool_ = waiting;
  if (waiting) {
    counters_.pending_requests.fetch_add(1, std::memory_order_relaxed);
  } else {
    counters_.pending_requests.fetch_sub(1, std::memory_order_relaxed);
  }
}

void UpstreamAttempt::setActiveOnHost(bool active) {
  if (active == active_on_host_) return;
  active_on_host_ = active;
  if (active) {
    hosts_.onRequestStarted(endpoint_index_);
  } else {
    hosts_.onRequestFinished(endpoint_index_);
  }
}

void UpstreamAttempt::start(std::string&& request, bool hold) {
  pending_ = std::move(request);
  held_ = hold;
  setActiveOnHost(true);
  setWaitingForPool(true);
  // May answer before returning (an idle pooled connection).
  pool_.request(*this);
}

void UpstreamAttempt::onPoolReady(upstream::PooledConnection& connection, bool reused) {
  setWaitingForPool(false);
  connection_ = &connection;
  connection_reused_ = reused;
  // Servers drop idle keep-alive connections after seconds, so only one
  // that sat idle a while is at risk; busy connections cost no copy.
  if (reused && idempotent_ && request_sent_ && !stale_connection_retried_ &&
      connection.idleMs() >= kStaleRiskIdleMs) {
    stale_connection_copy_ = pending_;
  }
  connection_->attach(this, head_request_);
  if (!held_) flush();
}

void UpstreamAttempt::onPoolFailure(upstream::UpstreamFailure failure, const std::string& reason) {
  setWaitingForPool(false);
  setActiveOnHost(false);
  released_ = true;
  events_.onAttemptFailure(*this, failure, reason);
}

void UpstreamAttempt::send(std::string&& data, bool hold) {
  if (released_) return;
  if (pending_.empty()) {
    pending_ = std::move(data);
  } else {
    pending_.append(data);
  }
  held_ = held_ || hold;
  if (!held_) flush();
}

void UpstreamAttempt::sendCopy(std::string_view data, bool hold) { send(std::string(data), hold); }

void UpstreamAttempt::flush() {
  held_ = false;
  if (connection_ == nullptr || pending_.empty()) return;
  std::string data = std::move(pending_);
  pending_.clear();
  connection_->write(std::move(data));
}

size_t UpstreamAttempt::queuedBytes() const {
  return pending_.size() + (connection_ != nullptr ? connection_->writeQueueBytes() : 0);
}

void UpstreamAttempt::pauseReading() {
  if (connection_ != nullptr) connection_->pauseReading();
}

void UpstreamAttempt::resumeReading() {
  if (connection_ != nullptr) connection_->resumeReading();
}

void UpstreamAttempt::release(bool reuse) {
  if (waiting_for_pool_) {
    pool_.cancel(*this);
    setWaitingForPool(false);
  }
  setActiveOnHost(false);
  released_ = true;
  if (connection_ == nullptr) return;
  upstream::PooledConnection* connection = connection_;
  connection_ = nullptr;
  connection->detach();
  if (reuse && request_sent_ && response_complete_ && pending_.empty()) {
    pool_.release(*connection);
  } else {
    connection->close();
  }
}

void UpstreamAttempt::discardResponse() {
  if (!request_sent_ || !pending_.empty() || connection_ == nullptr) {
    release(false);
    return;
  }
  discarding_ = true;
  if (response_complete_) release(true);
}

void UpstreamAttempt::onUpstreamHeaders(http::HeaderMap&& headers, const http::ResponseInfo& info) {
  if (info.end_stream) response_complete_ = true;
  events_.onAttemptHeaders(*this, std::move(headers), info);
}

void UpstreamAttempt::onUpstreamBody(std::string_view data) {
  if (discarding_) {
    discarded_bytes_ += data.size();
    if (discarded_bytes_ > kMaxDiscardBytes) release(false);
    return;
  }
  events_.onAttemptBody(*this, data);
}

void UpstreamAttempt::onUpstreamTrailers(http::HeaderMap&& trailers) {
  if (discarding_) return;
  events_.onAttemptTrailers(*this, std::move(trailers));
}

void UpstreamAttempt::onUpstreamComplete() {
  response_complete_ = true;
  if (discarding_) {
    release(true);
    return;
  }
  events_.onAttemptComplete(*this);
}

void UpstreamAttempt::onUpstreamFailure(upstream::UpstreamFailure failure, const std::string& reason) {
  // An upstream may close an idle keep-alive connection just as the pool
  // hands it out. Then the reused connection fails before a single response
  // byte and the request never reached the service: an idempotent request
  // goes once more, on a fresh connection, without filters seeing a failure.
  bool stale = failure == upstream::UpstreamFailure::kResetBeforeHeaders && connection_reused_ &&
               !stale_connection_copy_.empty() && connection_ != nullptr &&
               connection_->responseBytesReceived() == 0;
  if (stale) {
    upstream::PooledConnection* broken = connection_;
    connection_ = nullptr;
    broken->close();
    stale_connection_retried_ = true;
    connection_reused_ = false;
    pending_ = std::move(stale_connection_copy_);
    stale_connection_copy_.clear();
    setWaitingForPool(true);
    pool_.requestNew(*this);
    return;
  }
  // The connection already detached itself and is broken: close it.
  release(false);
  if (!discarding_) events_.onAttemptFailure(*this, failure, reason);
}

void UpstreamAttempt::onUpstreamWriteDrained() {
  if (!discarding_) events_.onAttemptWriteDrained(*this);
}

}  // namespace switchyard::router
