// What the filter host API (host_api.cc) needs from the core, as narrow
// interfaces: StreamServices for one stream (implemented by the server's
// filter chain) and WorkerServices for one worker loop. host_api.cc talks
// only to these, so module/ depends on nothing above it.
//
// A filter's sy_stream* points at a FilterHandle: the stream's services and
// the filter's position in the chain, so that "continue" knows whose stop
// it ends and a local reply knows which filters still see it.
#pragma once

#include <switchyard/filter.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "module/http_call_spec.h"

namespace switchyard::module {

struct FilterTimer;

class WorkerServices {
 public:
  virtual uv_loop_t* loop() const = 0;
  // Module worker timers are closed when the worker stops (see
  // sy_host_api.timer_new_for_worker).
  virtual void adoptModuleTimer(FilterTimer* timer) = 0;
  virtual void forgetModuleTimer(FilterTimer* timer) = 0;
  // ABI 1.4 (sy_host_api.http_call): starts `spec` on this worker; `done`
  // runs later, once, unless the call is cancelled first. Null once the
  // worker stopped.
  virtual OutboundCall* startHttpCall(HttpCallSpec&& spec, sy_http_call_done_fn done, void* user_data) = 0;

 protected:
  ~WorkerServices() = default;
};

class StreamServices {
 public:
  // Filter iteration and replies; `filter_index` is the caller's position.
  virtual sy_result continueRequest(size_t filter_index) = 0;
  virtual sy_result continueResponse(size_t filter_index) = 0;
  // ABI 1.4: a filter stopped on the response body passes up to
  // `max_bytes` of what is held for it and stays stopped.
  virtual sy_result releaseResponseBody(size_t filter_index, size_t max_bytes, size_t* released,
                                        size_t* still_held) = 0;
  virtual sy_result sendLocalReply(size_t filter_index, int status, std::string_view body,
                                   std::string_view content_type, std::string_view details) = 0;
  virtual sy_result resetStream(std::string_view details) = 0;

  // Facts and shared state.
  virtual sy_result property(sy_stream_property property, sy_slice* value) = 0;
  virtual sy_result setAttribute(std::string_view key, std::string_view value) = 0;
  virtual sy_result getAttribute(std::string_view key, sy_slice* value) = 0;
  virtual sy_result addResponseFlag(std::string_view flag) = 0;
  // ABI 1.4: the id the access log and SY_PROP_REQUEST_ID show (validated).
  virtual sy_result setRequestId(std::string_view id) = 0;
  // The stream frees `timer` when it ends.
  virtual void adoptTimer(FilterTimer* timer) = 0;
  virtual WorkerServices& worker() = 0;

  // Upstream attempts (ABI 1.1), answered by the stream's router.
  virtual sy_result retryAttempt(uint64_t delay_ms, bool exclude_tried_hosts) = 0;
  virtual sy_result startParallelAttempt(bool exclude_tried_hosts) = 0;
  virtual sy_result cancelAttempt(uint32_t number, sy_attempt_outcome reason) = 0;
  virtual sy_result rejectAttemptResponse() = 0;
  virtual uint32_t attemptCount() const = 0;
  virtual sy_result clusterStats(sy_cluster_stats* stats) = 0;

 protected:
  ~StreamServices() = default;
};

struct FilterHandle {
  StreamServices* services;
  size_t filter_index;
};

}  // namespace switchyard::module
