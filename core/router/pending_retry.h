// PendingRetry: the one retry a request may have waiting out its back-off —
// a timer on the worker's loop, made on first use, and whether the retry
// should avoid the hosts already tried. Even a zero delay goes through the
// loop, so a retry never starts inside the hooks that asked for it.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>

namespace switchyard::router {

class PendingRetry {
 public:
  // `start` runs when the delay is over, with the exclude flag it was
  // scheduled with; the retry is no longer pending by then.
  PendingRetry(uv_loop_t* loop, std::function<void(bool exclude_tried_hosts)> start);
  ~PendingRetry();
  PendingRetry(const PendingRetry&) = delete;
  PendingRetry& operator=(const PendingRetry&) = delete;

  bool pending() const { return pending_; }
  void schedule(uint64_t delay_ms, bool exclude_tried_hosts);
  void cancel();

 private:
  static void onTimer(uv_timer_t* timer);

  uv_loop_t* loop_;
  std::function<void(bool)> start_;
  uv_timer_t* timer_ = nullptr;  // closed (asynchronously) by the destructor
  bool pending_ = false;
  bool exclude_tried_hosts_ = false;
};

}  // namespace switchyard::router
