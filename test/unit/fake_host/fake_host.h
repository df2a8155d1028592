// One sy_host_api (ABI 1.2) for unit tests that drive filter modules through
// their tables without a proxy: header maps in plain containers, streams with
// properties and attributes, a clock that moves only when a test advances it,
// stream and worker timers that fire from advance() or by hand, attempt calls
// that answer what the test chose and record what was asked, and a record of
// everything else the module did (local replies, resets, response flags,
// metrics, log lines). Its typed config calls are the core's real ones
// (core/module/config_access), over a TestConfig's context.
//
// There is one host per process, fakeHost(); call fakeHost().reset() at the
// start of every test. The table, fakeHostTable(), has every call listed
// above, and of the ABI 1.4 calls runtime_get (FakeHost::runtime),
// stream_continue_* and stream_release_response_body (FakeStream's
// response body model); of the buffer calls only buffer_length, over a
// std::string behind the sy_buffer handle.
#pragma once

#include <google/protobuf/struct.pb.h>
#include <switchyard/filter.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "module/config_access.h"

namespace switchyard::fake_host {

// A config handed to config_new as the core hands it: `json` (an object)
// parsed into the tree that the typed config calls read, with errors named
// from `path`, and the text itself for json_config.
class TestConfig {
 public:
  explicit TestConfig(std::string json, std::string filter_name = "", std::string path = "config");

  // False when `json` is no JSON object (the core never hands over one).
  bool parsed() const { return parsed_; }
  sy_config_context* context() { return &context_; }
  sy_slice json() const { return sy_slice{json_.data(), json_.size()}; }
  // What typed reads and config_error recorded, each "<path>: <message>".
  const std::vector<std::string>& errors() const { return access_->errors(); }

 private:
  std::string json_;
  google::protobuf::Struct tree_;
  bool parsed_ = false;
  std::unique_ptr<module::ConfigAccess> access_;
  sy_config_context context_;
};

// A header map behind an sy_headers handle. Names match case-insensitively;
// header_set replaces every field of the name with one added at the end.
struct FakeHeaders {
  std::vector<std::pair<std::string, std::string>> fields;  // in order

  // Every value of `name`, in order.
  std::vector<std::string> values(std::string_view name) const;
  sy_headers* handle() { return reinterpret_cast<sy_headers*>(this); }
};

// What one send_local_reply asked for.
struct LocalReply {
  uint32_t status = 0;
  std::string body;
  std::string content_type;
  std::string details;
};

// A stream behind an sy_stream handle. The test fills `properties` and
// `local_reply_result`; the rest records what modules did to this stream.
struct FakeStream {
  // What stream_get_property answers; a property not in the map is
  // SY_ERR_NOT_FOUND.
  std::map<sy_stream_property, std::string> properties;
  // attribute_set stores here, attribute_get reads (SY_ERR_NOT_FOUND when
  // the key is absent); a test may preset or inspect them.
  std::map<std::string, std::string> attributes;
  // What send_local_reply answers, e.g. SY_ERR_HEADERS_SENT once the
  // response is under way. Only an SY_OK answer records the reply.
  sy_result local_reply_result = SY_OK;

  std::vector<LocalReply> local_replies;    // each accepted send_local_reply
  std::vector<std::string> resets;          // `details` of each stream_reset
  std::vector<std::string> response_flags;  // each stream_add_response_flag, in order

  // The response body as a pacing filter sees it: `held_response_body` is
  // what the host holds for the filter (the test puts there what a
  // STOP_ITERATION kept); stream_release_response_body moves from its
  // front to `released_response_body`. The continue calls are counted.
  std::string held_response_body;
  std::string released_response_body;
  int request_continues = 0;
  int response_continues = 0;

  sy_stream* handle() { return reinterpret_cast<sy_stream*>(this); }
  // This stream's timers (see FakeHost::timers) that are armed now.
  size_t armedTimers() const;
};

// The one worker every stream runs on (stream_worker answers it).
struct FakeWorker {
  sy_worker* handle() { return reinterpret_cast<sy_worker*>(this); }
};

// A timer made by timer_new_for_stream or timer_new_for_worker. The host
// keeps it until reset(), so a test can inspect it even after timer_free.
struct FakeTimer {
  sy_timer_fn callback = nullptr;
  void* user_data = nullptr;
  sy_stream* stream = nullptr;  // the stream it was made for; NULL for a worker timer
  sy_worker* worker = nullptr;  // the worker it was made for; NULL for a stream timer
  bool armed = false;           // armed and not yet fired or cancelled
  bool freed = false;           // timer_free was called
  uint64_t timeout_ms = 0;      // what the last timer_arm asked for
  uint64_t fires_at_ns = 0;     // the clock (FakeHost::now_ns) at which it fires

  // Runs the callback as the event loop would when the timer expires,
  // without moving the clock.
  void fire();
};

// One attempt_retry call.
struct RetryCall {
  uint64_t delay_ms;
  int exclude_tried_hosts;
};

// One attempt_cancel call.
struct CancelCall {
  uint32_t number;
  sy_attempt_outcome reason;
};

// The host's state: the answers it will give (set by the test) and what the
// modules did (recorded by the calls). reset() restores the defaults below.
struct FakeHost {
  // ---- Answers and behaviour, set by the test ----------------------------
  // Metric names are "<filter name>.<name>", the filter name being the
  // config_new context's; "<name>" when it has none.
  // timer_new_for_stream and timer_new_for_worker return NULL while set.
  bool fail_timer_creation = false;
  // The clock monotonic_time_ns reads. It starts at 1 s, not 0, so a clock
  // read as 0 by mistake shows. advance() moves it; a test may also set it.
  uint64_t now_ns = 1000000000;
  // What random_u64 returns.
  uint64_t random = 0;
  // The runtime values runtime_get answers (ABI 1.4); absent: NOT_FOUND.
  std::map<std::string, std::string, std::less<>> runtime;
  // What attempt_count returns.
  uint32_t attempt_count = 0;
  // What the attempt calls answer.
  sy_result retry_result = SY_OK;          // attempt_retry
  sy_result parallel_result = SY_OK;       // attempt_start_parallel
  sy_result cancel_result = SY_OK;         // attempt_cancel
  sy_result reject_result = SY_OK;         // attempt_reject_response
  sy_result cluster_stats_result = SY_OK;  // cluster_stats; on SY_OK it fills in `cluster_stats`
  // What cluster_stats answers; a retry or hedge the host accepts (SY_OK)
  // adds one to active_retries at once (the real host counts it when the
  // attempt starts, which a test without a loop cannot wait for). Nothing
  // takes it away.
  sy_cluster_stats cluster_stats{sizeof(sy_cluster_stats), 10, 0, 0, 0, 0};
  // Runs the module's attempt_finished for an accepted attempt_cancel, as
  // the real host does before attempt_cancel returns. Set by the test.
  std::function<void(uint32_t number, sy_attempt_outcome reason)> finish_cancelled;

  // ---- What the modules did ----------------------------------------------
  // One entry per log call: "<level>: <message>" in `log`, with level one of
  // trace, debug, info, warn, error; the bare message in `log_messages`.
  std::vector<std::string> log;
  std::vector<std::string> log_messages;
  // Defined metrics: the index is the id metric_define handed out. Defining
  // a full name again returns its first id (a different kind is refused).
  std::vector<std::string> metric_names;
  std::vector<sy_metric_kind> metric_kinds;
  // The sum of the values metric_record recorded, by id; an id never
  // recorded has no entry.
  std::map<uint32_t, int64_t> metric_totals;
  // Every timer made, in creation order.
  std::vector<std::unique_ptr<FakeTimer>> timers;
  // The attempt calls, in order, whatever they answered.
  std::vector<RetryCall> retries;    // attempt_retry
  std::vector<int> parallel_starts;  // exclude_tried_hosts of each attempt_start_parallel
  std::vector<CancelCall> cancels;   // attempt_cancel
  int rejects = 0;                   // attempt_reject_response calls

  FakeWorker worker;

  // Back to the defaults above, nothing recorded, no timers.
  void reset();
  // Moves the clock on by `ms`, firing the armed timers that fall due in
  // deadline order, each with the clock at its own deadline.
  void advance(uint64_t ms);
  // The total recorded for the full name `name`: 0 when defined but never
  // recorded, -1 when never defined.
  int64_t metric(std::string_view name) const;
};

FakeHost& fakeHost();

// The full ABI 1.2 table (size sizeof(sy_host_api), this header's ABI
// version); it lives for the process.
const sy_host_api* fakeHostTable();
// The table a host built against an older header would hand over: the same
// calls, `size` cut to end before `first_missing` (an offsetof into
// sy_host_api), ABI 1.`minor`.
sy_host_api truncatedTable(size_t first_missing, uint16_t minor = 0);

}  // namespace switchyard::fake_host
