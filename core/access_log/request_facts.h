// RequestFacts: what an access log line can say about one finished
// exchange, as plain values. The server fills one per completed stream; the
// formatter (access_log_format.h) reads nothing else, so it needs no part
// of the proxy above this folder.
//
// Every view is borrowed from the stream and lives only while the line is
// formatted.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace switchyard::access_log {

struct RequestFacts {
  std::chrono::system_clock::time_point start_time;
  std::string_view protocol;  // "HTTP/1.1"
  int response_code = 0;      // 0: no response was sent
  std::string_view response_flags;  // "UT,URX"; empty when none
  std::string_view response_code_details;
  uint64_t bytes_received = 0;  // request body bytes
  uint64_t bytes_sent = 0;      // response body bytes
  uint64_t duration_ms = 0;     // first request byte to the end of the exchange
  // From sending the request upstream to the accepted response's headers
  // (retries included); absent without an upstream response.
  std::optional<uint64_t> upstream_service_time_ms;
  std::string_view upstream_host;  // "ip:port" of the last attempt
  std::string_view upstream_cluster;
  std::string_view route_name;
  std::string_view request_id;
  uint32_t attempt_count = 0;
  std::string_view downstream_ip;
  uint16_t downstream_port = 0;
  // Values of the headers the listener's formats select, indexed as their
  // HeaderSelection; an empty string is an absent header.
  std::span<const std::string> request_headers;
  std::span<const std::string> response_headers;
};

}  // namespace switchyard::access_log
