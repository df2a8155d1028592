#include "fault_throttle.h"

#include "fault_module.h"

#define NS_PER_SECOND 1000000000ull

static void arm(fault_throttle *throttle) {
  throttle->timer_armed = fault_host->timer_arm(throttle->timer, FAULT_THROTTLE_TICK_MS) == SY_OK;
}

/* Credit grows with time at the rate, up to four ticks' worth: a tick that
 * a busy worker runs late still catches up, but a pause in the upstream
 * does not turn into a burst to the client afterwards. It is
 * kept in billionths of a byte (bytes per second times nanoseconds), so no
 * fraction of a byte is lost from tick to tick. */
static void earn(fault_throttle *throttle, uint64_t now_ns) {
  uint64_t elapsed_ns = now_ns - throttle->last_tick_ns;
  throttle->last_tick_ns = now_ns;
  uint64_t most = throttle->bytes_per_second * 4 * FAULT_THROTTLE_TICK_MS * 1000000ull;
  if (elapsed_ns > NS_PER_SECOND) elapsed_ns = NS_PER_SECOND;
  uint64_t credit = throttle->credit_nanobytes + throttle->bytes_per_second * elapsed_ns;
  throttle->credit_nanobytes = credit < most ? credit : most;
}

static void on_tick(sy_timer *timer, void *user_data) {
  (void)timer;
  fault_throttle *throttle = user_data;
  throttle->timer_armed = 0;
  earn(throttle, fault_host->monotonic_time_ns());
  size_t released = 0, still_held = 0;
  size_t allowance = (size_t)(throttle->credit_nanobytes / NS_PER_SECOND);
  if (fault_host->stream_release_response_body(throttle->stream, allowance, &released, &still_held) !=
      SY_OK) {
    return; /* the stream is over */
  }
  throttle->credit_nanobytes -= (uint64_t)released * NS_PER_SECOND;
  if (still_held > 0) {
    arm(throttle);
    return;
  }
  /* All caught up: the end of the body (if it came) passes, and the next
   * data calls response_body again, which holds it again. */
  fault_host->stream_continue_response(throttle->stream);
}

void fault_throttle_start(fault_throttle *throttle, sy_stream *stream, uint32_t kbps) {
  throttle->stream = stream;
  throttle->bytes_per_second = (uint64_t)kbps * 1024;
}

sy_filter_status fault_throttle_on_body(fault_throttle *throttle, sy_buffer *body, int end_stream) {
  (void)end_stream;
  if (throttle->bytes_per_second == 0 || fault_host->buffer_length(body) == 0) return SY_FILTER_CONTINUE;
  if (throttle->timer == NULL) {
    throttle->timer = fault_host->timer_new_for_stream(throttle->stream, on_tick, throttle);
    if (throttle->timer == NULL) return SY_FILTER_CONTINUE; /* no timer, no throttle: never a stuck body */
  }
  if (!throttle->timer_armed) {
    throttle->last_tick_ns = fault_host->monotonic_time_ns();
    arm(throttle);
    if (!throttle->timer_armed) return SY_FILTER_CONTINUE;
  }
  return SY_FILTER_STOP_ITERATION;
}

void fault_throttle_stop(fault_throttle *throttle) {
  if (throttle->timer_armed) fault_host->timer_cancel(throttle->timer);
  throttle->timer_armed = 0;
  throttle->bytes_per_second = 0;
}
