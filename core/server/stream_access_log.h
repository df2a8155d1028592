// AccessLogCapture: what a stream keeps for its access log lines beyond its
// own state — the wall-clock start, request body bytes, the upstream
// service time, and copies of just the headers the listener's formats
// select, taken before the request head moves upstream and before the
// response head is encoded. A stream on a listener without access logs
// copies nothing. Stream::writeAccessLog (stream_access_log.cc) joins this
// with the stream's own facts into one access_log::RequestFacts.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "access_log/request_facts.h"
#include "http/header_map.h"
#include "server/listener_access_logs.h"

namespace switchyard::server {

class AccessLogCapture {
 public:
  // `logs` null: the listener has no access log and every call is a no-op.
  explicit AccessLogCapture(const ListenerAccessLogs* logs);

  // The request head as the client sent it (the line of a request a filter
  // answers before it goes upstream).
  void onRequestHeaders(const http::HeaderMap& headers);
  void onRequestBody(size_t bytes) { bytes_received_ += bytes; }
  // The request head as it goes upstream, after the filters: its values win.
  void onRequestSentUpstream(const http::HeaderMap& headers);
  void onUpstreamResponseHeaders();
  void onResponseHeaders(const http::HeaderMap& headers);

  // Adds what was captured to `facts` and writes one line to every log.
  void write(access_log::RequestFacts& facts) const;

 private:
  const ListenerAccessLogs* logs_;
  std::chrono::system_clock::time_point start_time_;
  uint64_t bytes_received_ = 0;
  std::optional<uint64_t> upstream_start_ms_;
  std::optional<uint64_t> upstream_service_time_ms_;
  std::vector<std::string> request_headers_;
  std::vector<std::string> response_headers_;
};

}  // namespace switchyard::server
