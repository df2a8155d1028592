// The access log side of a stream: AccessLogCapture and the one place a
// finished stream's facts are gathered (Stream::writeAccessLog).
#include "server/stream_access_log.h"

#include <charconv>

#include "common/uv_util.h"
#include "server/downstream_connection.h"
#include "server/stream.h"
#include "stats/metric_registry.h"

namespace switchyard::server {

namespace {

void copySelected(const access_log::HeaderSelection& selection, const http::HeaderMap& headers,
                  std::vector<std::string>& values) {
  values.resize(selection.names().size());
  for (size_t i = 0; i < values.size(); ++i) {
    auto value = headers.get(selection.names()[i]);
    values[i] = value ? std::string(*value) : std::string();
  }
}

}  // namespace

AccessLogCapture::AccessLogCapture(const ListenerAccessLogs* logs) : logs_(logs) {
  if (logs_ != nullptr) start_time_ = std::chrono::system_clock::now();
}

void AccessLogCapture::onRequestHeaders(const http::HeaderMap& headers) {
  if (logs_ != nullptr) copySelected(logs_->request_headers, headers, request_headers_);
}

void AccessLogCapture::onRequestSentUpstream(const http::HeaderMap& headers) {
  if (logs_ == nullptr) return;
  copySelected(logs_->request_headers, headers, request_headers_);
  upstream_start_ms_ = monotonicNowMs();
}

void AccessLogCapture::onUpstreamResponseHeaders() {
  if (logs_ != nullptr && upstream_start_ms_) upstream_service_time_ms_ = monotonicNowMs() - *upstream_start_ms_;
}

void AccessLogCapture::onResponseHeaders(const http::HeaderMap& headers) {
  if (logs_ != nullptr) copySelected(logs_->response_headers, headers, response_headers_);
}

void AccessLogCapture::write(access_log::RequestFacts& facts) const {
  if (logs_ == nullptr) return;
  facts.start_time = start_time_;
  facts.bytes_received = bytes_received_;
  facts.upstream_service_time_ms = upstream_service_time_ms_;
  facts.request_headers = request_headers_;
  facts.response_headers = response_headers_;
  // One buffer per worker thread: formatting allocates nothing once warm.
  thread_local std::string line;
  for (const auto& sink : logs_->sinks) {
    line.clear();
    sink.format.format(facts, line);
    bool dropped = !sink.file->append(line);
    if (dropped && logs_->dropped_lines_metric) stats::MetricRegistry::global().record(*logs_->dropped_lines_metric, 1);
  }
}

void Stream::writeAccessLog(uint64_t duration_ms) const {
  if (!listener_.access_logs) return;
  const router::RouteEntry* route = upstream_.route();
  access_log::RequestFacts facts;
  facts.protocol = request_info_.http_minor == 0 ? "HTTP/1.0" : "HTTP/1.1";
  facts.response_code = response_status_;
  facts.response_flags = response_flags_;
  facts.response_code_details = response_details_;
  facts.bytes_sent = response_body_bytes_;
  facts.duration_ms = duration_ms;
  facts.upstream_host = upstream_.upstreamHost();
  if (route != nullptr) {
    facts.upstream_cluster = route->cluster;
    facts.route_name = route->name;
  }
  facts.request_id = id_text_;
  facts.attempt_count = upstream_.attemptCount();
  facts.downstream_ip = connection_.clientIp();
  const std::string& port = connection_.clientPortText();
  std::from_chars(port.data(), port.data() + port.size(), facts.downstream_port);
  access_log_.write(facts);
}

}  // namespace switchyard::server
