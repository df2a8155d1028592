// HttpCall: one outbound HTTP call a module made (sy_host_api.http_call,
// ABI 1.4) — its request sent as one UpstreamAttempt over the worker's pool
// for the chosen host, so that it shares the pool's connections, framing
// and response decoding with proxied requests, and a timer for the whole
// call. It reports its result once, through the module's done function.
//
// Owned by the worker's HttpCalls (http_calls.h), which starts, cancels and
// ends calls; a call deletes itself once its timer handle has closed, after
// the loop iteration that ended it, so that nothing on the stack that
// reported its end (the attempt, the connection) is freed under it.
#pragma once

#include <switchyard/filter.h>
#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "module/http_call_spec.h"
#include "router/upstream_attempt.h"
#include "upstream/cluster_manager.h"

namespace switchyard::router {

class HttpCall final : public module::OutboundCall, private AttemptEvents {
 public:
  // `on_ended` runs once the call has ended (reported or cancelled), for
  // its owner to forget it.
  HttpCall(uv_loop_t* loop, module::HttpCallSpec&& spec, sy_http_call_done_fn done, void* user_data,
           std::function<void(HttpCall&)> on_ended);
  HttpCall(const HttpCall&) = delete;
  HttpCall& operator=(const HttpCall&) = delete;

  // Sends the request to `host` of `cluster` and starts the timeout. A
  // result that arrives before this returns is reported on the next loop
  // iteration, never from inside http_call.
  void start(upstream::ClusterState& cluster, size_t host);
  // Ends the call with `failure` ("unknown_cluster", ...) without sending
  // anything; reported on the next loop iteration.
  void failLater(std::string_view failure);
  // Ends the call with `failure` now (the worker is stopping).
  void failNow(std::string_view failure);
  // Ends the call without reporting it.
  void cancel() override;

 private:
  ~HttpCall() override = default;  // only through end()

  void onAttemptHeaders(UpstreamAttempt& attempt, http::HeaderMap&& headers,
                        const http::ResponseInfo& info) override;
  void onAttemptBody(UpstreamAttempt& attempt, std::string_view data) override;
  void onAttemptTrailers(UpstreamAttempt&, http::HeaderMap&&) override {}
  void onAttemptComplete(UpstreamAttempt& attempt) override;
  void onAttemptFailure(UpstreamAttempt& attempt, upstream::UpstreamFailure failure,
                        const std::string& reason) override;
  void onAttemptWriteDrained(UpstreamAttempt&) override {}

  std::string encodeRequest() const;
  // Records the outcome and reports it now, or after start() returns.
  void finish(std::string_view failure, bool reuse_connection);
  void report();
  // Releases the attempt and the timer; the call is deleted afterwards.
  void end();

  module::HttpCallSpec spec_;
  sy_http_call_done_fn done_;
  void* user_data_;
  std::function<void(HttpCall&)> on_ended_;
  uv_timer_t* timer_;  // the call's timeout, and the deferred report
  std::unique_ptr<UpstreamAttempt> attempt_;
  bool starting_ = false;
  bool finished_ = false;
  bool ended_ = false;
  uint32_t status_ = 0;
  std::string failure_;
  std::string body_;
};

}  // namespace switchyard::router
