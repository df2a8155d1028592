#include "tracing_stream.h"

#include <time.h>

#include <algorithm>
#include <string>
#include <vector>

#include "exporter_registry.h"
#include "propagation.h"
#include "request_id.h"
#include "sampling.h"
#include "span_exporter.h"
#include "tracing_module.h"

namespace tracing {

namespace {

constexpr std::string_view kRequestIdHeader = "x-request-id";

uint64_t wallClockNs() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return uint64_t(now.tv_sec) * 1000000000u + uint64_t(now.tv_nsec);
}

// A moment as both clocks see it: the wall clock dates a span, the
// monotonic clock measures it (the wall clock may step meanwhile).
struct Moment {
  uint64_t unix_ns;
  uint64_t monotonic_ns;

  static Moment now() { return Moment{wallClockNs(), host->monotonic_time_ns()}; }
  uint64_t unixAt(uint64_t monotonic_ns_later) const { return unix_ns + (monotonic_ns_later - monotonic_ns); }
};

struct OpenAttempt {
  uint32_t number;
  uint64_t span_id;
  Moment started;
  bool hedged;
  std::string upstream_host;
  std::string method;
  std::string path;
};

struct StreamState {
  StreamState(const Config& config_in, Moment started_in) : config(config_in), started(started_in) {}

  const Config& config;
  Moment started;
  bool context_ready = false;
  std::string request_id;
  TraceId trace_id{};
  uint64_t server_span_id = 0;
  uint64_t caller_span_id = 0;
  bool sampled = false;
  std::string tracestate;
  std::vector<OpenAttempt> open_attempts;
};

std::string property(sy_stream* stream, sy_stream_property which) {
  sy_slice value;
  if (host->stream_get_property(stream, which, &value) != SY_OK) return "";
  return std::string(viewOf(value));
}

std::string pathWithoutQuery(std::string_view path) { return std::string(path.substr(0, path.find('?'))); }

void exportSpan(sy_stream* stream, const Config& config, Span&& span) {
  host->metric_record(config.metrics.spans_started, 1);
  if (!config.exporting) return;
  config.exporters->forWorker(host, host->stream_worker(stream), config).add(std::move(span));
}

// Starts the trace: the caller's context when it sent a valid one, else a
// new trace; the sampling decision; the request id.
void startContext(sy_stream* stream, StreamState& state, sy_headers* headers) {
  state.context_ready = true;
  ParsedContext incoming = headers != nullptr ? readIncomingContext(headers) : ParsedContext{};
  if (incoming.context) {
    state.trace_id = incoming.context->trace_id;
    state.caller_span_id = incoming.context->parent_span_id;
    state.tracestate = incoming.context->tracestate;
  } else {
    state.trace_id = newTraceId(host->random_u64);
  }
  state.server_span_id = newSpanId(host->random_u64);
  SamplingInputs inputs;
  inputs.percent = state.config.sampling_percent;
  inputs.caller_decided = incoming.sampled;
  if (headers != nullptr) {
    sy_slice force;
    if (host->header_get(headers, sliceOf(state.config.force_header), 0, &force) == SY_OK) {
      inputs.forced = viewOf(force) == "1" || viewOf(force) == "true";
    }
  }
  state.sampled = decideSampling(inputs, host->random_u64());
  if (!state.sampled) host->metric_record(state.config.metrics.requests_unsampled, 1);

  sy_slice incoming_id;
  if (headers != nullptr && host->header_get(headers, sliceOf(kRequestIdHeader), 0, &incoming_id) == SY_OK &&
      usableRequestId(viewOf(incoming_id))) {
    state.request_id = std::string(viewOf(incoming_id));
  } else {
    state.request_id = uuidV4(host->random_u64(), host->random_u64());
    host->metric_record(state.config.metrics.request_ids_generated, 1);
  }
  if (headers != nullptr) host->header_set(headers, sliceOf(kRequestIdHeader), sliceOf(state.request_id));
  host->stream_set_request_id(stream, sliceOf(state.request_id));
}

Span newSpan(const StreamState& state, SpanKind kind, uint64_t span_id, uint64_t parent_span_id) {
  Span span;
  span.trace_id = state.trace_id;
  span.span_id = span_id;
  span.parent_span_id = parent_span_id;
  span.kind = kind;
  span.tracestate = state.tracestate;
  return span;
}

bool isServerError(uint32_t status) { return status >= 500; }

// Whether the comma-separated `flags` hold `code` ("FI" in "UT,FI").
bool hasFlag(std::string_view flags, std::string_view code) {
  while (!flags.empty()) {
    size_t comma = flags.find(',');
    if (flags.substr(0, comma) == code) return true;
    if (comma == std::string_view::npos) break;
    flags.remove_prefix(comma + 1);
  }
  return false;
}

uint32_t statusOf(std::string_view text) {
  uint32_t status = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || status > 999) return 0;
    status = status * 10 + uint32_t(c - '0');
  }
  return status;
}

void finishAttempt(sy_stream* stream, StreamState& state, const OpenAttempt& open, std::string_view outcome,
                   uint32_t status, std::string_view details) {
  if (!state.sampled) return;
  Span span = newSpan(state, SpanKind::kClient, open.span_id, state.server_span_id);
  std::string cluster = property(stream, SY_PROP_CLUSTER_NAME);
  span.name = open.method + " " + cluster;
  span.start_unix_ns = open.started.unix_ns;
  span.end_unix_ns = open.started.unixAt(host->monotonic_time_ns());
  span.remote_address = open.upstream_host;
  span.tags = {{"http.method", open.method},
               {"http.url", open.path},
               {"upstream.cluster", cluster},
               {"upstream.host", open.upstream_host},
               {"attempt.number", std::to_string(open.number)},
               {"attempt.hedged", open.hedged ? "true" : "false"},
               {"attempt.outcome", std::string(outcome)},
               {"guid:x-request-id", state.request_id}};
  if (status != 0) span.tags.emplace_back("http.status_code", std::to_string(status));
  if (!details.empty()) span.tags.emplace_back("attempt.details", std::string(details));
  span.error = outcome != "response" || isServerError(status);
  exportSpan(stream, state.config, std::move(span));
}

}  // namespace

sy_result streamNew(sy_stream*, const void* config, void** stream_context_out) noexcept {
  if (config == nullptr) return SY_ERR_INVALID_ARGUMENT;
  *stream_context_out = new StreamState(*static_cast<const Config*>(config), Moment::now());
  return SY_OK;
}

void streamDestroy(void* stream_context) noexcept { delete static_cast<StreamState*>(stream_context); }

sy_filter_status requestHeaders(sy_stream* stream, void* stream_context, sy_headers* headers, int) noexcept {
  if (stream_context == nullptr) return SY_FILTER_CONTINUE;
  auto& state = *static_cast<StreamState*>(stream_context);
  startContext(stream, state, headers);
  removeTraceHeaders(headers);
  return SY_FILTER_CONTINUE;
}

void attemptStarted(sy_stream*, void* stream_context, const sy_attempt_info* attempt,
                    sy_headers* request_headers) noexcept {
  if (stream_context == nullptr) return;
  auto& state = *static_cast<StreamState*>(stream_context);
  if (!state.context_ready) return;
  OpenAttempt open{attempt->number,
                   newSpanId(host->random_u64),
                   Moment::now(),
                   attempt->hedged != 0,
                   std::string(viewOf(attempt->upstream_host)),
                   "",
                   ""};
  sy_slice value;
  if (host->header_get(request_headers, sliceOf(":method"), 0, &value) == SY_OK) open.method = viewOf(value);
  if (host->header_get(request_headers, sliceOf(":path"), 0, &value) == SY_OK) {
    open.path = pathWithoutQuery(viewOf(value));
  }
  OutgoingContext outgoing{state.trace_id, open.span_id, state.server_span_id, state.sampled,
                           state.tracestate};
  writeTraceHeaders(request_headers, outgoing, state.config);
  state.open_attempts.push_back(std::move(open));
}

void attemptFinished(sy_stream* stream, void* stream_context, const sy_attempt_info* attempt) noexcept {
  if (stream_context == nullptr) return;
  auto& state = *static_cast<StreamState*>(stream_context);
  auto open = std::find_if(state.open_attempts.begin(), state.open_attempts.end(),
                           [&](const OpenAttempt& candidate) { return candidate.number == attempt->number; });
  // A second outcome of an accepted attempt (its body broke off) finds its
  // span already finished.
  if (open == state.open_attempts.end()) return;
  uint32_t status = attempt->outcome == SY_ATTEMPT_RESPONSE ? attempt->status : 0;
  finishAttempt(stream, state, *open, sy_attempt_outcome_name(attempt->outcome), status,
                viewOf(attempt->details));
  state.open_attempts.erase(open);
}

sy_filter_status responseHeaders(sy_stream*, void* stream_context, sy_headers* headers, int) noexcept {
  if (stream_context == nullptr) return SY_FILTER_CONTINUE;
  auto& state = *static_cast<StreamState*>(stream_context);
  if (!state.request_id.empty())
    host->header_set(headers, sliceOf(kRequestIdHeader), sliceOf(state.request_id));
  return SY_FILTER_CONTINUE;
}

void streamComplete(sy_stream* stream, void* stream_context) noexcept {
  if (stream_context == nullptr) return;
  auto& state = *static_cast<StreamState*>(stream_context);
  // A filter before this one answered before our request hook ran: the
  // exchange still gets its request id and, when sampled, its span.
  if (!state.context_ready) startContext(stream, state, nullptr);
  for (const OpenAttempt& open : state.open_attempts) finishAttempt(stream, state, open, "unfinished", 0, "");
  state.open_attempts.clear();
  if (!state.sampled) return;

  Span span = newSpan(state, SpanKind::kServer, state.server_span_id, state.caller_span_id);
  std::string method = property(stream, SY_PROP_REQUEST_METHOD);
  std::string path = pathWithoutQuery(property(stream, SY_PROP_REQUEST_PATH));
  std::string route = property(stream, SY_PROP_ROUTE_NAME);
  std::string status_text = property(stream, SY_PROP_RESPONSE_STATUS);
  std::string flags = property(stream, SY_PROP_RESPONSE_FLAGS);
  span.name = method + " " + (route.empty() ? path : route);
  span.start_unix_ns = state.started.unix_ns;
  span.end_unix_ns = state.started.unixAt(host->monotonic_time_ns());
  // The id as the host now reports it (the access log's), which is ours.
  span.tags = {{"http.method", method},
               {"http.url", path},
               {"guid:x-request-id", property(stream, SY_PROP_REQUEST_ID)}};
  auto tagIfSet = [&](const char* key, const std::string& value) {
    if (!value.empty()) span.tags.emplace_back(key, value);
  };
  tagIfSet("http.status_code", status_text);
  tagIfSet("route", route);
  tagIfSet("upstream.cluster", property(stream, SY_PROP_CLUSTER_NAME));
  tagIfSet("upstream.host", property(stream, SY_PROP_UPSTREAM_HOST));
  tagIfSet("response.flags", flags);
  tagIfSet("response.details", property(stream, SY_PROP_RESPONSE_DETAILS));
  tagIfSet("attempts", std::to_string(host->attempt_count(stream)));
  // A fault filter marks what it injected: an abort (FI) or a delay (DI).
  bool fault_injected = hasFlag(flags, "FI") || hasFlag(flags, "DI");
  span.tags.emplace_back("fault.injected", fault_injected ? "true" : "false");
  uint32_t status = statusOf(status_text);
  span.error = status == 0 || isServerError(status);
  exportSpan(stream, state.config, std::move(span));
}

}  // namespace tracing
