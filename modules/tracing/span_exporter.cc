#include "span_exporter.h"

#include <vector>

#include "otlp_encoder.h"
#include "zipkin_encoder.h"

namespace tracing {

namespace {

sy_slice sliceOf(std::string_view text) { return sy_slice{text.data(), text.size()}; }

}  // namespace

SpanExporter::SpanExporter(const sy_host_api* host, sy_worker* worker, const Config& config)
    : host_(host),
      worker_(worker),
      config_(config),
      export_(config.export_config),
      timer_(host->timer_new_for_worker(worker, onTimer, this)) {}

SpanExporter::~SpanExporter() {
  if (timer_ != nullptr) host_->timer_free(timer_);
}

void SpanExporter::drop(size_t spans) { host_->metric_record(config_.metrics.spans_dropped, int64_t(spans)); }

void SpanExporter::add(Span&& span) {
  if (queue_.size() >= export_.max_queue) {
    drop(1);
    return;
  }
  queue_.push_back(std::move(span));
  // Batches are encoded and sent from the worker timer, never inside a
  // request's hooks: a full batch on the next loop iteration, a part-filled
  // one after flush_interval.
  scheduleFlush(queue_.size() >= export_.batch_size ? 0 : export_.flush_interval_ms);
}

void SpanExporter::scheduleFlush(uint64_t delay_ms) {
  if (timer_ == nullptr) return;
  // An armed timer already due as soon (or sooner) stays as it is.
  if (timer_armed_ && (delay_ms != 0 || flush_due_now_)) return;
  if (host_->timer_arm(timer_, delay_ms) == SY_OK) {
    timer_armed_ = true;
    flush_due_now_ = delay_ms == 0;
  }
}

void SpanExporter::onTimer(sy_timer*, void* user_data) noexcept {
  auto* exporter = static_cast<SpanExporter*>(user_data);
  bool whole_batches_only = exporter->flush_due_now_;
  exporter->timer_armed_ = false;
  exporter->flush_due_now_ = false;
  exporter->flush(whole_batches_only);
  // What is left waits for its interval, or for a call in flight to end
  // (onCallDone sends the next full batch).
  if (!exporter->queue_.empty()) exporter->scheduleFlush(exporter->export_.flush_interval_ms);
}

std::string SpanExporter::encode(const std::vector<Span>& spans) const {
  if (export_.format == ExportFormat::kZipkin) return encodeZipkin(spans, config_.service_name);
  return encodeOtlp(spans, config_.service_name);
}

void SpanExporter::flush(bool whole_batches) {
  while (!queue_.empty() && in_flight_ < export_.max_in_flight &&
         (!whole_batches || queue_.size() >= export_.batch_size)) {
    size_t count = std::min<size_t>(queue_.size(), export_.batch_size);
    std::vector<Span> spans(std::make_move_iterator(queue_.begin()),
                            std::make_move_iterator(queue_.begin() + long(count)));
    queue_.erase(queue_.begin(), queue_.begin() + long(count));
    std::string body = encode(spans);
    std::string_view content_type =
        export_.format == ExportFormat::kZipkin ? "application/json" : "application/x-protobuf";
    const sy_slice headers[] = {sliceOf("content-type"), sliceOf(content_type)};
    sy_http_call_request request{};
    request.size = sizeof request;
    request.cluster = sliceOf(export_.cluster);
    request.method = sliceOf("POST");
    request.path = sliceOf(export_.path);
    request.headers = headers;
    request.header_count = 1;
    request.body = sliceOf(body);
    request.timeout_ms = export_.timeout_ms;
    auto* batch = new Batch{this, count};
    host_->metric_record(config_.metrics.exports, 1);
    if (host_->http_call(worker_, &request, onCallDone, batch) == nullptr) {
      // The worker stopped: nothing can go out any more.
      delete batch;
      host_->metric_record(config_.metrics.export_failures, 1);
      drop(count);
      continue;
    }
    ++in_flight_;
  }
}

void SpanExporter::onCallDone(void* user_data, const sy_http_call_result* result) noexcept {
  auto* batch = static_cast<Batch*>(user_data);
  SpanExporter& exporter = *batch->exporter;
  --exporter.in_flight_;
  const sy_host_api* host = exporter.host_;
  const Metrics& metrics = exporter.config_.metrics;
  bool accepted = result->failure.len == 0 && result->status >= 200 && result->status < 300;
  if (accepted) {
    host->metric_record(metrics.spans_exported, int64_t(batch->spans));
  } else {
    host->metric_record(metrics.export_failures, 1);
    exporter.drop(batch->spans);
    if (host->log_enabled(SY_LOG_DEBUG)) {
      std::string line = "tracing: export of " + std::to_string(batch->spans) + " spans to cluster '" +
                         exporter.export_.cluster + "' failed: ";
      line += result->failure.len > 0 ? std::string(result->failure.ptr, result->failure.len)
                                      : "status " + std::to_string(result->status);
      host->log(SY_LOG_DEBUG, sliceOf(line));
    }
  }
  delete batch;
  exporter.flush(true);
}

}  // namespace tracing
