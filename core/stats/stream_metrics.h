// StreamMetrics: what one downstream request records — its start (total,
// active), its response's status class, and at completion its time, per
// listener and per route, and the flags its route's cluster counts (UT, UO).
// A member of the stream, so that the stream's code says when, and this
// says what.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include "stats/listener_metrics.h"

namespace switchyard::stats {

class StreamMetrics {
 public:
  // Passed as a route id when no route matched.
  static constexpr size_t kNoRoute = static_cast<size_t>(-1);

  explicit StreamMetrics(const ListenerMetrics& listener);
  ~StreamMetrics();
  StreamMetrics(const StreamMetrics&) = delete;
  StreamMetrics& operator=(const StreamMetrics&) = delete;

  // The response went out in full with `status`.
  void responded(size_t route_id, int status) const;
  // The exchange is over; `response_flags` as in the access log ("UT,URX").
  void completed(size_t route_id, std::string_view response_flags) const;

 private:
  const ListenerMetrics& listener_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace switchyard::stats
