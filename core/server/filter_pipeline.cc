#include "server/filter_pipeline.h"

#include <algorithm>

namespace switchyard::server {

FilterPipeline::FilterPipeline(FilterPipelineInvoker& invoker, size_t filter_count, size_t buffer_limit)
    : invoker_(invoker),
      filter_count_(filter_count),
      buffer_limit_(buffer_limit),
      held_(filter_count + 1),
      fresh_(filter_count + 1, false),
      hold_(filter_count + 1, Hold::kPassing) {}

void FilterPipeline::receiveHeaders(http::HeaderMap&& headers, bool end_stream) {
  headers_ = std::move(headers);
  headers_end_stream_ = end_stream;
  headers_received_ = true;
  if (end_stream) end_position_ = 0;
  pump();
}

void FilterPipeline::receiveBody(std::string_view data, bool end_stream) {
  held_[0].append(data);
  if (!data.empty()) fresh_[0] = true;
  if (end_stream) end_position_ = 0;
  pump();
}

void FilterPipeline::receiveTrailers(http::HeaderMap&& trailers) {
  trailers_ = std::move(trailers);
  has_trailers_ = true;
  end_position_ = 0;
  pump();
}

sy_result FilterPipeline::resume(size_t position) {
  if (cancelled_) return SY_ERR_BAD_STATE;
  if (headers_stopped_ && headers_position_ == position) {
    headers_stopped_ = false;
    ++headers_position_;
  } else if (position < filter_count_ &&
             (hold_[position] == Hold::kStopped || hold_[position] == Hold::kBuffering)) {
    // With nothing waiting at the filter (it released all it held), the
    // filter is called again for the next data rather than skipped for it.
    bool nothing_waits = held_[position].empty() && end_position_ != position;
    hold_[position] = nothing_waits ? Hold::kPassing : Hold::kReleased;
  } else {
    return SY_ERR_BAD_STATE;
  }
  pump();
  return SY_OK;
}

sy_result FilterPipeline::release(size_t position, size_t max_bytes, size_t* released, size_t* still_held) {
  if (cancelled_ || position >= filter_count_ || hold_[position] != Hold::kStopped) return SY_ERR_BAD_STATE;
  std::string& held = held_[position];
  size_t count = std::min(max_bytes, held.size());
  if (count > 0) {
    held_[position + 1].append(held, 0, count);
    held.erase(0, count);
    fresh_[position + 1] = true;
  }
  *released = count;
  *still_held = held.size();
  if (count > 0) pump();
  return SY_OK;
}

size_t FilterPipeline::heldBytes() const {
  size_t total = 0;
  for (const auto& data : held_) total += data.size();
  return total;
}

void FilterPipeline::pump() {
  // A hook may call back into the pipeline (continue, more data); finish the
  // current pass and run another instead of recursing.
  if (pumping_) {
    pump_again_ = true;
    return;
  }
  pumping_ = true;
  do {
    pump_again_ = false;
    pumpOnce();
  } while (pump_again_ && !cancelled_);
  pumping_ = false;
}

void FilterPipeline::advance(size_t position) {
  if (!held_[position].empty()) fresh_[position + 1] = true;
  // Swapping keeps body bytes from being copied at every filter position.
  if (held_[position + 1].empty()) {
    held_[position + 1].swap(held_[position]);
  } else {
    held_[position + 1].append(held_[position]);
  }
  held_[position].clear();
  fresh_[position] = false;
  if (end_position_ == position) end_position_ = position + 1;
}

void FilterPipeline::pumpOnce() {
  if (!headers_received_ || cancelled_) return;
  while (!headers_delivered_) {
    if (headers_stopped_) return;
    if (headers_position_ == filter_count_) {
      headers_delivered_ = true;
      invoker_.sinkHeaders(headers_, headers_end_stream_);
      if (cancelled_) return;
      if (headers_end_stream_) {
        end_delivered_ = true;
        return;
      }
      break;
    }
    sy_filter_status status = invoker_.invokeHeaders(headers_position_, headers_, headers_end_stream_);
    if (cancelled_) return;
    if (status == SY_FILTER_CONTINUE) {
      ++headers_position_;
    } else {
      headers_stopped_ = true;
      return;
    }
  }
  if (end_delivered_) return;

  for (size_t position = 0; position < filter_count_; ++position) {
    bool end_here = end_position_ == position;
    if (held_[position].empty() && !end_here) continue;
    switch (hold_[position]) {
      case Hold::kStopped:
        continue;
      case Hold::kReleased:
        hold_[position] = Hold::kPassing;
        advance(position);
        continue;
      case Hold::kPassing:
      case Hold::kBuffering:
        break;
    }
    if (fresh_[position] || (end_here && !has_trailers_)) {
      fresh_[position] = false;
      sy_filter_status status =
          invoker_.invokeBody(position, held_[position], end_here && !has_trailers_);
      if (cancelled_) return;
      if (status == SY_FILTER_STOP_AND_BUFFER) {
        hold_[position] = Hold::kBuffering;
        if (held_[position].size() > buffer_limit_) {
          invoker_.bufferOverflow();
          return;
        }
        continue;
      }
      if (status == SY_FILTER_STOP_ITERATION) {
        hold_[position] = Hold::kStopped;
        continue;
      }
    } else if (hold_[position] == Hold::kBuffering) {
      continue;
    }
    hold_[position] = Hold::kPassing;
    if (end_here && has_trailers_) {
      sy_filter_status status = invoker_.invokeTrailers(position, trailers_);
      if (cancelled_) return;
      if (status != SY_FILTER_CONTINUE) {
        hold_[position] = Hold::kStopped;
        continue;
      }
    }
    advance(position);
  }

  bool end_at_sink = end_position_ == filter_count_;
  if (!held_[filter_count_].empty() || end_at_sink) {
    std::string data = std::move(held_[filter_count_]);
    held_[filter_count_].clear();
    fresh_[filter_count_] = false;
    if (!data.empty() || (end_at_sink && !has_trailers_)) {
      invoker_.sinkBody(data, end_at_sink && !has_trailers_);
      if (cancelled_) return;
    }
    if (end_at_sink) {
      if (has_trailers_) invoker_.sinkTrailers(trailers_);
      end_delivered_ = true;
    }
  }
}

}  // namespace switchyard::server
