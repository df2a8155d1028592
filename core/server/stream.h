// Stream: one HTTP request/response exchange on a downstream connection.
//
// It runs the request through the listener's filters (FilterPipeline), then
// the router as the terminal step (route match, cluster, endpoint, pooled
// upstream connection), and runs the response back through the filters in
// reverse to the downstream connection. It also implements what filters can
// ask of the host (continue, local reply, reset, properties, attributes,
// timers) through the per-filter handles it gives them.
#pragma once

#include <switchyard/filter.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/header_map.h"
#include "http/request_decoder.h"
#include "server/filter_pipeline.h"
#include "server/proxy_config.h"
#include "upstream/cluster_manager.h"

namespace switchyard::module {
struct FilterTimer;
}

namespace switchyard::server {

class DownstreamConnection;
class Worker;
class Stream;

// What a filter's sy_stream* points at: the stream as seen by one filter,
// so that "continue" knows whose stop it ends.
struct FilterHandle {
  Stream* stream;
  size_t filter_index;
};

class Stream : private upstream::UpstreamResponseHandler, private upstream::PoolCallbacks {
 public:
  Stream(DownstreamConnection& connection, Worker& worker, const ListenerConfig& listener, uint64_t id);
  ~Stream() override;
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
  bool responseComplete() const { return response_complete_; }
  bool responseStarted() const { return response_headers_sent_; }

  // Host API, called through a filter's handle.
  sy_result continueRequest(size_t filter_index);
  sy_result continueResponse(size_t filter_index);
  sy_result sendLocalReply(size_t filter_index, int status, std::string_view body,
                           std::string_view content_type, std::string_view details);
  sy_result resetFromFilter(std::string_view details);
  sy_result property(sy_stream_property property, sy_slice* value);
  sy_result setAttribute(std::string_view key, std::string_view value);
  sy_result getAttribute(std::string_view key, sy_slice* value);
  void adoptTimer(module::FilterTimer* timer);
  Worker& worker() { return worker_; }

 private:
  class RequestInvoker;
  class ResponseInvoker;
  friend class RequestInvoker;
  friend class ResponseInvoker;

  struct FilterInstance {
    const module::FilterConfig* config = nullptr;
    void* context = nullptr;
    FilterHandle handle;
  };

  sy_stream* handleOf(size_t filter_index);
  const sy_filter_module& moduleOf(size_t filter_index) const;
  void createFilterContexts();

  // Router: terminal of the request direction.
  void routeRequest(http::HeaderMap& headers, bool end_stream);
  void sendUpstreamBody(std::string& data, bool end_stream);
  void sendUpstreamTrailers(http::HeaderMap& trailers);
  void writeUpstream(std::string&& data);
  void onPoolReady(upstream::UpstreamConnection& connection, bool reused) override;
  void onPoolFailure(upstream::UpstreamFailure failure, const std::string& reason) override;
  void onUpstreamHeaders(http::HeaderMap&& headers, const http::ResponseInfo& info) override;
  void onUpstreamBody(std::string_view data) override;
  void onUpstreamTrailers(http::HeaderMap&& trailers) override;
  void onUpstreamComplete() override;
  void onUpstreamFailure(upstream::UpstreamFailure failure, const std::string& reason) override;
  void onUpstreamWriteDrained() override;
  void releaseUpstream(bool force_close);

  // Response direction.
  void startResponse(size_t filter_count);
  void writeResponseHead(http::HeaderMap& headers, bool end_stream);
  void writeResponseBody(std::string& data, bool end_stream);
  void writeResponseTrailers(http::HeaderMap& trailers);
  void respondLocally(size_t filter_count, int status, std::string_view body, std::string_view content_type,
                      std::string_view details);
  void finishResponse();
  void applyRequestFlowControl();
  void applyResponseFlowControl();

  void maybeComplete();
  void complete();
  void recordResponseStatus(int status);

  DownstreamConnection& connection_;
  Worker& worker_;
  const ListenerConfig& listener_;
  const uint64_t id_;
  std::string id_text_;
  uint64_t start_ms_;

  http::RequestInfo request_info_;
  std::string request_method_;
  std::string request_path_;
  const router::RouteEntry* route_ = nullptr;
  upstream::ClusterState* cluster_ = nullptr;
  upstream::HostPool* pool_ = nullptr;
  upstream::UpstreamConnection* upstream_ = nullptr;
  bool waiting_for_pool_ = false;
  std::string upstream_pending_;  // request bytes waiting for the connection
  bool upstream_request_complete_ = false;
  bool upstream_request_chunked_ = false;
  bool upstream_response_complete_ = false;
  std::string upstream_host_text_;

  std::vector<FilterInstance> filters_;
  bool filter_contexts_created_ = false;
  std::unique_ptr<RequestInvoker> request_invoker_;
  std::unique_ptr<ResponseInvoker> response_invoker_;
  std::unique_ptr<FilterPipeline> request_;
  std::unique_ptr<FilterPipeline> response_;
  // A local reply replaces the response pipeline while one of its hooks may
  // still be on the stack; the old one lives until the stream does.
  std::vector<std::unique_ptr<FilterPipeline>> retired_pipelines_;

  bool request_complete_ = false;
  bool request_abandoned_ = false;  // answered before the request ended
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

  std::unordered_map<std::string, std::string> attributes_;
  std::vector<module::FilterTimer*> timers_;
  std::string property_scratch_;
};

}  // namespace switchyard::server
