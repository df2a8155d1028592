// A sy_host_api for driving the retry module through its table without a
// proxy. It implements the ABI 1.1 contract as filter.h states it, in the
// small: header maps in vectors, timers that fire when a test says so,
// attempt calls that record what was asked and answer what the test chose,
// and attempt_cancel that runs the module's attempt_finished (TIMED_OUT or
// CANCELLED) before it returns.
#pragma once

#include <switchyard/filter.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::retry_test {

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
  uint64_t timeout_ms = 0;

  // Runs the callback as the event loop would when the timer expires.
  void fire();
};

struct RetryCall {
  uint64_t delay_ms;
  int exclude_tried_hosts;
};

struct CancelCall {
  uint32_t number;
  sy_attempt_outcome reason;
};

// The host's state: what the module did, and the answers it will get. One
// instance, reset by each test.
struct FakeHost {
  // Answers.
  sy_result retry_result = SY_OK;
  sy_result parallel_result = SY_OK;
  sy_result reject_result = SY_OK;
  sy_result cancel_result = SY_OK;
  sy_result cluster_stats_result = SY_OK;
  // What cluster_stats answers; a retry or hedge the host accepts adds one
  // to active_retries, as the real counter does. Nothing takes it away.
  sy_cluster_stats cluster_stats{sizeof(sy_cluster_stats), 10, 0, 0};
  uint64_t random = 0;
  bool give_timers = true;
  // Runs the module's attempt_finished for an attempt_cancel, as the real
  // host does before attempt_cancel returns. Set by the test fixture.
  std::function<void(uint32_t number, sy_attempt_outcome reason)> finish_cancelled;

  // What the module did.
  std::vector<RetryCall> retries;
  std::vector<int> parallel_starts;  // exclude_tried_hosts of each
  std::vector<CancelCall> cancels;
  int rejects = 0;
  std::vector<std::string> flags;
  std::vector<std::string> log;
  std::vector<std::string> metric_names;  // the index is the id
  std::map<uint32_t, int64_t> metric_totals;
  std::vector<std::unique_ptr<FakeTimer>> timers;

  // The total recorded for "<name>", 0 if never recorded.
  int64_t metric(std::string_view name) const;
};

FakeHost& fakeHost();
// Starts a test afresh: default answers, nothing recorded.
void resetFakeHost();
// The full ABI 1.1 table.
const sy_host_api* fakeHostTable();
// The same table cut short before the 1.1 calls, as a host whose table is
// too small would hand it over.
const sy_host_api* shortFakeHostTable();

}  // namespace switchyard::retry_test
