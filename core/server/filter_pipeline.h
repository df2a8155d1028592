// FilterPipeline: moves one direction of a stream (request or response)
// through the filter chain and into a sink, honouring what each filter's
// hook returns.
//
// Headers pass every filter before any body moves. Body data sits at one
// position at a time: `held_[p]` is data that has passed filters [0, p) and
// waits for filter p. A filter that returns STOP_ITERATION keeps what reached
// it (and anything after) until the stream's continue call for it; one that
// returns STOP_AND_BUFFER is called again with everything held each time more
// arrives. The end-of-stream marker (and trailers) travel behind the data.
// Positions are in direction order; the invoker maps them to filters.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <switchyard/filter.h>

#include "http/header_map.h"

namespace switchyard::server {

class FilterPipelineInvoker {
 public:
  virtual ~FilterPipelineInvoker() = default;
  virtual sy_filter_status invokeHeaders(size_t position, http::HeaderMap& headers, bool end_stream) = 0;
  virtual sy_filter_status invokeBody(size_t position, std::string& body, bool end_stream) = 0;
  virtual sy_filter_status invokeTrailers(size_t position, http::HeaderMap& trailers) = 0;
  // Where data goes after the last filter.
  virtual void sinkHeaders(http::HeaderMap& headers, bool end_stream) = 0;
  virtual void sinkBody(std::string& body, bool end_stream) = 0;
  virtual void sinkTrailers(http::HeaderMap& trailers) = 0;
  // A filter held more than the buffer limit.
  virtual void bufferOverflow() = 0;
};

class FilterPipeline {
 public:
  FilterPipeline(FilterPipelineInvoker& invoker, size_t filter_count, size_t buffer_limit);

  void receiveHeaders(http::HeaderMap&& headers, bool end_stream);
  void receiveBody(std::string_view data, bool end_stream);
  void receiveTrailers(http::HeaderMap&& trailers);
  // The filter at `position` calls continue. SY_ERR_BAD_STATE if it was not
  // stopped.
  sy_result resume(size_t position);
  // The filter at `position`, stopped on the body (STOP_ITERATION), passes
  // up to `max_bytes` of what is held for it onward and stays stopped; the
  // end of stream stays behind it. Sets *released and *still_held.
  // SY_ERR_BAD_STATE if it is not stopped on the body.
  sy_result release(size_t position, size_t max_bytes, size_t* released, size_t* still_held);
  // Stop calling anything: the stream was answered another way or reset.
  void cancel() { cancelled_ = true; }

  bool cancelled() const { return cancelled_; }
  bool headersDelivered() const { return headers_delivered_; }
  bool endDelivered() const { return end_delivered_; }
  size_t heldBytes() const;
  http::HeaderMap& headers() { return headers_; }
  size_t filterCount() const { return filter_count_; }

 private:
  enum class Hold { kPassing, kStopped, kBuffering, kReleased };

  void pump();
  void pumpOnce();
  // Moves what is held at `position` (and the end marker if there) onward.
  void advance(size_t position);

  FilterPipelineInvoker& invoker_;
  const size_t filter_count_;
  const size_t buffer_limit_;
  http::HeaderMap headers_;
  bool headers_end_stream_ = false;
  bool headers_received_ = false;
  size_t headers_position_ = 0;
  bool headers_stopped_ = false;
  bool headers_delivered_ = false;
  std::vector<std::string> held_;  // filter_count_ + 1 positions; the last is the sink's
  std::vector<bool> fresh_;        // data arrived since the filter was last called
  std::vector<Hold> hold_;
  static constexpr size_t kNoEnd = size_t(-1);
  size_t end_position_ = kNoEnd;
  bool has_trailers_ = false;
  http::HeaderMap trailers_;
  bool end_delivered_ = false;
  bool cancelled_ = false;
  bool pumping_ = false;
  bool pump_again_ = false;
};

}  // namespace switchyard::server
