// SpanExporter: one worker's batches of finished spans for one config. A
// span waits in a bounded queue; from the worker timer, a batch goes out
// through the host's outbound HTTP call (ABI 1.4) as soon as batch_size
// spans wait, or after flush_interval. At most max_in_flight calls run
// at once, so a slow or absent collector never holds a request: spans past
// max_queue are dropped and counted, and a failed call's batch is dropped
// and counted too (no retries: the next batch is already waiting).
#pragma once

#include <switchyard/filter.h>

#include <cstdint>
#include <deque>
#include <string>

#include "span.h"
#include "tracing_config.h"

namespace tracing {

class SpanExporter {
 public:
  SpanExporter(const sy_host_api* host, sy_worker* worker, const Config& config);
  // After the worker stopped: its calls have all ended by then.
  ~SpanExporter();
  SpanExporter(const SpanExporter&) = delete;
  SpanExporter& operator=(const SpanExporter&) = delete;

  void add(Span&& span);

 private:
  struct Batch {
    SpanExporter* exporter;
    size_t spans;
  };
  // Called by the host: noexcept, like every entry from it.
  static void onTimer(sy_timer* timer, void* user_data) noexcept;
  static void onCallDone(void* user_data, const sy_http_call_result* result) noexcept;
  // Sends batches while spans wait and calls are allowed; `whole_batches`
  // sends only full ones (the timer sends what there is).
  void flush(bool whole_batches);
  // Arms the timer to flush after `delay_ms` (0: on the next loop
  // iteration, whole batches only), unless it is already due as soon.
  void scheduleFlush(uint64_t delay_ms);
  std::string encode(const std::vector<Span>& spans) const;
  void drop(size_t spans);

  const sy_host_api* host_;
  sy_worker* worker_;
  const Config& config_;
  const ExportConfig& export_;
  std::deque<Span> queue_;
  uint32_t in_flight_ = 0;
  sy_timer* timer_;
  bool timer_armed_ = false;
  bool flush_due_now_ = false;  // armed with 0 for a full batch
};

}  // namespace tracing
