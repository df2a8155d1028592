// A sy_host_api (ABI 1.1) for driving the timeout module without a proxy:
// header maps in plain containers, a clock that only moves when a test
// advances it, stream timers that fire from advance(), and a record of
// everything the module asked for (local replies, resets, response flags,
// metrics, log lines).
#pragma once

#include <switchyard/filter.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace timeout_test {

// A header map behind an sy_headers handle. Names match case-insensitively.
struct FakeHeaders {
  std::vector<std::pair<std::string, std::string>> fields;

  // Every value of `name`, in order.
  std::vector<std::string> values(std::string_view name) const;
  sy_headers* handle() { return reinterpret_cast<sy_headers*>(this); }
};

struct FakeTimer {
  sy_timer_fn callback = nullptr;
  void* user_data = nullptr;
  bool armed = false;
  uint64_t fires_at_ns = 0;
};

struct LocalReply {
  uint32_t status = 0;
  std::string body;
  std::string content_type;
  std::string details;
};

// A stream behind an sy_stream handle; it owns its timers, as the host does.
struct FakeStream {
  std::vector<std::unique_ptr<FakeTimer>> timers;
  std::vector<LocalReply> local_replies;
  std::vector<std::string> resets;  // details of each stream_reset
  std::vector<std::string> response_flags;
  // What send_local_reply answers, e.g. SY_ERR_HEADERS_SENT once the
  // response is under way.
  sy_result local_reply_result = SY_OK;

  sy_stream* handle() { return reinterpret_cast<sy_stream*>(this); }
  size_t armedTimers() const;
};

// The fake host's state; reset() between tests.
struct FakeHost {
  sy_host_api table{};
  uint64_t now_ns = 0;
  bool fail_timer_creation = false;
  std::vector<std::string> log;
  std::vector<std::string> metric_names;  // the index is the id
  std::map<uint32_t, int64_t> metric_totals;
  std::vector<FakeStream*> streams;  // every stream a timer was made for

  void reset();
  // Moves the clock on by `ms`, firing due timers in deadline order, each
  // at its own instant.
  void advance(uint64_t ms);
  int64_t metric(const std::string& name) const;
};

FakeHost& fakeHost();

// The table a host built against an older header would have: `size` cut
// to end before `first_missing` (an offsetof into sy_host_api).
sy_host_api truncatedTable(size_t first_missing);

}  // namespace timeout_test
