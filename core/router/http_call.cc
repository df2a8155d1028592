#include "router/http_call.h"

#include "http/message_encoder.h"
#include "http/method.h"

namespace switchyard::router {

namespace {

sy_slice sliceOf(std::string_view text) { return sy_slice{text.data(), text.size()}; }

}  // namespace

HttpCall::HttpCall(uv_loop_t* loop, module::HttpCallSpec&& spec, sy_http_call_done_fn done, void* user_data,
                   std::function<void(HttpCall&)> on_ended)
    : spec_(std::move(spec)),
      done_(done),
      user_data_(user_data),
      on_ended_(std::move(on_ended)),
      timer_(new uv_timer_t) {
  uv_timer_init(loop, timer_);
  timer_->data = this;
}

std::string HttpCall::encodeRequest() const {
  http::HeaderMap head;
  head.add(":method", spec_.method);
  head.add(":path", spec_.path);
  head.add(":authority", spec_.authority);
  for (const auto& [name, value] : spec_.headers) head.add(name, value);
  head.add("content-length", std::to_string(spec_.body.size()));
  std::string request;
  http::appendRequestHead(request, head);
  request.append(spec_.body);
  return request;
}

void HttpCall::start(upstream::ClusterState& cluster, size_t host) {
  starting_ = true;
  uv_timer_start(
      timer_,
      [](uv_timer_t* timer) {
        auto* call = static_cast<HttpCall*>(timer->data);
        if (call->finished_) {
          call->report();  // a result that came during start() or failLater()
        } else {
          call->finish("timeout", false);
        }
      },
      spec_.timeout_ms, 0);
  attempt_ = std::make_unique<UpstreamAttempt>(
      static_cast<AttemptEvents&>(*this), 1, false, host, *cluster.pools[host], cluster.hosts,
      *cluster.config->counters, spec_.method == "HEAD", http::isIdempotentMethod(spec_.method));
  attempt_->markRequestSent();
  // The pool may answer (or fail) before start() returns.
  attempt_->start(encodeRequest(), false);
  starting_ = false;
  if (finished_) {
    uv_timer_start(
        timer_, [](uv_timer_t* timer) { static_cast<HttpCall*>(timer->data)->report(); }, 0, 0);
  }
}

void HttpCall::failLater(std::string_view failure) {
  finished_ = true;
  failure_ = failure;
  uv_timer_start(
      timer_, [](uv_timer_t* timer) { static_cast<HttpCall*>(timer->data)->report(); }, 0, 0);
}

void HttpCall::failNow(std::string_view failure) {
  starting_ = false;
  if (finished_) {
    report();  // its own result was waiting for the next loop iteration
  } else {
    finish(failure, false);
  }
}

void HttpCall::cancel() { end(); }

void HttpCall::onAttemptHeaders(UpstreamAttempt&, http::HeaderMap&& headers, const http::ResponseInfo&) {
  status_ = uint32_t(http::statusOf(headers));
}

void HttpCall::onAttemptBody(UpstreamAttempt&, std::string_view data) {
  // Read past the limit without keeping it, so the connection stays reusable.
  size_t room = module::kHttpCallBodyLimit - body_.size();
  body_.append(data.substr(0, room));
}

void HttpCall::onAttemptComplete(UpstreamAttempt&) { finish("", true); }

void HttpCall::onAttemptFailure(UpstreamAttempt&, upstream::UpstreamFailure failure, const std::string&) {
  finish(failure == upstream::UpstreamFailure::kConnectFailure ? "connect_failure" : "reset", false);
}

void HttpCall::finish(std::string_view failure, bool reuse_connection) {
  if (finished_) return;
  finished_ = true;
  failure_ = failure;
  // A timed-out or failed call's connection is closed: its state is unknown.
  if (attempt_) attempt_->release(reuse_connection);
  if (!starting_) report();
}

void HttpCall::report() {
  if (ended_) return;
  sy_http_call_result result{};
  result.size = sizeof result;
  result.status = status_;
  result.failure = sliceOf(failure_);
  result.body = sliceOf(body_);
  sy_http_call_done_fn done = done_;
  void* user_data = user_data_;
  end();
  done(user_data, &result);  // may start new calls; this one is already forgotten
}

void HttpCall::end() {
  if (ended_) return;
  ended_ = true;
  if (attempt_) attempt_->release(false);
  auto on_ended = std::move(on_ended_);
  if (on_ended) on_ended(*this);
  // The attempt goes with the timer's close, after the callbacks on the
  // stack that may still touch it have returned.
  uv_close(reinterpret_cast<uv_handle_t*>(timer_), [](uv_handle_t* handle) {
    auto* call = static_cast<HttpCall*>(handle->data);
    delete reinterpret_cast<uv_timer_t*>(handle);
    delete call;
  });
}

}  // namespace switchyard::router
