/* The response rate limit of one stream: the response body is held by the
 * host (response_body returns STOP_ITERATION) and let through from a
 * stream timer, a tick's worth of bytes at a time, with
 * stream_release_response_body (ABI 1.4). The host's flow control bounds
 * what it holds (it stops reading the upstream above the listener's buffer
 * watermark), so a throttled body never piles up in memory. */
#ifndef SWITCHYARD_FAULT_THROTTLE_H
#define SWITCHYARD_FAULT_THROTTLE_H

#include <stdint.h>
#include <switchyard/filter.h>

/* How often held bytes are let through: short enough for an even flow,
 * long enough that a slow rate still moves whole packets. */
#define FAULT_THROTTLE_TICK_MS 50

typedef struct fault_throttle {
  sy_stream *stream;
  uint64_t bytes_per_second; /* 0: this stream is not throttled */
  sy_timer *timer;
  int timer_armed;
  uint64_t last_tick_ns;
  uint64_t credit_nanobytes; /* what may pass now (earned, not yet released), in 1e-9 bytes */
} fault_throttle;

/* Throttles `stream`'s response body to `kbps` KiB per second. */
void fault_throttle_start(fault_throttle *throttle, sy_stream *stream, uint32_t kbps);

/* The response_body hook of a throttled stream (CONTINUE for one that is
 * not). */
sy_filter_status fault_throttle_on_body(fault_throttle *throttle, sy_buffer *body, int end_stream);

/* The stream is over: no more ticks. */
void fault_throttle_stop(fault_throttle *throttle);

#endif
