#include "fake_host.h"

#include <google/protobuf/util/json_util.h>
#include <strings.h>

#include <algorithm>

namespace switchyard::fake_host {

namespace {

constexpr uint64_t kNsPerMs = 1000000;

std::string_view view(sy_slice slice) { return std::string_view(slice.ptr, slice.len); }
sy_slice slice(const std::string& text) { return sy_slice{text.data(), text.size()}; }

bool sameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

FakeHeaders& headersOf(sy_headers* headers) { return *reinterpret_cast<FakeHeaders*>(headers); }
const FakeHeaders& headersOf(const sy_headers* headers) {
  return *reinterpret_cast<const FakeHeaders*>(headers);
}
FakeStream& streamOf(sy_stream* stream) { return *reinterpret_cast<FakeStream*>(stream); }
FakeTimer& timerOf(sy_timer* timer) { return *reinterpret_cast<FakeTimer*>(timer); }

const char* levelName(sy_log_level level) {
  switch (level) {
    case SY_LOG_TRACE:
      return "trace";
    case SY_LOG_DEBUG:
      return "debug";
    case SY_LOG_INFO:
      return "info";
    case SY_LOG_WARN:
      return "warn";
    default:
      return "error";
  }
}

// ---- Logging, headers, stream control ------------------------------------

int logEnabled(sy_log_level) { return 1; }

void logWrite(sy_log_level level, sy_slice message) {
  fakeHost().log.push_back(std::string(levelName(level)) + ": " + std::string(view(message)));
  fakeHost().log_messages.emplace_back(view(message));
}

size_t headerCount(const sy_headers* headers) { return headersOf(headers).fields.size(); }

sy_result headerGet(const sy_headers* headers, sy_slice name, size_t index, sy_slice* value_out) {
  for (const auto& [field_name, value] : headersOf(headers).fields) {
    if (sameName(field_name, view(name)) && index-- == 0) {
      *value_out = slice(value);
      return SY_OK;
    }
  }
  return SY_ERR_NOT_FOUND;
}

sy_result headerRemove(sy_headers* headers, sy_slice name) {
  auto& fields = headersOf(headers).fields;
  size_t before = fields.size();
  std::erase_if(fields, [&](const auto& field) { return sameName(field.first, view(name)); });
  return fields.size() < before ? SY_OK : SY_ERR_NOT_FOUND;
}

sy_result headerAdd(sy_headers* headers, sy_slice name, sy_slice value) {
  headersOf(headers).fields.emplace_back(view(name), view(value));
  return SY_OK;
}

sy_result headerSet(sy_headers* headers, sy_slice name, sy_slice value) {
  headerRemove(headers, name);
  return headerAdd(headers, name, value);
}

void headerVisit(const sy_headers* headers, sy_header_visit_fn visit, void* user_data) {
  for (const auto& [name, value] : headersOf(headers).fields) {
    if (visit(user_data, slice(name), slice(value)) == 0) return;
  }
}

sy_result streamGetProperty(sy_stream* stream, sy_stream_property property, sy_slice* value_out) {
  const auto& properties = streamOf(stream).properties;
  auto found = properties.find(property);
  if (found == properties.end()) return SY_ERR_NOT_FOUND;
  *value_out = slice(found->second);
  return SY_OK;
}

sy_result sendLocalReply(sy_stream* stream, uint32_t status, sy_slice body, sy_slice content_type,
                         sy_slice details) {
  FakeStream& fake = streamOf(stream);
  if (fake.local_reply_result != SY_OK) return fake.local_reply_result;
  fake.local_replies.push_back(LocalReply{status, std::string(view(body)), std::string(view(content_type)),
                                          std::string(view(details))});
  return SY_OK;
}

sy_result streamReset(sy_stream* stream, sy_slice details) {
  streamOf(stream).resets.emplace_back(view(details));
  return SY_OK;
}

sy_result attributeSet(sy_stream* stream, sy_slice key, sy_slice value) {
  streamOf(stream).attributes[std::string(view(key))] = std::string(view(value));
  return SY_OK;
}

sy_result attributeGet(sy_stream* stream, sy_slice key, sy_slice* value_out) {
  const auto& attributes = streamOf(stream).attributes;
  auto found = attributes.find(std::string(view(key)));
  if (found == attributes.end()) return SY_ERR_NOT_FOUND;
  *value_out = slice(found->second);
  return SY_OK;
}

// ---- Timers and clock ------------------------------------------------------

sy_timer* newTimer(sy_stream* stream, sy_worker* worker, sy_timer_fn callback, void* user_data) {
  FakeHost& host = fakeHost();
  if (host.fail_timer_creation) return nullptr;
  auto timer = std::make_unique<FakeTimer>();
  timer->callback = callback;
  timer->user_data = user_data;
  timer->stream = stream;
  timer->worker = worker;
  host.timers.push_back(std::move(timer));
  return reinterpret_cast<sy_timer*>(host.timers.back().get());
}

sy_timer* timerNewForStream(sy_stream* stream, sy_timer_fn callback, void* user_data) {
  return newTimer(stream, nullptr, callback, user_data);
}

sy_timer* timerNewForWorker(sy_worker* worker, sy_timer_fn callback, void* user_data) {
  return newTimer(nullptr, worker, callback, user_data);
}

sy_result timerArm(sy_timer* timer, uint64_t timeout_ms) {
  FakeTimer& fake = timerOf(timer);
  if (fake.freed) return SY_ERR_BAD_STATE;
  fake.armed = true;
  fake.timeout_ms = timeout_ms;
  fake.fires_at_ns = fakeHost().now_ns + timeout_ms * kNsPerMs;
  return SY_OK;
}

sy_result timerCancel(sy_timer* timer) {
  timerOf(timer).armed = false;
  return SY_OK;
}

void timerFree(sy_timer* timer) {
  timerOf(timer).armed = false;
  timerOf(timer).freed = true;
}

sy_worker* streamWorker(sy_stream*) { return fakeHost().worker.handle(); }

uint64_t monotonicTimeNs() { return fakeHost().now_ns; }
uint64_t randomU64() { return fakeHost().random; }

// ---- Metrics ---------------------------------------------------------------

sy_result metricDefine(sy_config_context* context, sy_metric_kind kind, sy_slice name, uint32_t* id_out) {
  if (context == nullptr || id_out == nullptr || name.len == 0) return SY_ERR_INVALID_ARGUMENT;
  if (kind != SY_METRIC_COUNTER && kind != SY_METRIC_GAUGE && kind != SY_METRIC_HISTOGRAM) {
    return SY_ERR_INVALID_ARGUMENT;
  }
  FakeHost& host = fakeHost();
  std::string full_name = std::string(view(name));
  if (!context->filter_name.empty()) full_name = context->filter_name + "." + full_name;
  auto found = std::find(host.metric_names.begin(), host.metric_names.end(), full_name);
  const size_t id = size_t(found - host.metric_names.begin());
  if (found == host.metric_names.end()) {
    host.metric_names.push_back(full_name);
    host.metric_kinds.push_back(kind);
  } else if (host.metric_kinds[id] != kind) {
    return SY_ERR_INVALID_ARGUMENT;
  }
  *id_out = uint32_t(id);
  return SY_OK;
}

void metricRecord(uint32_t metric_id, int64_t value) { fakeHost().metric_totals[metric_id] += value; }

// ---- ABI 1.1: upstream attempts --------------------------------------------

sy_result attemptRetry(sy_stream*, uint64_t delay_ms, int exclude_tried_hosts) {
  FakeHost& host = fakeHost();
  host.retries.push_back({delay_ms, exclude_tried_hosts});
  if (host.retry_result == SY_OK) host.cluster_stats.active_retries++;
  return host.retry_result;
}

sy_result attemptStartParallel(sy_stream*, int exclude_tried_hosts) {
  FakeHost& host = fakeHost();
  host.parallel_starts.push_back(exclude_tried_hosts);
  if (host.parallel_result == SY_OK) host.cluster_stats.active_retries++;
  return host.parallel_result;
}

sy_result attemptCancel(sy_stream*, uint32_t number, sy_attempt_outcome reason) {
  FakeHost& host = fakeHost();
  host.cancels.push_back({number, reason});
  if (host.cancel_result == SY_OK && host.finish_cancelled) host.finish_cancelled(number, reason);
  return host.cancel_result;
}

sy_result attemptRejectResponse(sy_stream*) {
  fakeHost().rejects++;
  return fakeHost().reject_result;
}

uint32_t attemptCount(sy_stream*) { return fakeHost().attempt_count; }

sy_result clusterStats(sy_stream*, sy_cluster_stats* stats_out) {
  if (fakeHost().cluster_stats_result != SY_OK) return fakeHost().cluster_stats_result;
  *stats_out = fakeHost().cluster_stats;
  return SY_OK;
}

sy_result streamAddResponseFlag(sy_stream* stream, sy_slice flag) {
  streamOf(stream).response_flags.emplace_back(view(flag));
  return SY_OK;
}

// ---- ABI 1.4 ----------------------------------------------------------------

size_t bufferLength(const sy_buffer* buffer) { return reinterpret_cast<const std::string*>(buffer)->size(); }

sy_result streamContinueRequest(sy_stream* stream) {
  streamOf(stream).request_continues++;
  return SY_OK;
}

sy_result streamContinueResponse(sy_stream* stream) {
  streamOf(stream).response_continues++;
  return SY_OK;
}

sy_result streamReleaseResponseBody(sy_stream* stream, size_t max_bytes, size_t* released_out,
                                    size_t* still_held_out) {
  FakeStream& fake = streamOf(stream);
  size_t count = std::min(max_bytes, fake.held_response_body.size());
  fake.released_response_body += fake.held_response_body.substr(0, count);
  fake.held_response_body.erase(0, count);
  *released_out = count;
  *still_held_out = fake.held_response_body.size();
  return SY_OK;
}

sy_result runtimeGet(sy_slice key, char* buffer, size_t capacity, size_t* length_out) {
  const auto& runtime = fakeHost().runtime;
  auto found = runtime.find(view(key));
  if (found == runtime.end()) return SY_ERR_NOT_FOUND;
  *length_out = found->second.size();
  if (found->second.size() > capacity) return SY_ERR_LIMIT;
  std::copy(found->second.begin(), found->second.end(), buffer);
  return SY_OK;
}

sy_host_api makeTable() {
  sy_host_api table{};
  table.size = sizeof(sy_host_api);
  table.abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR};
  table.log_enabled = logEnabled;
  table.log = logWrite;
  table.header_count = headerCount;
  table.header_get = headerGet;
  table.header_set = headerSet;
  table.header_add = headerAdd;
  table.header_remove = headerRemove;
  table.header_visit = headerVisit;
  table.buffer_length = bufferLength;
  table.stream_get_property = streamGetProperty;
  table.stream_continue_request = streamContinueRequest;
  table.stream_continue_response = streamContinueResponse;
  table.send_local_reply = sendLocalReply;
  table.stream_reset = streamReset;
  table.attribute_set = attributeSet;
  table.attribute_get = attributeGet;
  table.timer_new_for_stream = timerNewForStream;
  table.timer_new_for_worker = timerNewForWorker;
  table.timer_arm = timerArm;
  table.timer_cancel = timerCancel;
  table.timer_free = timerFree;
  table.stream_worker = streamWorker;
  table.metric_define = metricDefine;
  table.metric_record = metricRecord;
  table.monotonic_time_ns = monotonicTimeNs;
  table.random_u64 = randomU64;
  table.attempt_retry = attemptRetry;
  table.attempt_start_parallel = attemptStartParallel;
  table.attempt_cancel = attemptCancel;
  table.attempt_reject_response = attemptRejectResponse;
  table.attempt_count = attemptCount;
  table.cluster_stats = clusterStats;
  table.stream_add_response_flag = streamAddResponseFlag;
  // Typed config access is the core's own implementation, not a fake: the
  // modules' config tests then check what users will see.
  table.config_root = module::config_calls::root;
  table.config_kind = module::config_calls::kind;
  table.config_member = module::config_calls::member;
  table.config_length = module::config_calls::length;
  table.config_element = module::config_calls::element;
  table.config_read_string = module::config_calls::readString;
  table.config_read_integer = module::config_calls::readInteger;
  table.config_read_number = module::config_calls::readNumber;
  table.config_read_bool = module::config_calls::readBool;
  table.config_read_duration_ms = module::config_calls::readDurationMs;
  table.config_visit_strings = module::config_calls::visitStrings;
  table.config_error = module::config_calls::error;
  table.config_check_members = module::config_calls::checkMembers;
  table.config_error_count = module::config_calls::errorCount;
  table.runtime_get = runtimeGet;
  table.stream_release_response_body = streamReleaseResponseBody;
  return table;
}

}  // namespace

std::vector<std::string> FakeHeaders::values(std::string_view name) const {
  std::vector<std::string> found;
  for (const auto& [field_name, value] : fields) {
    if (sameName(field_name, name)) found.push_back(value);
  }
  return found;
}

size_t FakeStream::armedTimers() const {
  const auto* self = reinterpret_cast<const sy_stream*>(this);
  return size_t(std::count_if(fakeHost().timers.begin(), fakeHost().timers.end(),
                              [&](const auto& timer) { return timer->stream == self && timer->armed; }));
}

void FakeTimer::fire() {
  armed = false;
  callback(reinterpret_cast<sy_timer*>(this), user_data);
}

void FakeHost::reset() { *this = FakeHost{}; }

void FakeHost::advance(uint64_t ms) {
  const uint64_t until_ns = now_ns + ms * kNsPerMs;
  for (;;) {
    FakeTimer* next = nullptr;
    for (auto& timer : timers) {
      if (timer->armed && timer->fires_at_ns <= until_ns &&
          (next == nullptr || timer->fires_at_ns < next->fires_at_ns)) {
        next = timer.get();
      }
    }
    if (next == nullptr) break;
    now_ns = std::max(now_ns, next->fires_at_ns);
    next->fire();
  }
  now_ns = until_ns;
}

int64_t FakeHost::metric(std::string_view name) const {
  auto found = std::find(metric_names.begin(), metric_names.end(), name);
  if (found == metric_names.end()) return -1;
  auto total = metric_totals.find(uint32_t(found - metric_names.begin()));
  return total == metric_totals.end() ? 0 : total->second;
}

TestConfig::TestConfig(std::string json, std::string filter_name, std::string path) : json_(std::move(json)) {
  parsed_ = google::protobuf::util::JsonStringToMessage(json_, &tree_).ok();
  access_ = std::make_unique<module::ConfigAccess>(tree_, std::move(path));
  context_ = sy_config_context{std::move(filter_name), access_.get()};
}

FakeHost& fakeHost() {
  static FakeHost host;
  return host;
}

const sy_host_api* fakeHostTable() {
  static const sy_host_api table = makeTable();
  return &table;
}

sy_host_api truncatedTable(size_t first_missing, uint16_t minor) {
  sy_host_api table = makeTable();
  table.size = uint32_t(first_missing);
  table.abi = {SY_ABI_VERSION_MAJOR, minor};
  return table;
}

}  // namespace switchyard::fake_host
