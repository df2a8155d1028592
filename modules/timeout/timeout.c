/* The timeout filter: ends a request that takes too long as a whole (the
 * request timeout, counted from the end of the request as Envoy's route
 * timeout is) or that stops moving (the idle timeout), and tells the next
 * service how much of the deadline is left.
 *
 * This file holds the module table and the per-stream logic: timers, what
 * the client gets on expiry, the timeout headers. timeout_config.c reads
 * the config into an immutable timeout_config; timeout_deadline.c is the
 * clock arithmetic. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <switchyard/filter.h>

#include "timeout_config.h"
#include "timeout_deadline.h"

#if defined(__GNUC__)
#define PRINTF_LIKE(format_index, first_arg) __attribute__((format(printf, format_index, first_arg)))
#else
#define PRINTF_LIKE(format_index, first_arg)
#endif

/* Set once by the entry symbol; valid for the module's whole life. */
static const sy_host_api *host;

/* Log lines longer than this are cut; they only ever quote short values. */
enum { LOG_LINE_CAPACITY = 256 };

/* A header value is quoted in a log line up to this many bytes. */
enum { QUOTED_VALUE_MAX = 40 };

/* One stream's state; the config it points to is shared and read-only. */
typedef struct timeout_stream {
  const timeout_config *config;
  sy_stream *stream;
  /* Host-owned stream timers, freed by the host before stream_destroy.
   * NULL when the stream can never need one. */
  sy_timer *request_timer;
  sy_timer *idle_timer;
  request_deadline deadline;
  int request_complete; /* the end of the request went through this filter */
  /* Set when the response ended, the stream completed or a timeout fired:
   * from then on no timer is armed again, so nothing can fire twice. */
  int done;
} timeout_stream;

/* What the client, the access log and the log see when one kind of
 * timeout fires (the status depends on the stream, so it is passed apart). */
typedef struct expiry {
  const char *name;
  const char *body;
  const char *details;
  sy_response_flag flag;
} expiry;

static const expiry request_expiry = {"request timeout", "upstream request timeout\n",
                                      "upstream_request_timeout", SY_FLAG_UPSTREAM_TIMEOUT};
static const expiry idle_expiry = {"idle timeout", "stream idle timeout\n", "stream_idle_timeout",
                                   SY_FLAG_STREAM_IDLE_TIMEOUT};

static sy_slice slice_of(const char *text) {
  sy_slice slice = {text, strlen(text)};
  return slice;
}

static const char *result_message(sy_result result) {
  switch (result) {
#define SY_RESULT_CASE(name, value, message) \
  case name:                                 \
    return message;
    SY_RESULT_TABLE(SY_RESULT_CASE)
#undef SY_RESULT_CASE
    default:
      return "unknown error";
  }
}

static void log_at(sy_log_level level, const char *format, ...) PRINTF_LIKE(2, 3);
static void log_at(sy_log_level level, const char *format, ...) {
  if (!host->log_enabled(level)) return;
  char line[LOG_LINE_CAPACITY];
  va_list args;
  va_start(args, format);
  vsnprintf(line, sizeof line, format, args);
  va_end(args);
  host->log(level, slice_of(line));
}

static int quoted_length(size_t length) {
  return (int)(length < QUOTED_VALUE_MAX ? length : QUOTED_VALUE_MAX);
}

/* The host's request id for log lines, "-" when it has none. */
static sy_slice request_id(sy_stream *stream) {
  sy_slice id;
  if (host->stream_get_property(stream, SY_PROP_REQUEST_ID, &id) != SY_OK) return slice_of("-");
  return id;
}

static void arm(const timeout_stream *ts, sy_timer *timer, uint64_t timeout_ms) {
  sy_result result = host->timer_arm(timer, timeout_ms);
  if (result != SY_OK) {
    sy_slice id = request_id(ts->stream);
    log_at(SY_LOG_WARN, "timeout: request %.*s: could not arm a %" PRIu64 " ms timer (%s); it will not fire",
           (int)id.len, id.ptr, timeout_ms, result_message(result));
  }
}

/* No timer of this stream fires after this. */
static void stop(timeout_stream *ts) {
  ts->done = 1;
  if (ts->request_timer != NULL) host->timer_cancel(ts->request_timer);
  if (ts->idle_timer != NULL) host->timer_cancel(ts->idle_timer);
}

/* Answers the client (or cuts the stream when the response is already under
 * way), after recording why. The reply may run other filters' hooks and,
 * with some hosts, end the stream before it returns, so everything this
 * filter records is recorded first and `ts` is not touched afterwards. */
static void expire(timeout_stream *ts, const expiry *why, uint32_t status, uint32_t metric,
                   uint64_t after_ms) {
  sy_stream *stream = ts->stream;
  stop(ts);
  host->stream_add_response_flag(stream, sy_response_flag_code(why->flag));
  host->metric_record(metric, 1);
  sy_slice id = request_id(stream);
  log_at(SY_LOG_DEBUG, "timeout: request %.*s: %s after %" PRIu64 " ms", (int)id.len, id.ptr, why->name,
         after_ms);
  sy_result result = host->send_local_reply(stream, status, slice_of(why->body), slice_of("text/plain"),
                                            slice_of(why->details));
  if (result == SY_OK) return;
  /* HEADERS_SENT is the expected way to get here: the response had
   * started, so cutting it short is all that is left. Anything else is
   * unexpected, but the deadline still has to end the stream. */
  if (result != SY_ERR_HEADERS_SENT) {
    log_at(SY_LOG_WARN, "timeout: request %.*s: local reply refused (%s); resetting the stream", (int)id.len,
           id.ptr, result_message(result));
  }
  host->stream_reset(stream, slice_of(why->details));
}

static void on_request_timeout(sy_timer *timer, void *user_data) {
  (void)timer;
  timeout_stream *ts = user_data;
  if (ts->done) return;
  expire(ts, &request_expiry, 504, ts->config->request_timeouts_metric, ts->deadline.timeout_ms);
}

static void on_idle_timeout(sy_timer *timer, void *user_data) {
  (void)timer;
  timeout_stream *ts = user_data;
  if (ts->done) return;
  /* 408 blames a client that stopped sending; once the request is all in,
   * the wait is on the upstream side, hence 504. */
  uint32_t status = ts->request_complete ? 504 : 408;
  expire(ts, &idle_expiry, status, ts->config->idle_timeouts_metric, ts->config->idle_timeout_ms);
}

/* Bytes moved (a hook of this filter ran): the idle clock starts over. */
static void saw_activity(timeout_stream *ts) {
  if (ts->done || ts->idle_timer == NULL) return;
  arm(ts, ts->idle_timer, ts->config->idle_timeout_ms);
}

/* The request timeout counts from here, so a slow upload does not use it
 * up. */
static void saw_request_end(timeout_stream *ts) {
  if (ts->request_complete) return;
  ts->request_complete = 1;
  if (ts->done || ts->deadline.timeout_ms == 0) return;
  deadline_start(&ts->deadline, host->monotonic_time_ns());
  arm(ts, ts->request_timer, ts->deadline.timeout_ms);
}

/* The whole response went through this filter: nothing is left to time. */
static void saw_response_end(timeout_stream *ts) { stop(ts); }

/* Lets a trusted caller's header shorten this stream's request timeout. */
static void apply_trusted_header(timeout_stream *ts, const sy_headers *headers) {
  const timeout_config *config = ts->config;
  if (config->trusted_timeout_header == NULL) return;
  sy_slice name = {config->trusted_timeout_header, config->trusted_timeout_header_len};
  sy_slice value;
  if (host->header_get(headers, name, 0, &value) != SY_OK) return;
  uint64_t header_ms;
  if (!parse_timeout_header(value.ptr, value.len, &header_ms)) {
    sy_slice id = request_id(ts->stream);
    log_at(SY_LOG_DEBUG, "timeout: request %.*s: ignoring %s: \"%.*s\" is not a positive millisecond count",
           (int)id.len, id.ptr, config->trusted_timeout_header, quoted_length(value.len), value.ptr);
    return;
  }
  deadline_lower(&ts->deadline, header_ms);
}

/* Tells the next service how long it has. Without a deadline the header is
 * removed, so a value the client sent is never passed on as this proxy's. */
static void propagate_deadline(timeout_stream *ts, sy_headers *attempt_headers) {
  const timeout_config *config = ts->config;
  if (config->propagate_timeout_header == NULL) return;
  sy_slice name = {config->propagate_timeout_header, config->propagate_timeout_header_len};
  uint64_t ms_left = deadline_ms_left(&ts->deadline, host->monotonic_time_ns());
  if (ms_left == 0) {
    host->header_remove(attempt_headers, name);
    return;
  }
  char digits[24];
  int length = snprintf(digits, sizeof digits, "%" PRIu64, ms_left);
  sy_slice value = {digits, (size_t)length};
  sy_result result = host->header_set(attempt_headers, name, value);
  if (result != SY_OK) {
    sy_slice id = request_id(ts->stream);
    log_at(SY_LOG_WARN, "timeout: request %.*s: could not set %s on the attempt (%s)", (int)id.len, id.ptr,
           config->propagate_timeout_header, result_message(result));
  }
}

/* ---- module lifecycle ---------------------------------------------------- */

/* The module uses ABI 1.1 calls and the typed config calls of 1.2; a host
 * whose table stops short of them would hand it garbage pointers, so refuse
 * to load instead. */
static sy_result module_init(char *error, size_t error_capacity) {
  if (!SY_HAS_FIELD(host, sy_host_api, stream_add_response_flag)) {
    snprintf(error, error_capacity,
             "the host's function table (%" PRIu32
             " bytes, ABI %u.%u) lacks stream_add_response_flag; the "
             "timeout module needs a host with filter ABI 1.1 or later",
             host->size, (unsigned)host->abi.major, (unsigned)host->abi.minor);
    return SY_ERR_UNSUPPORTED;
  }
  if (!config_host_has_typed_access(host)) return config_refuse_host(host, "timeout", error, error_capacity);
  return SY_OK;
}

static sy_result config_new(sy_config_context *context, sy_slice json, void **config_out, char *error,
                            size_t error_capacity) {
  (void)json; /* the same config is read through the typed calls */
  /* Checked here too: a host is not obliged to call the optional
   * module_init. */
  if (!config_host_has_typed_access(host)) return config_refuse_host(host, "timeout", error, error_capacity);
  const config_reader reader = {host, context};
  timeout_config *config = timeout_config_read(&reader);
  if (config == NULL) return SY_ERR_INVALID_ARGUMENT;
  sy_result result = host->metric_define(context, SY_METRIC_COUNTER, slice_of("request_timeouts"),
                                         &config->request_timeouts_metric);
  if (result == SY_OK) {
    result = host->metric_define(context, SY_METRIC_COUNTER, slice_of("idle_timeouts"),
                                 &config->idle_timeouts_metric);
  }
  if (result != SY_OK) {
    snprintf(error, error_capacity, "metrics: the host refused to define request_timeouts/idle_timeouts (%s)",
             result_message(result));
    timeout_config_free(config);
    return SY_ERR_FAILED;
  }
  *config_out = config;
  return SY_OK;
}

static void config_destroy(void *config) { timeout_config_free(config); }

/* Timers are made here, where failing is allowed, rather than when first
 * needed. On failure the host runs the stream with a NULL context, which
 * every hook below accepts (it then has no timeouts, and a warning says
 * so). */
static sy_result stream_new(sy_stream *stream, const void *config_ptr, void **stream_context_out) {
  const timeout_config *config = config_ptr;
  timeout_stream *ts = calloc(1, sizeof *ts);
  if (ts == NULL) return SY_ERR_NO_MEMORY;
  ts->config = config;
  ts->stream = stream;
  deadline_init(&ts->deadline, config->request_timeout_ms);
  int may_time_request = config->request_timeout_ms > 0 || config->trusted_timeout_header != NULL;
  if (may_time_request) ts->request_timer = host->timer_new_for_stream(stream, on_request_timeout, ts);
  if (config->idle_timeout_ms > 0) ts->idle_timer = host->timer_new_for_stream(stream, on_idle_timeout, ts);
  if ((may_time_request && ts->request_timer == NULL) ||
      (config->idle_timeout_ms > 0 && ts->idle_timer == NULL)) {
    /* A timer that was made stays the host's to free; it was never armed,
     * so it cannot call back with the freed context. */
    free(ts);
    log_at(SY_LOG_WARN, "timeout: could not create a stream timer; this stream runs without timeouts");
    return SY_ERR_NO_MEMORY;
  }
  saw_activity(ts);
  *stream_context_out = ts;
  return SY_OK;
}

static void stream_destroy(void *stream_context) {
  /* The stream's timers are already freed by the host. */
  free(stream_context);
}

/* ---- stream hooks ---------------------------------------------------------- */

/* Every stream hook means bytes moved on one side of the stream, and maybe
 * that this side ended. */
typedef enum stream_side { REQUEST_SIDE, RESPONSE_SIDE } stream_side;

static sy_filter_status saw_progress(void *stream_context, stream_side side, int ended) {
  timeout_stream *ts = stream_context;
  if (ts == NULL) return SY_FILTER_CONTINUE;
  saw_activity(ts);
  if (ended) {
    if (side == REQUEST_SIDE) {
      saw_request_end(ts);
    } else {
      saw_response_end(ts);
    }
  }
  return SY_FILTER_CONTINUE;
}

static sy_filter_status request_headers(sy_stream *stream, void *stream_context, sy_headers *headers,
                                        int end_stream) {
  (void)stream;
  if (stream_context != NULL) apply_trusted_header(stream_context, headers);
  return saw_progress(stream_context, REQUEST_SIDE, end_stream);
}

static sy_filter_status request_body(sy_stream *stream, void *stream_context, sy_buffer *body,
                                     int end_stream) {
  (void)stream;
  (void)body;
  return saw_progress(stream_context, REQUEST_SIDE, end_stream);
}

static sy_filter_status request_trailers(sy_stream *stream, void *stream_context, sy_headers *trailers) {
  (void)stream;
  (void)trailers;
  return saw_progress(stream_context, REQUEST_SIDE, 1);
}

static sy_filter_status response_headers(sy_stream *stream, void *stream_context, sy_headers *headers,
                                         int end_stream) {
  (void)stream;
  (void)headers;
  return saw_progress(stream_context, RESPONSE_SIDE, end_stream);
}

static sy_filter_status response_body(sy_stream *stream, void *stream_context, sy_buffer *body,
                                      int end_stream) {
  (void)stream;
  (void)body;
  return saw_progress(stream_context, RESPONSE_SIDE, end_stream);
}

static sy_filter_status response_trailers(sy_stream *stream, void *stream_context, sy_headers *trailers) {
  (void)stream;
  (void)trailers;
  return saw_progress(stream_context, RESPONSE_SIDE, 1);
}

static void stream_complete(sy_stream *stream, void *stream_context) {
  (void)stream;
  timeout_stream *ts = stream_context;
  if (ts != NULL) stop(ts);
}

static void attempt_started(sy_stream *stream, void *stream_context, const sy_attempt_info *attempt,
                            sy_headers *request_headers) {
  (void)stream;
  (void)attempt;
  timeout_stream *ts = stream_context;
  if (ts == NULL) return;
  saw_activity(ts);
  propagate_deadline(ts, request_headers);
}

static void attempt_finished(sy_stream *stream, void *stream_context, const sy_attempt_info *attempt) {
  (void)stream;
  (void)attempt;
  timeout_stream *ts = stream_context;
  if (ts != NULL) saw_activity(ts);
}

static const sy_filter_module timeout_module = {
    .size = sizeof(sy_filter_module),
    .abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR},
    .name = "timeout",
    .version = "1.0.0",
    .module_init = module_init,
    .config_new = config_new,
    .config_destroy = config_destroy,
    .stream_new = stream_new,
    .stream_destroy = stream_destroy,
    .request_headers = request_headers,
    .request_body = request_body,
    .request_trailers = request_trailers,
    .response_headers = response_headers,
    .response_body = response_body,
    .response_trailers = response_trailers,
    .stream_complete = stream_complete,
    .attempt_started = attempt_started,
    .attempt_finished = attempt_finished,
};

SY_EXPORT const sy_filter_module *sy_filter_module_entry(const sy_host_api *host_api) {
  host = host_api;
  return &timeout_module;
}
