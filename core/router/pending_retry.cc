#include "router/pending_retry.h"

#include <utility>

#include "common/uv_util.h"

namespace switchyard::router {

PendingRetry::PendingRetry(uv_loop_t* loop, std::function<void(bool exclude_tried_hosts)> start)
    : loop_(loop), start_(std::move(start)) {}

PendingRetry::~PendingRetry() { closeAndDelete(timer_); }

void PendingRetry::schedule(uint64_t delay_ms, bool exclude_tried_hosts) {
  if (timer_ == nullptr) {
    timer_ = new uv_timer_t;
    uv_timer_init(loop_, timer_);
    timer_->data = this;
  }
  pending_ = true;
  exclude_tried_hosts_ = exclude_tried_hosts;
  uv_timer_start(timer_, &PendingRetry::onTimer, delay_ms, 0);
}

void PendingRetry::cancel() {
  if (!pending_) return;
  pending_ = false;
  uv_timer_stop(timer_);
}

void PendingRetry::onTimer(uv_timer_t* timer) {
  auto* retry = static_cast<PendingRetry*>(timer->data);
  if (!retry->pending_) return;
  retry->pending_ = false;
  retry->start_(retry->exclude_tried_hosts_);
}

}  // namespace switchyard::router
