// Stream: one HTTP/1 request/response exchange on a downstream connection.
//
// The stream joins three parts and owns what lies between them: the
// connection's decoded request goes into the FilterChain; what leaves the
// last request filter goes to the router's UpstreamRequest; the accepted
// response (or a local reply) runs back through the chain and the stream
// frames it for the client. It keeps flow control between the two sides,
// decides when the exchange is complete, writes the access log line, and has
// one teardown path, abort().
#pragma once

#include <switchyard/filter.h>

#include <memory>
#include <string>
#include <vector>

#include "http/header_map.h"
#include "http/request_decoder.h"
#include "router/upstream_request.h"
#include "server/filter_chain.h"
#include "server/serving_config.h"
#include "server/stream_access_log.h"
#include "stats/stream_metrics.h"

namespace switchyard::server {

class DownstreamConnection;
class Worker;

class Stream final : private FilterChainCallbacks, private router::UpstreamRequestCallbacks {
 public:
  Stream(DownstreamConnection& connection, Worker& worker, const ServingListener& listener, uint64_t id);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // From the downstream decoder.
  void onRequestHeaders(http::HeaderMap&& headers, const http::RequestInfo& info);
  void onRequestBody(std::string_view data);
  void onRequestTrailers(http::HeaderMap&& trailers);
  void onRequestComplete();
  // The downstream connection closed or failed under the stream.
  void onDownstreamReset();
  // The downstream write queue drained below the low watermark.
  void onDownstreamWriteDrained();
  // Reply without filters or upstream (decoder errors, timeouts).
  void sendErrorReply(int status, std::string_view details);
  // Writes request bytes held during a downstream read to the upstream.
  void flushUpstream();

  bool requestComplete() const { return request_complete_; }
  bool responseStarted() const { return response_headers_sent_; }

 private:
  // The one teardown path: stops both filter directions and the upstream
  // request. What follows (a local reply, a reset, completion) is the
  // caller's.
  void abort(std::string_view details);
  // `overloaded_reason`, when not empty, goes out as x-switchyard-overloaded.
  void respondLocally(size_t filter_count, int status, std::string_view body, std::string_view content_type,
                      std::string_view details, std::string_view overloaded_reason = {});
  void finishResponse();
  void applyRequestFlowControl();
  void applyResponseFlowControl();
  void maybeComplete();
  void complete();
  void addFlag(std::string_view flag);
  // One line to each of the listener's access logs (stream_access_log.cc).
  void writeAccessLog(uint64_t duration_ms) const;

  // FilterChainCallbacks
  void onFilteredRequestHeaders(http::HeaderMap& headers, bool end_stream) override;
  void onFilteredRequestBody(std::string& body, bool end_stream) override;
  void onFilteredRequestTrailers(http::HeaderMap& trailers) override;
  void onFilteredResponseHeaders(http::HeaderMap& headers, bool end_stream) override;
  void onFilteredResponseBody(std::string& body, bool end_stream) override;
  void onFilteredResponseTrailers(http::HeaderMap& trailers) override;
  void onFilterBufferOverflow(bool request_direction) override;
  sy_result onFilterLocalReply(size_t filter_index, int status, std::string_view body, std::string_view content_type,
                               std::string_view details) override;
  sy_result onFilterReset(std::string_view details) override;
  sy_result streamProperty(sy_stream_property property, sy_slice* value) override;
  void onFilterResponseFlag(std::string_view flag) override { addFlag(flag); }
  sy_result onFilterRequestId(std::string_view id) override;
  sy_result attemptControlAllowed() const override;
  void onFilterResumed(bool request_direction) override;
  bool streamCompleted() const override { return completed_; }

  // router::UpstreamRequestCallbacks
  void runAttemptStarted(const sy_attempt_info& attempt, http::HeaderMap& headers) override;
  void runAttemptFinished(const sy_attempt_info& attempt) override;
  sy_admission runAttemptAdmit(const sy_attempt_info& candidate, std::string* reason) override;
  void onUpstreamResponseHeaders(http::HeaderMap&& headers, bool end_stream) override;
  void onUpstreamResponseBody(std::string_view data) override;
  void onUpstreamResponseTrailers(http::HeaderMap&& trailers) override;
  void onUpstreamResponseComplete() override;
  void onUpstreamFailed(int status, std::string_view body, std::string_view details) override;
  void onUpstreamOverloaded(std::string_view reason) override;
  void onUpstreamResponseReset(std::string_view reason, std::string_view details) override;
  void onUpstreamRequestDrained() override { applyRequestFlowControl(); }
  void addResponseFlag(sy_response_flag flag) override;
  bool downstreamDispatching() const override;

  DownstreamConnection& connection_;
  const ServingListener& listener_;
  std::string id_text_;  // the host's number until a filter sets its own id
  const uint64_t start_ms_;

  http::RequestInfo request_info_;
  std::string request_method_;
  std::string request_path_;
  AccessLogCapture access_log_;

  // Declared in this order so the chain (stream_destroy) goes first.
  router::UpstreamRequest upstream_;
  FilterChain chain_;
  stats::StreamMetrics metrics_;

  bool request_complete_ = false;
  bool request_abandoned_ = false;  // answered before the request ended
  bool answered_ = false;           // answered locally or reset: no more attempts
  bool response_headers_sent_ = false;
  bool response_chunked_ = false;
  bool response_has_body_ = true;
  bool response_complete_ = false;
  bool close_connection_after_ = false;
  bool reading_paused_for_upstream_ = false;
  bool upstream_paused_for_downstream_ = false;
  bool completed_ = false;
  int response_status_ = 0;
  uint64_t response_body_bytes_ = 0;
  std::string response_details_;
  std::string status_text_;  // SY_PROP_RESPONSE_STATUS's text, made when read
  std::string response_flags_;  // "UT,URX": comma-separated, in the order added
};

}  // namespace switchyard::server
