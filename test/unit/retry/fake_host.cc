#include "fake_host.h"

#include <strings.h>

#include <cstddef>

namespace switchyard::retry_test {

namespace {

std::string_view view(sy_slice slice) { return std::string_view(slice.ptr, slice.len); }

bool sameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

FakeHeaders& headersOf(sy_headers* headers) { return *reinterpret_cast<FakeHeaders*>(headers); }
const FakeHeaders& headersOf(const sy_headers* headers) {
  return *reinterpret_cast<const FakeHeaders*>(headers);
}
FakeTimer& timerOf(sy_timer* timer) { return *reinterpret_cast<FakeTimer*>(timer); }

int logEnabled(sy_log_level) { return 1; }
void logWrite(sy_log_level, sy_slice message) { fakeHost().log.emplace_back(view(message)); }

size_t headerCount(const sy_headers* headers) { return headersOf(headers).fields.size(); }

sy_result headerGet(const sy_headers* headers, sy_slice name, size_t index, sy_slice* value_out) {
  for (const auto& [field_name, value] : headersOf(headers).fields) {
    if (sameName(field_name, view(name)) && index-- == 0) {
      *value_out = sy_slice{value.data(), value.size()};
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

sy_timer* timerNewForStream(sy_stream*, sy_timer_fn callback, void* user_data) {
  if (!fakeHost().give_timers) return nullptr;
  auto timer = std::make_unique<FakeTimer>();
  timer->callback = callback;
  timer->user_data = user_data;
  fakeHost().timers.push_back(std::move(timer));
  return reinterpret_cast<sy_timer*>(fakeHost().timers.back().get());
}

sy_result timerArm(sy_timer* timer, uint64_t timeout_ms) {
  timerOf(timer).armed = true;
  timerOf(timer).timeout_ms = timeout_ms;
  return SY_OK;
}

sy_result timerCancel(sy_timer* timer) {
  timerOf(timer).armed = false;
  return SY_OK;
}

sy_result metricDefine(sy_config_context* context, sy_metric_kind kind, sy_slice name, uint32_t* id_out) {
  if (context == nullptr || kind != SY_METRIC_COUNTER) return SY_ERR_INVALID_ARGUMENT;
  auto& names = fakeHost().metric_names;
  for (size_t id = 0; id < names.size(); ++id) {
    if (names[id] == view(name)) {
      *id_out = uint32_t(id);
      return SY_OK;
    }
  }
  *id_out = uint32_t(names.size());
  names.emplace_back(view(name));
  return SY_OK;
}

void metricRecord(uint32_t metric_id, int64_t value) { fakeHost().metric_totals[metric_id] += value; }

uint64_t monotonicTimeNs() { return 0; }
uint64_t randomU64() { return fakeHost().random; }

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

uint32_t attemptCount(sy_stream*) { return 0; }

sy_result clusterStats(sy_stream*, sy_cluster_stats* stats_out) {
  if (fakeHost().cluster_stats_result != SY_OK) return fakeHost().cluster_stats_result;
  *stats_out = fakeHost().cluster_stats;
  return SY_OK;
}

sy_result streamAddResponseFlag(sy_stream*, sy_slice flag) {
  fakeHost().flags.emplace_back(view(flag));
  return SY_OK;
}

sy_host_api makeFakeHost() {
  sy_host_api host{};
  host.size = sizeof(sy_host_api);
  host.abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR};
  host.log_enabled = logEnabled;
  host.log = logWrite;
  host.header_count = headerCount;
  host.header_get = headerGet;
  host.header_set = headerSet;
  host.header_add = headerAdd;
  host.header_remove = headerRemove;
  host.timer_new_for_stream = timerNewForStream;
  host.timer_arm = timerArm;
  host.timer_cancel = timerCancel;
  host.metric_define = metricDefine;
  host.metric_record = metricRecord;
  host.monotonic_time_ns = monotonicTimeNs;
  host.random_u64 = randomU64;
  host.attempt_retry = attemptRetry;
  host.attempt_start_parallel = attemptStartParallel;
  host.attempt_cancel = attemptCancel;
  host.attempt_reject_response = attemptRejectResponse;
  host.attempt_count = attemptCount;
  host.cluster_stats = clusterStats;
  host.stream_add_response_flag = streamAddResponseFlag;
  return host;
}

}  // namespace

std::vector<std::string> FakeHeaders::values(std::string_view name) const {
  std::vector<std::string> found;
  for (const auto& [field_name, value] : fields) {
    if (sameName(field_name, name)) found.push_back(value);
  }
  return found;
}

void FakeTimer::fire() {
  armed = false;
  callback(reinterpret_cast<sy_timer*>(this), user_data);
}

int64_t FakeHost::metric(std::string_view name) const {
  for (size_t id = 0; id < metric_names.size(); ++id) {
    if (metric_names[id] == name) {
      auto found = metric_totals.find(uint32_t(id));
      return found == metric_totals.end() ? 0 : found->second;
    }
  }
  return 0;
}

FakeHost& fakeHost() {
  static FakeHost host;
  return host;
}

void resetFakeHost() { fakeHost() = FakeHost{}; }

const sy_host_api* fakeHostTable() {
  static const sy_host_api host = makeFakeHost();
  return &host;
}

const sy_host_api* shortFakeHostTable() {
  static const sy_host_api host = [] {
    sy_host_api cut = makeFakeHost();
    cut.size = uint32_t(offsetof(sy_host_api, attempt_retry));
    cut.abi = {SY_ABI_VERSION_MAJOR, 0};
    return cut;
  }();
  return &host;
}

}  // namespace switchyard::retry_test
