// UpstreamAttempt: one try at sending a stream's request upstream — a host
// chosen by the cluster's balancer, a connection from that host's pool, the
// request bytes written to it, the response read back. A stream has one
// attempt at a time, or several while hedging; retries are new attempts.
//
// The attempt only moves bytes and reports events; the stream decides what
// they mean (accept a response, retry, answer the client).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "config/proxy_config.h"
#include "upstream/connection_pool.h"
#include "upstream/host_set.h"

namespace switchyard::router {

class UpstreamAttempt;

// What the attempt reports to its stream.
class AttemptEvents {
 public:
  virtual ~AttemptEvents() = default;
  virtual void onAttemptHeaders(UpstreamAttempt& attempt, http::HeaderMap&& headers,
                                const http::ResponseInfo& info) = 0;
  virtual void onAttemptBody(UpstreamAttempt& attempt, std::string_view data) = 0;
  virtual void onAttemptTrailers(UpstreamAttempt& attempt, http::HeaderMap&& trailers) = 0;
  virtual void onAttemptComplete(UpstreamAttempt& attempt) = 0;
  virtual void onAttemptFailure(UpstreamAttempt& attempt, upstream::UpstreamFailure failure,
                                const std::string& reason) = 0;
  virtual void onAttemptWriteDrained(UpstreamAttempt& attempt) = 0;
};

class UpstreamAttempt : private upstream::PoolCallbacks, private upstream::UpstreamResponseHandler {
 public:
  // `idempotent`: the request may be sent again if a reused connection
  // turns out to have been closed by the upstream (see onUpstreamFailure).
  // `hosts` counts the attempt as active on its host from start() until it
  // fails or is released (least-request reads that count).
  UpstreamAttempt(AttemptEvents& events, uint32_t number, bool hedged, size_t endpoint_index,
                  upstream::ConnectionPool& pool, upstream::HostSet& hosts, config::ClusterCounters& counters,
                  bool head_request, bool idempotent);
  // Cancels whatever is still going on (pool request, connection).
  ~UpstreamAttempt() override;
  UpstreamAttempt(const UpstreamAttempt&) = delete;
  UpstreamAttempt& operator=(const UpstreamAttempt&) = delete;

  // Asks the pool for a connection; `request` (head and any body so far) is
  // written as soon as one is ready, or at flush() when `hold`.
  void start(std::string&& request, bool hold);
  // More request bytes, already framed. Held while the connection is not
  // ready or while `hold` (the downstream is mid-read; see Stream).
  void send(std::string&& data, bool hold);
  void sendCopy(std::string_view data, bool hold);
  // Writes what send() held.
  void flush();
  // The whole request has been handed to send().
  void markRequestSent() { request_sent_ = true; }
  // Gives the connection back: to the pool when the exchange completed
  // cleanly and `reuse` allows, else closed. Idempotent.
  void release(bool reuse);

  // The stream rejected this attempt's response (a filter retries). If the
  // whole request went out, read the rest of the response into the void and
  // give the connection back to the pool when it ends, so a retried 503
  // costs no new connection; a response longer than kMaxDiscardBytes, or a
  // request still being sent, closes it instead. No more events are sent.
  void discardResponse();
  bool discarding() const { return discarding_; }

  void pauseReading();
  void resumeReading();
  // Request bytes not yet on the wire.
  size_t queuedBytes() const;

  uint32_t number() const { return number_; }
  bool hedged() const { return hedged_; }
  size_t endpointIndex() const { return endpoint_index_; }
  const std::string& hostText() const { return host_text_; }
  std::chrono::steady_clock::time_point startedAt() const { return started_at_; }
  bool responseComplete() const { return response_complete_; }

 private:
  void onPoolReady(upstream::PooledConnection& connection, bool reused) override;
  void onPoolFailure(upstream::UpstreamFailure failure, const std::string& reason) override;
  void onUpstreamHeaders(http::HeaderMap&& headers, const http::ResponseInfo& info) override;
  void onUpstreamBody(std::string_view data) override;
  void onUpstreamTrailers(http::HeaderMap&& trailers) override;
  void onUpstreamComplete() override;
  void onUpstreamFailure(upstream::UpstreamFailure failure, const std::string& reason) override;
  void onUpstreamWriteDrained() override;
  void setWaitingForPool(bool waiting);
  void setActiveOnHost(bool active);

  AttemptEvents& events_;
  const uint32_t number_;
  const bool hedged_;
  const size_t endpoint_index_;
  upstream::ConnectionPool& pool_;
  // A copy: a released attempt may outlive its pool (discovery replaces
  // the pool of a slot that another host takes).
  const std::string host_text_;
  upstream::HostSet& hosts_;
  config::ClusterCounters& counters_;
  const std::chrono::steady_clock::time_point started_at_ = std::chrono::steady_clock::now();
  const bool head_request_;
  const bool idempotent_;
  upstream::PooledConnection* connection_ = nullptr;
  bool connection_reused_ = false;
  // The whole request as first written to a reused connection, kept to send
  // once more on a fresh one if the reused one proves stale; emptied after.
  std::string stale_connection_copy_;
  bool stale_connection_retried_ = false;
  bool waiting_for_pool_ = false;
  bool active_on_host_ = false;
  bool released_ = false;
  bool request_sent_ = false;
  bool response_complete_ = false;
  bool held_ = false;    // pending_ waits for flush() even with a connection
  bool discarding_ = false;
  uint64_t discarded_bytes_ = 0;
  static constexpr uint64_t kMaxDiscardBytes = 64 * 1024;
  // A reused connection idle at least this long may have been closed by the
  // upstream just as it was handed out (see onUpstreamFailure).
  static constexpr uint64_t kStaleRiskIdleMs = 1000;
  std::string pending_;  // request bytes not yet written
};

}  // namespace switchyard::router
