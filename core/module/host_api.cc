#include "module/host_api.h"

#include <uv.h>

#include <cstring>
#include <random>

#include "common/log.h"
#include "common/runtime_values.h"
#include "module/http_call_api.h"
#include "module/module_report.h"
#include "module/stream_services.h"
#include "stats/metric_registry.h"

namespace switchyard::module {

struct FilterTimer {
  uv_timer_t* handle;  // null once its worker stopped: the timer is inert
  sy_timer_fn callback;
  void* user_data;
  bool owned_by_stream;              // freed by the stream at its end, not by timer_free
  WorkerServices* worker = nullptr;  // a worker timer's worker, which closes it when it stops
};

namespace {

std::string_view view(sy_slice slice) {
  return slice.ptr == nullptr ? std::string_view() : std::string_view(slice.ptr, slice.len);
}
sy_slice sliceOf(std::string_view text) { return sy_slice{text.data(), text.size()}; }

http::HeaderMap& headersOf(sy_headers* headers) { return *reinterpret_cast<http::HeaderMap*>(headers); }
const http::HeaderMap& headersOf(const sy_headers* headers) {
  return *reinterpret_cast<const http::HeaderMap*>(headers);
}
std::string& bufferOf(sy_buffer* buffer) { return *reinterpret_cast<std::string*>(buffer); }
const std::string& bufferOf(const sy_buffer* buffer) { return *reinterpret_cast<const std::string*>(buffer); }
FilterHandle& handleOf(sy_stream* stream) { return *reinterpret_cast<FilterHandle*>(stream); }
StreamServices& servicesOf(sy_stream* stream) { return *handleOf(stream).services; }
WorkerServices& workerOf(sy_worker* worker) { return *reinterpret_cast<WorkerServices*>(worker); }

// Field names are HTTP tokens; values may not carry CR, LF or NUL (header
// injection). Pseudo-headers are allowed by name.
bool validHeaderName(std::string_view name) {
  if (name.empty()) return false;
  size_t start = name[0] == ':' ? 1 : 0;
  if (start == name.size()) return false;
  for (size_t i = start; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c <= 32 || c >= 127 || std::strchr("\"(),/:;<=>?@[\\]{}", c) != nullptr) return false;
  }
  return true;
}
bool validHeaderValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Only the pseudo-headers the host reads may be set, and :status only to a
// status it can send; anything else would be dropped or garble the head.
bool validPseudoHeader(std::string_view name, std::string_view value) {
  if (name == ":status") {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    return value.size() == 3 && value[0] >= '1' && value[0] <= '5' && digit(value[1]) && digit(value[2]);
  }
  return (name == ":method" || name == ":path" || name == ":authority" || name == ":scheme") && !value.empty();
}

log::Level levelOf(sy_log_level level) {
  switch (level) {
    case SY_LOG_TRACE: return log::Level::kTrace;
    case SY_LOG_DEBUG: return log::Level::kDebug;
    case SY_LOG_INFO: return log::Level::kInfo;
    case SY_LOG_WARN: return log::Level::kWarn;
    default: return log::Level::kError;
  }
}

int logEnabled(sy_log_level level) { return log::enabled(levelOf(level)) ? 1 : 0; }
void logWrite(sy_log_level level, sy_slice message) {
  if (log::enabled(levelOf(level))) log::write(levelOf(level), view(message));
}

size_t headerCount(const sy_headers* headers) { return headersOf(headers).size(); }

sy_result headerGet(const sy_headers* headers, sy_slice name, size_t index, sy_slice* value_out) {
  if (headers == nullptr || value_out == nullptr) return SY_ERR_INVALID_ARGUMENT;
  auto value = headersOf(headers).get(view(name), index);
  if (!value) return SY_ERR_NOT_FOUND;
  *value_out = sliceOf(*value);
  return SY_OK;
}

sy_result headerSet(sy_headers* headers, sy_slice name, sy_slice value) {
  if (headers == nullptr || !validHeaderName(view(name)) || !validHeaderValue(view(value))) {
    return SY_ERR_INVALID_ARGUMENT;
  }
  if (view(name)[0] == ':' && !validPseudoHeader(view(name), view(value))) return SY_ERR_INVALID_ARGUMENT;
  headersOf(headers).set(view(name), view(value));
  return SY_OK;
}

sy_result headerAdd(sy_headers* headers, sy_slice name, sy_slice value) {
  if (headers == nullptr || !validHeaderName(view(name)) || view(name)[0] == ':' ||
      !validHeaderValue(view(value))) {
    return SY_ERR_INVALID_ARGUMENT;
  }
  headersOf(headers).add(view(name), view(value));
  return SY_OK;
}

sy_result headerRemove(sy_headers* headers, sy_slice name) {
  if (headers == nullptr) return SY_ERR_INVALID_ARGUMENT;
  if (!view(name).empty() && view(name)[0] == ':') return SY_ERR_INVALID_ARGUMENT;
  return headersOf(headers).remove(view(name)) > 0 ? SY_OK : SY_ERR_NOT_FOUND;
}

void headerVisit(const sy_headers* headers, sy_header_visit_fn visit, void* user_data) {
  if (headers == nullptr || visit == nullptr) return;
  for (const auto& field : headersOf(headers).fields()) {
    if (visit(user_data, sliceOf(field.name), sliceOf(field.value)) == 0) return;
  }
}

size_t bufferLength(const sy_buffer* buffer) { return buffer == nullptr ? 0 : bufferOf(buffer).size(); }

size_t bufferCopyOut(const sy_buffer* buffer, size_t offset, char* dest, size_t capacity) {
  if (buffer == nullptr || dest == nullptr) return 0;
  const std::string& data = bufferOf(buffer);
  if (offset >= data.size()) return 0;
  return data.copy(dest, capacity, offset);
}

sy_result bufferAppend(sy_buffer* buffer, sy_slice data) {
  if (buffer == nullptr) return SY_ERR_INVALID_ARGUMENT;
  bufferOf(buffer).append(view(data));
  return SY_OK;
}

sy_result bufferPrepend(sy_buffer* buffer, sy_slice data) {
  if (buffer == nullptr) return SY_ERR_INVALID_ARGUMENT;
  bufferOf(buffer).insert(0, view(data));
  return SY_OK;
}

sy_result bufferDrain(sy_buffer* buffer, size_t length) {
  if (buffer == nullptr) return SY_ERR_INVALID_ARGUMENT;
  std::string& data = bufferOf(buffer);
  data.erase(0, std::min(length, data.size()));
  return SY_OK;
}

sy_result streamGetProperty(sy_stream* stream, sy_stream_property property, sy_slice* value_out) {
  if (stream == nullptr || value_out == nullptr) return SY_ERR_INVALID_ARGUMENT;
  return servicesOf(stream).property(property, value_out);
}

sy_result streamContinueRequest(sy_stream* stream) {
  if (stream == nullptr) return SY_ERR_INVALID_ARGUMENT;
  auto& handle = handleOf(stream);
  return handle.services->continueRequest(handle.filter_index);
}

sy_result streamContinueResponse(sy_stream* stream) {
  if (stream == nullptr) return SY_ERR_INVALID_ARGUMENT;
  auto& handle = handleOf(stream);
  return handle.services->continueResponse(handle.filter_index);
}

sy_result streamReleaseResponseBody(sy_stream* stream, size_t max_bytes, size_t* released_out,
                                    size_t* still_held_out) {
  if (stream == nullptr || released_out == nullptr || still_held_out == nullptr) return SY_ERR_INVALID_ARGUMENT;
  auto& handle = handleOf(stream);
  return handle.services->releaseResponseBody(handle.filter_index, max_bytes, released_out, still_held_out);
}

sy_result sendLocalReply(sy_stream* stream, uint32_t status, sy_slice body, sy_slice content_type,
                         sy_slice details) {
  if (stream == nullptr || !validHeaderValue(view(content_type))) return SY_ERR_INVALID_ARGUMENT;
  auto& handle = handleOf(stream);
  return handle.services->sendLocalReply(handle.filter_index, int(status), view(body), view(content_type),
                                       view(details));
}

sy_result streamReset(sy_stream* stream, sy_slice details) {
  if (stream == nullptr) return SY_ERR_INVALID_ARGUMENT;
  return servicesOf(stream).resetStream(view(details));
}

sy_result attributeSet(sy_stream* stream, sy_slice key, sy_slice value) {
  if (stream == nullptr || key.len == 0) return SY_ERR_INVALID_ARGUMENT;
  return servicesOf(stream).setAttribute(view(key), view(value));
}

sy_result attributeGet(sy_stream* stream, sy_slice key, sy_slice* value_out) {
  if (stream == nullptr || value_out == nullptr) return SY_ERR_INVALID_ARGUMENT;
  return servicesOf(stream).getAttribute(view(key), value_out);
}

FilterTimer* newTimer(uv_loop_t* loop, sy_timer_fn callback, void* user_data, bool owned_by_stream) {
  auto* timer = new FilterTimer{new uv_timer_t, callback, user_data, owned_by_stream};
  uv_timer_init(loop, timer->handle);
  timer->handle->data = timer;
  return timer;
}

sy_timer* timerNewForStream(sy_stream* stream, sy_timer_fn callback, void* user_data) {
  if (stream == nullptr || callback == nullptr) return nullptr;
  StreamServices& owner = servicesOf(stream);
  FilterTimer* timer = newTimer(owner.worker().loop(), callback, user_data, true);
  owner.adoptTimer(timer);
  return reinterpret_cast<sy_timer*>(timer);
}

sy_timer* timerNewForWorker(sy_worker* worker, sy_timer_fn callback, void* user_data) {
  if (worker == nullptr || callback == nullptr) return nullptr;
  WorkerServices& owner = workerOf(worker);
  FilterTimer* timer = newTimer(owner.loop(), callback, user_data, false);
  timer->worker = &owner;
  owner.adoptModuleTimer(timer);
  return reinterpret_cast<sy_timer*>(timer);
}

sy_result timerArm(sy_timer* handle, uint64_t timeout_ms) {
  if (handle == nullptr) return SY_ERR_INVALID_ARGUMENT;
  auto* timer = reinterpret_cast<FilterTimer*>(handle);
  if (timer->handle == nullptr) return SY_ERR_BAD_STATE;
  uv_timer_start(timer->handle, [](uv_timer_t* t) {
    auto* fired = static_cast<FilterTimer*>(t->data);
    fired->callback(reinterpret_cast<sy_timer*>(fired), fired->user_data);
  }, timeout_ms, 0);
  return SY_OK;
}

sy_result timerCancel(sy_timer* handle) {
  if (handle == nullptr) return SY_ERR_INVALID_ARGUMENT;
  auto* timer = reinterpret_cast<FilterTimer*>(handle);
  if (timer->handle != nullptr) uv_timer_stop(timer->handle);
  return SY_OK;
}

void timerFree(sy_timer* handle) {
  if (handle == nullptr) return;
  auto* timer = reinterpret_cast<FilterTimer*>(handle);
  // A stream timer is only stopped here; the stream releases it when it
  // ends, so a module freeing it too cannot cause a double free.
  if (timer->owned_by_stream) {
    timerCancel(handle);
  } else {
    if (timer->handle != nullptr) timer->worker->forgetModuleTimer(timer);
    freeTimer(timer);
  }
}

sy_worker* streamWorker(sy_stream* stream) {
  if (stream == nullptr) return nullptr;
  return reinterpret_cast<sy_worker*>(&servicesOf(stream).worker());
}

sy_result metricDefine(sy_config_context* context, sy_metric_kind kind, sy_slice name, uint32_t* id_out) {
  if (context == nullptr || id_out == nullptr || name.len == 0) return SY_ERR_INVALID_ARGUMENT;
  stats::MetricKind metric_kind;
  switch (kind) {
    case SY_METRIC_COUNTER: metric_kind = stats::MetricKind::kCounter; break;
    case SY_METRIC_GAUGE: metric_kind = stats::MetricKind::kGauge; break;
    case SY_METRIC_HISTOGRAM: metric_kind = stats::MetricKind::kHistogram; break;
    default: return SY_ERR_INVALID_ARGUMENT;
  }
  std::string stat = context->filter_name + "." + std::string(view(name));
  auto id = stats::MetricRegistry::global().define(metric_kind, stats::flatMetricName(stat, "Filter metric " + stat));
  if (!id) return SY_ERR_LIMIT;
  *id_out = *id;
  return SY_OK;
}

void metricRecord(uint32_t metric_id, int64_t value) { stats::MetricRegistry::global().record(metric_id, value); }

uint64_t monotonicTimeNs() { return uv_hrtime(); }

uint64_t randomU64() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator();
}

sy_result attemptRetry(sy_stream* stream, uint64_t delay_ms, int exclude_tried_hosts) {
  if (stream == nullptr) return SY_ERR_INVALID_ARGUMENT;
  return servicesOf(stream).retryAttempt(delay_ms, exclude_tried_hosts != 0);
}

sy_result attemptStartParallel(sy_stream* stream, int exclude_tried_hosts) {
  if (stream == nullptr) return SY_ERR_INVALID_ARGUMENT;
  return servicesOf(stream).startParallelAttempt(exclude_tried_hosts != 0);
}

sy_result attemptCancel(sy_stream* stream, uint32_t number, sy_attempt_outcome reason) {
  if (stream == nullptr) return SY_ERR_INVALID_ARGUMENT;
  return servicesOf(stream).cancelAttempt(number, reason);
}

sy_result attemptRejectResponse(sy_stream* stream) {
  if (stream == nullptr) return SY_ERR_INVALID_ARGUMENT;
  return servicesOf(stream).rejectAttemptResponse();
}

uint32_t attemptCount(sy_stream* stream) { return stream == nullptr ? 0 : servicesOf(stream).attemptCount(); }

sy_result clusterStats(sy_stream* stream, sy_cluster_stats* stats_out) {
  if (stream == nullptr) return SY_ERR_INVALID_ARGUMENT;
  return servicesOf(stream).clusterStats(stats_out);
}

sy_result streamAddResponseFlag(sy_stream* stream, sy_slice flag) {
  if (stream == nullptr) return SY_ERR_INVALID_ARGUMENT;
  return servicesOf(stream).addResponseFlag(view(flag));
}

sy_result streamSetRequestId(sy_stream* stream, sy_slice id) {
  if (stream == nullptr) return SY_ERR_INVALID_ARGUMENT;
  return servicesOf(stream).setRequestId(view(id));
}

sy_result runtimeGet(sy_slice key, char* buffer, size_t capacity, size_t* length_out) {
  if (length_out == nullptr || (buffer == nullptr && capacity > 0)) return SY_ERR_INVALID_ARGUMENT;
  std::optional<std::string_view> value = common::RuntimeValues::global().get(view(key));
  if (!value) return SY_ERR_NOT_FOUND;
  *length_out = value->size();
  if (value->size() > capacity) return SY_ERR_LIMIT;
  std::memcpy(buffer, value->data(), value->size());
  return SY_OK;
}

}  // namespace

void closeTimer(FilterTimer* timer) {
  if (timer == nullptr || timer->handle == nullptr) return;
  uv_close(reinterpret_cast<uv_handle_t*>(timer->handle), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  timer->handle = nullptr;
}

void freeTimer(FilterTimer* timer) {
  closeTimer(timer);
  delete timer;
}

namespace {

const sy_host_api kHostApi = {
    sizeof(sy_host_api),
    {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    logEnabled,
    logWrite,
    headerCount,
    headerGet,
    headerSet,
    headerAdd,
    headerRemove,
    headerVisit,
    bufferLength,
    bufferCopyOut,
    bufferAppend,
    bufferPrepend,
    bufferDrain,
    streamGetProperty,
    streamContinueRequest,
    streamContinueResponse,
    sendLocalReply,
    streamReset,
    attributeSet,
    attributeGet,
    timerNewForStream,
    timerNewForWorker,
    timerArm,
    timerCancel,
    timerFree,
    streamWorker,
    metricDefine,
    metricRecord,
    monotonicTimeNs,
    randomU64,
    attemptRetry,
    attemptStartParallel,
    attemptCancel,
    attemptRejectResponse,
    attemptCount,
    clusterStats,
    streamAddResponseFlag,
    config_calls::root,
    config_calls::kind,
    config_calls::member,
    config_calls::length,
    config_calls::element,
    config_calls::readString,
    config_calls::readInteger,
    config_calls::readNumber,
    config_calls::readBool,
    config_calls::readDurationMs,
    config_calls::visitStrings,
    config_calls::error,
    config_calls::checkMembers,
    config_calls::errorCount,
    reportField,
    streamSetRequestId,
    runtimeGet,
    http_call_calls::start,
    http_call_calls::cancel,
    streamReleaseResponseBody,
};

}  // namespace

const sy_host_api* hostApi() { return &kHostApi; }

}  // namespace switchyard::module
