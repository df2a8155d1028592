#include "fake_host.h"

#include <strings.h>

#include <algorithm>
#include <cstddef>

namespace timeout_test {

namespace {

constexpr uint64_t kNsPerMs = 1000000;

std::string_view view(sy_slice slice) { return std::string_view(slice.ptr, slice.len); }

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

int logEnabled(sy_log_level) { return 1; }
void logWrite(sy_log_level level, sy_slice message) {
  fakeHost().log.push_back(std::string(levelName(level)) + ": " + std::string(view(message)));
}

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

sy_result streamGetProperty(sy_stream*, sy_stream_property property, sy_slice* value_out) {
  if (property != SY_PROP_REQUEST_ID) return SY_ERR_NOT_FOUND;
  *value_out = sy_slice{"7", 1};
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

sy_timer* timerNewForStream(sy_stream* stream, sy_timer_fn callback, void* user_data) {
  if (fakeHost().fail_timer_creation) return nullptr;
  FakeStream& fake = streamOf(stream);
  fake.timers.push_back(std::make_unique<FakeTimer>(FakeTimer{callback, user_data, false, 0}));
  if (std::find(fakeHost().streams.begin(), fakeHost().streams.end(), &fake) == fakeHost().streams.end()) {
    fakeHost().streams.push_back(&fake);
  }
  return reinterpret_cast<sy_timer*>(fake.timers.back().get());
}

sy_result timerArm(sy_timer* timer, uint64_t timeout_ms) {
  timerOf(timer).armed = true;
  timerOf(timer).fires_at_ns = fakeHost().now_ns + timeout_ms * kNsPerMs;
  return SY_OK;
}

sy_result timerCancel(sy_timer* timer) {
  timerOf(timer).armed = false;
  return SY_OK;
}

void timerFree(sy_timer* timer) { timerCancel(timer); }

sy_result metricDefine(sy_config_context*, sy_metric_kind kind, sy_slice name, uint32_t* id_out) {
  if (kind != SY_METRIC_COUNTER) return SY_ERR_INVALID_ARGUMENT;
  auto& names = fakeHost().metric_names;
  std::string full_name = "timeout." + std::string(view(name));
  auto found = std::find(names.begin(), names.end(), full_name);
  *id_out = uint32_t(found - names.begin());
  if (found == names.end()) names.push_back(full_name);
  return SY_OK;
}

void metricRecord(uint32_t metric_id, int64_t value) { fakeHost().metric_totals[metric_id] += value; }

uint64_t monotonicTimeNs() { return fakeHost().now_ns; }

sy_result addResponseFlag(sy_stream* stream, sy_slice flag) {
  streamOf(stream).response_flags.emplace_back(view(flag));
  return SY_OK;
}

sy_host_api makeTable() {
  sy_host_api table{};
  table.size = sizeof(sy_host_api);
  table.abi = {1, 1};
  table.log_enabled = logEnabled;
  table.log = logWrite;
  table.header_count = headerCount;
  table.header_get = headerGet;
  table.header_set = headerSet;
  table.header_add = headerAdd;
  table.header_remove = headerRemove;
  table.stream_get_property = streamGetProperty;
  table.send_local_reply = sendLocalReply;
  table.stream_reset = streamReset;
  table.timer_new_for_stream = timerNewForStream;
  table.timer_arm = timerArm;
  table.timer_cancel = timerCancel;
  table.timer_free = timerFree;
  table.metric_define = metricDefine;
  table.metric_record = metricRecord;
  table.monotonic_time_ns = monotonicTimeNs;
  table.stream_add_response_flag = addResponseFlag;
  // Everything else stays NULL: the timeout module must not call it.
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
  return size_t(std::count_if(timers.begin(), timers.end(), [](const auto& timer) { return timer->armed; }));
}

void FakeHost::reset() {
  table = makeTable();
  now_ns = 1000 * kNsPerMs;  // not 0, so a clock read as 0 by mistake shows
  fail_timer_creation = false;
  log.clear();
  metric_names.clear();
  metric_totals.clear();
  streams.clear();
}

void FakeHost::advance(uint64_t ms) {
  const uint64_t until_ns = now_ns + ms * kNsPerMs;
  for (;;) {
    FakeTimer* next = nullptr;
    for (FakeStream* stream : streams) {
      for (auto& timer : stream->timers) {
        if (timer->armed && timer->fires_at_ns <= until_ns &&
            (next == nullptr || timer->fires_at_ns < next->fires_at_ns)) {
          next = timer.get();
        }
      }
    }
    if (next == nullptr) break;
    now_ns = std::max(now_ns, next->fires_at_ns);
    next->armed = false;
    next->callback(reinterpret_cast<sy_timer*>(next), next->user_data);
  }
  now_ns = until_ns;
}

int64_t FakeHost::metric(const std::string& name) const {
  auto found = std::find(metric_names.begin(), metric_names.end(), name);
  if (found == metric_names.end()) return -1;
  auto total = metric_totals.find(uint32_t(found - metric_names.begin()));
  return total == metric_totals.end() ? 0 : total->second;
}

FakeHost& fakeHost() {
  static FakeHost host;
  return host;
}

sy_host_api truncatedTable(size_t first_missing) {
  sy_host_api table = fakeHost().table;
  table.size = uint32_t(first_missing);
  table.abi = {1, 0};
  return table;
}

}  // namespace timeout_test
