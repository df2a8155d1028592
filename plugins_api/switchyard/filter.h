/*
 * switchyard filter ABI — the only header a filter module needs.
 *
 * Pure C11. Every type that crosses the boundary is a fixed-width integer,
 * an explicit-valued enum, a (ptr, len) byte slice, an opaque handle, or a
 * struct that starts with its own size and only ever grows at the end.
 *
 * Versioning: a module states the ABI {major, minor} it was built against.
 * The host refuses a different major and accepts any minor <= its own.
 * A module built against an older minor sees a smaller host table than the
 * host has; a host sees a smaller module table from an older module. Both
 * sides check `size` (or the SY_HAS_* helpers below) before touching a field
 * added in a later minor. A NULL hook means "not implemented".
 *
 * History: 1.0 the first ABI. 1.1 adds upstream attempts: the
 * attempt_started/attempt_finished hooks, the attempt_* and cluster_stats
 * host calls (retry, hedge, cancel), response flags, SY_ERR_NOT_REPLAYABLE.
 * 1.2 adds the response flag table (SY_RESPONSE_FLAG_TABLE), the module's
 * `capabilities` (request replay is asked for, no longer implied by an
 * attempt_finished hook) and typed, path-named access to the module's
 * config in config_new. 1.3 adds attempt admission (the attempt_admit hook:
 * a filter may refuse the host chosen for an attempt, or the attempt), the
 * idle_connections cluster counter, and cluster reports for the admin API
 * (the cluster_report hook and the report_field host call). 1.4 adds
 * request identity (stream_set_request_id), stream properties that say how
 * the exchange ended (status, flags, method, path), runtime values set
 * through the admin API (runtime_get), one outbound HTTP call to a
 * cluster from a worker (http_call, http_call_cancel), for exporters,
 * and response body pacing (stream_release_response_body: a filter
 * passes on a held response body a slice at a time, e.g. to throttle it).
 *
 * Ownership, in one rule: nothing is freed across the boundary.
 *   - sy_slice values the host hands a module are BORROWED views. They stay
 *     valid until the hook returns or the object they view is modified,
 *     whichever comes first.
 *   - Whatever a module hands the host (header values, attribute values,
 *     local reply bodies) is COPIED by the host before the call returns.
 *   - Config and stream contexts (void*) are MODULE-OWNED; the host only
 *     passes them back and tells the module when to destroy them.
 *
 * Threads: every hook of a stream runs on that stream's worker thread.
 * Config objects are created once and then shared read-only by all workers,
 * so a module must not mutate its config after config_new returns.
 *
 * See plugins_api/README.md for the filter author's guide.
 */
#ifndef SWITCHYARD_FILTER_H
#define SWITCHYARD_FILTER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SY_ABI_VERSION_MAJOR 1
#define SY_ABI_VERSION_MINOR 4

/* The one symbol a module exports. Its type is sy_module_entry_fn. */
#define SY_MODULE_ENTRY_SYMBOL "sy_filter_module_entry"

#if defined(__GNUC__)
#define SY_EXPORT __attribute__((visibility("default")))
#else
#define SY_EXPORT
#endif

/* ------------------------------------------------------------------------ */
/* Basic types                                                              */
/* ------------------------------------------------------------------------ */

typedef struct sy_abi_version {
  uint16_t major;
  uint16_t minor;
} sy_abi_version;

/* A byte range. Not NUL-terminated. Borrowed unless a call says otherwise. */
typedef struct sy_slice {
  const char *ptr;
  size_t len;
} sy_slice;

/* Result codes of host calls and module lifecycle hooks, from one table. */
#define SY_RESULT_TABLE(X)                                                    \
  X(SY_OK, 0, "ok")                                                           \
  X(SY_ERR_INVALID_ARGUMENT, 1, "invalid argument")                           \
  X(SY_ERR_NOT_FOUND, 2, "not found")                                         \
  X(SY_ERR_HEADERS_SENT, 3, "response headers were already sent")             \
  X(SY_ERR_BAD_STATE, 4, "not allowed in the stream's current state")         \
  X(SY_ERR_NO_MEMORY, 5, "out of memory")                                     \
  X(SY_ERR_UNSUPPORTED, 6, "not supported by this host")                      \
  X(SY_ERR_LIMIT, 7, "a configured limit was reached")                        \
  X(SY_ERR_FAILED, 8, "operation failed")                                     \
  /* ABI 1.1 */                                                               \
  X(SY_ERR_NOT_REPLAYABLE, 9,                                                 \
    "the request body outgrew the replay buffer; it cannot be sent again")

typedef enum sy_result {
#define SY_RESULT_ENUM(name, value, message) name = value,
  SY_RESULT_TABLE(SY_RESULT_ENUM)
#undef SY_RESULT_ENUM
  SY_RESULT_FORCE_INT32 = 0x7fffffff
} sy_result;

/* What a stream hook tells the host to do next. */
typedef enum sy_filter_status {
  /* Pass headers/data on to the next filter. */
  SY_FILTER_CONTINUE = 0,
  /* Do not pass anything further until the filter calls stream_continue.
   * Data arriving meanwhile is held by the host (the source is paused above
   * the listener's buffer watermark) and the filter is not called for it. */
  SY_FILTER_STOP_ITERATION = 1,
  /* Body hooks only: hold this data, and call the filter again with all the
   * data held so far each time more arrives (end_stream set on the last).
   * Returning CONTINUE passes the whole held body on. Exceeding the
   * listener's max_buffer_bytes ends the stream with 413 (request), or for
   * a response with 500 while its headers have not gone out (a filter
   * stopped them too) and a reset after. On a headers hook it means the
   * same as STOP_ITERATION. */
  SY_FILTER_STOP_AND_BUFFER = 2,
  SY_FILTER_STATUS_FORCE_INT32 = 0x7fffffff
} sy_filter_status;

typedef enum sy_log_level {
  SY_LOG_TRACE = 0,
  SY_LOG_DEBUG = 1,
  SY_LOG_INFO = 2,
  SY_LOG_WARN = 3,
  SY_LOG_ERROR = 4,
  SY_LOG_LEVEL_FORCE_INT32 = 0x7fffffff
} sy_log_level;

typedef enum sy_metric_kind {
  SY_METRIC_COUNTER = 0,   /* monotonically increasing; record adds */
  SY_METRIC_GAUGE = 1,     /* record adds a signed delta */
  SY_METRIC_HISTOGRAM = 2, /* record adds one observation */
  SY_METRIC_KIND_FORCE_INT32 = 0x7fffffff
} sy_metric_kind;

/* Read-only facts about a stream, read with stream_get_property. */
typedef enum sy_stream_property {
  SY_PROP_CLIENT_ADDRESS = 0,  /* peer IP as text, e.g. "127.0.0.1" */
  SY_PROP_CLIENT_PORT = 1,     /* peer port as decimal text */
  SY_PROP_LISTENER_NAME = 2,
  SY_PROP_ROUTE_NAME = 3,      /* NOT_FOUND when no route matched */
  SY_PROP_CLUSTER_NAME = 4,    /* NOT_FOUND when no route matched */
  SY_PROP_UPSTREAM_HOST = 5,   /* "ip:port"; NOT_FOUND before an attempt */
  SY_PROP_REQUEST_ID = 6,      /* the host's per-stream id, decimal text */
  SY_PROP_PROTOCOL = 7,        /* "HTTP/1.1" or "HTTP/1.0" */
  /* ABI 1.4 (an older host answers SY_ERR_INVALID_ARGUMENT): */
  SY_PROP_REQUEST_METHOD = 8,  /* "GET", ... */
  SY_PROP_REQUEST_PATH = 9,    /* the request target as received */
  SY_PROP_RESPONSE_STATUS = 10, /* decimal text of the status sent to the
                                   client, upstream or local; NOT_FOUND
                                   before response headers go out */
  SY_PROP_RESPONSE_FLAGS = 11, /* "UT,URX": the response flags so far,
                                  comma-separated; NOT_FOUND when none */
  SY_PROP_RESPONSE_DETAILS = 12, /* why a local reply or reset happened, e.g.
                                    "route_not_found"; NOT_FOUND when none */
  SY_PROP_FORCE_INT32 = 0x7fffffff
} sy_stream_property;

/* ABI 1.2: response flags, the short codes an access log line carries to
 * say why a request ended as it did. Codes and meanings follow Envoy's where
 * Envoy has one. X(constant, value, code, meaning). Add one with
 * stream_add_response_flag(stream, sy_response_flag_code(SY_FLAG_...)); a
 * module may also add codes of its own (1 to 16 characters). */
#define SY_RESPONSE_FLAG_TABLE(X)                                             \
  X(SY_FLAG_NO_HEALTHY_UPSTREAM, 0, "UH", "no healthy upstream host")         \
  X(SY_FLAG_UPSTREAM_CONNECTION_FAILURE, 1, "UF",                             \
    "upstream connection failure")                                            \
  X(SY_FLAG_UPSTREAM_OVERFLOW, 2, "UO",                                       \
    "upstream overflow: a circuit breaker or limit refused the request")      \
  X(SY_FLAG_NO_ROUTE, 3, "NR", "no route matched")                            \
  X(SY_FLAG_RETRY_LIMIT_EXCEEDED, 4, "URX",                                   \
    "retries or the retry budget were exhausted")                             \
  X(SY_FLAG_UPSTREAM_TIMEOUT, 5, "UT", "upstream request timeout")            \
  X(SY_FLAG_LOCAL_RESET, 6, "LR", "reset locally by the proxy or a filter")   \
  X(SY_FLAG_UPSTREAM_RESET, 7, "UR", "upstream remote reset")                 \
  X(SY_FLAG_UPSTREAM_CONNECTION_TERMINATION, 8, "UC",                         \
    "upstream connection terminated mid-exchange")                            \
  X(SY_FLAG_DOWNSTREAM_CONNECTION_TERMINATION, 9, "DC",                       \
    "downstream connection terminated")                                       \
  X(SY_FLAG_DELAY_INJECTED, 10, "DI", "a fault filter injected a delay")      \
  X(SY_FLAG_FAULT_INJECTED, 11, "FI", "a fault filter injected an abort")     \
  X(SY_FLAG_RATE_LIMITED, 12, "RL", "rate limited")                           \
  X(SY_FLAG_STREAM_IDLE_TIMEOUT, 13, "SI", "stream idle timeout")

typedef enum sy_response_flag {
#define SY_RESPONSE_FLAG_ENUM(name, value, code, meaning) name = value,
  SY_RESPONSE_FLAG_TABLE(SY_RESPONSE_FLAG_ENUM)
#undef SY_RESPONSE_FLAG_ENUM
  SY_RESPONSE_FLAG_FORCE_INT32 = 0x7fffffff
} sy_response_flag;

/* The code of a flag from the table, e.g. "UT"; an empty slice for a value
 * not in it. */
static inline sy_slice sy_response_flag_code(sy_response_flag flag) {
  sy_slice code = {NULL, 0};
  switch (flag) {
#define SY_RESPONSE_FLAG_CASE(name, value, text, meaning)                     \
  case name:                                                                  \
    code.ptr = text;                                                          \
    code.len = sizeof(text) - 1;                                              \
    break;
    SY_RESPONSE_FLAG_TABLE(SY_RESPONSE_FLAG_CASE)
#undef SY_RESPONSE_FLAG_CASE
  default:
    break;
  }
  return code;
}

/* ------------------------------------------------------------------------ */
/* Opaque handles (all host-owned; a module never frees one)                 */
/* ------------------------------------------------------------------------ */

/* One HTTP request/response exchange. Valid from stream_new to
 * stream_destroy. */
typedef struct sy_stream sy_stream;
/* A header map. Request maps carry the pseudo-headers ":method", ":path",
 * ":authority" and ":scheme"; response maps carry ":status". Setting
 * ":path" or ":authority" in request_headers re-selects the route. */
typedef struct sy_headers sy_headers;
/* Body bytes handed to a body hook. Valid until the hook returns. */
typedef struct sy_buffer sy_buffer;
/* A timer made by timer_new_for_stream or timer_new_for_worker. */
typedef struct sy_timer sy_timer;
/* One worker thread (event loop). */
typedef struct sy_worker sy_worker;
/* Services available while a config is being created: metric definition
 * and (ABI 1.2) typed access to the config. Valid only during config_new. */
typedef struct sy_config_context sy_config_context;
/* ABI 1.2: one value of the module's config (the root object, a member, an
 * array element). Host-owned, read-only, valid only during the config_new
 * call whose context produced it. */
typedef struct sy_config_value sy_config_value;
/* ABI 1.3: what a module adds to the admin API's description of one
 * cluster (GET /clusters), through report_field. Valid only during the
 * cluster_report call. */
typedef struct sy_report sy_report;

typedef void (*sy_timer_fn)(sy_timer *timer, void *user_data);
/* Return nonzero to keep iterating, 0 to stop. */
typedef int (*sy_header_visit_fn)(void *user_data, sy_slice name,
                                  sy_slice value);

/* ------------------------------------------------------------------------ */
/* Upstream attempts (ABI 1.1)                                              */
/* ------------------------------------------------------------------------ */

/* ABI 1.1: how one upstream attempt ended, from one table (ABI 1.2):
 * X(constant, value, name). The names are what logs print.
 *   RESPONSE: response headers arrived; sy_attempt_info.status and
 *     .response_headers tell what they say.
 *   CONNECT_FAILURE: no connection to the chosen host (refused, unreachable,
 *     connect timeout).
 *   RESET_BEFORE_HEADERS: the connection failed or closed, or the response
 *     was malformed, before response headers arrived.
 *   RESET_AFTER_HEADERS: the same after the attempt's response was accepted:
 *     its body was cut short. Reported as a second outcome of that attempt;
 *     nothing can be retried any more.
 *   TIMED_OUT: a filter cancelled the attempt with attempt_cancel(...,
 *     TIMED_OUT).
 *   CANCELLED: cancelled for any other reason: another attempt's response
 *     won, the stream was answered locally or reset, or a filter called
 *     attempt_cancel(..., CANCELLED). */
#define SY_ATTEMPT_OUTCOME_TABLE(X)                                           \
  X(SY_ATTEMPT_RESPONSE, 0, "response")                                       \
  X(SY_ATTEMPT_CONNECT_FAILURE, 1, "connect_failure")                         \
  X(SY_ATTEMPT_RESET_BEFORE_HEADERS, 2, "reset_before_headers")               \
  X(SY_ATTEMPT_RESET_AFTER_HEADERS, 3, "reset_after_headers")                 \
  X(SY_ATTEMPT_TIMED_OUT, 4, "timed_out")                                     \
  X(SY_ATTEMPT_CANCELLED, 5, "cancelled")

typedef enum sy_attempt_outcome {
#define SY_ATTEMPT_OUTCOME_ENUM(name, value, text) name = value,
  SY_ATTEMPT_OUTCOME_TABLE(SY_ATTEMPT_OUTCOME_ENUM)
#undef SY_ATTEMPT_OUTCOME_ENUM
  SY_ATTEMPT_OUTCOME_FORCE_INT32 = 0x7fffffff
} sy_attempt_outcome;

/* ABI 1.2: the name of an outcome, e.g. "timed_out"; "unknown" for a value
 * not in the table. */
static inline const char *sy_attempt_outcome_name(sy_attempt_outcome outcome) {
  switch (outcome) {
#define SY_ATTEMPT_OUTCOME_CASE(name, value, text)                            \
  case name:                                                                  \
    return text;
    SY_ATTEMPT_OUTCOME_TABLE(SY_ATTEMPT_OUTCOME_CASE)
#undef SY_ATTEMPT_OUTCOME_CASE
  default:
    return "unknown";
  }
}

/* ABI 1.1: one upstream attempt, as attempt_started and attempt_finished see
 * it. Host-owned and valid only during the hook. Check `size` (with
 * SY_HAS_FIELD) before reading fields added in later minors. */
typedef struct sy_attempt_info {
  uint32_t size;
  /* 1 for the first attempt, then 2, 3, ... in the order attempts start,
   * whether retries or hedges. */
  uint32_t number;
  /* The upstream host chosen for this attempt, "ip:port". */
  sy_slice upstream_host;
  /* Nonzero when started by attempt_start_parallel (a hedge). */
  int32_t hedged;
  /* attempt_finished only: */
  sy_attempt_outcome outcome;
  uint32_t status;                    /* SY_ATTEMPT_RESPONSE: the status */
  const sy_headers *response_headers; /* SY_ATTEMPT_RESPONSE, else NULL */
  sy_slice details; /* a short reason for logs, e.g. "connection refused" */
} sy_attempt_info;

/* ABI 1.1: counters of the cluster a stream is routed to, summed over all
 * workers. The caller sets `size` to sizeof(sy_cluster_stats). */
typedef struct sy_cluster_stats {
  uint32_t size;
  uint64_t active_requests;  /* streams with an attempt on this cluster */
  uint64_t pending_requests; /* attempts waiting for a pooled connection */
  uint64_t active_retries;   /* attempts after the first (retries and
                                hedges) in flight; a retry waiting out
                                its back-off is not counted */
  uint64_t active_connections; /* upstream connections: connecting, busy
                                  or idle in a pool */
  uint64_t idle_connections;   /* ABI 1.3: of those, idle in a pool, ready
                                  for a request without a new connection */
} sy_cluster_stats;

/* ABI 1.3: a filter's answer to attempt_admit. */
typedef enum sy_admission {
  /* The attempt may go to this host. */
  SY_ADMIT = 0,
  /* Not this host: the host picks another one of the cluster (by the load
   * balancing policy, skipping every host refused for this attempt) and
   * asks again; when every host is refused, the attempt is refused. */
  SY_ADMIT_REFUSE_HOST = 1,
  /* Not this attempt, on any host. */
  SY_ADMIT_REFUSE_ATTEMPT = 2,
  SY_ADMISSION_FORCE_INT32 = 0x7fffffff
} sy_admission;

/* ------------------------------------------------------------------------ */
/* Typed config access (ABI 1.2)                                            */
/* ------------------------------------------------------------------------ */

/* ABI 1.2: what a config value holds, as in JSON. */
typedef enum sy_config_kind {
  SY_CONFIG_NULL = 0,
  SY_CONFIG_BOOL = 1,
  SY_CONFIG_NUMBER = 2,
  SY_CONFIG_STRING = 3,
  SY_CONFIG_ARRAY = 4,
  SY_CONFIG_OBJECT = 5,
  SY_CONFIG_KIND_FORCE_INT32 = 0x7fffffff
} sy_config_kind;

/* ABI 1.2: called by config_visit_strings for each element of a string
 * array, in order. `element` can be handed to config_error. Return SY_OK
 * to go on; any other result stops the visit and is returned by it. */
typedef sy_result (*sy_config_string_fn)(void *user_data, sy_config_context *context,
                                         const sy_config_value *element, sy_slice text);

/* ------------------------------------------------------------------------ */
/* Outbound HTTP calls (ABI 1.4)                                            */
/* ------------------------------------------------------------------------ */

/* ABI 1.4: one outbound HTTP call, from http_call until its done function
 * runs or http_call_cancel. Host-owned. */
typedef struct sy_http_call sy_http_call;

/* ABI 1.4: what http_call sends. Every slice is copied before http_call
 * returns. The caller sets `size` to sizeof(sy_http_call_request). */
typedef struct sy_http_call_request {
  uint32_t size;
  sy_slice cluster;   /* a cluster of the serving config */
  sy_slice method;    /* e.g. "POST"; an HTTP token */
  sy_slice path;      /* e.g. "/v1/traces"; starts with '/' */
  sy_slice authority; /* the Host header; empty: the cluster's name */
  /* name, value, name, value, ...: header_count pairs (2 * header_count
   * slices). Names are HTTP tokens, values carry no CR, LF or NUL. The host
   * writes Host, Content-Length and the framing itself: a request naming
   * host, content-length, transfer-encoding, connection or a pseudo-header
   * is refused. */
  const sy_slice *headers;
  size_t header_count;
  sy_slice body;       /* sent with content-length (0 for an empty body) */
  uint64_t timeout_ms; /* the whole call, connect to last byte; 1 or more */
} sy_http_call_request;

/* ABI 1.4: how a call ended; host-owned, valid only while the done
 * function runs (copy what you keep). */
typedef struct sy_http_call_result {
  uint32_t size;
  uint32_t status; /* the response status; 0 when no response head arrived */
  /* Empty for a complete response. Else why there is none: "timeout",
   * "connect_failure", "reset" (the connection closed or the response was
   * malformed; a response cut short keeps its status), "no_healthy_upstream"
   * (every host is unhealthy, or the cluster has none), "unknown_cluster",
   * "overflow" (the worker has too many calls in flight) or "shutdown" (the
   * worker stopped). */
  sy_slice failure;
  sy_slice body; /* the first 64 KiB of the response body */
} sy_http_call_result;

/* ABI 1.4: called once when a call ends, on the worker that made it (never
 * before http_call returns, never after http_call_cancel). The call handle
 * is gone once this returns; starting new calls from here is fine. */
typedef void (*sy_http_call_done_fn)(void *user_data, const sy_http_call_result *result);

/* ------------------------------------------------------------------------ */
/* Host function table (host-owned, valid for the module's whole life)       */
/* ------------------------------------------------------------------------ */

typedef struct sy_host_api {
  uint32_t size; /* sizeof(sy_host_api) as the host built it */
  sy_abi_version abi;

  /* Logging: check first so a module does not format messages nobody reads. */
  int (*log_enabled)(sy_log_level level);
  void (*log)(sy_log_level level, sy_slice message);

  /* Header maps. Names are matched case-insensitively. `index` picks among
   * repeated headers of the same name. */
  size_t (*header_count)(const sy_headers *headers);
  sy_result (*header_get)(const sy_headers *headers, sy_slice name,
                          size_t index, sy_slice *value_out);
  /* Replace every value of `name` with one value. Of the pseudo-headers
   * only :method, :path, :authority, :scheme (non-empty) and :status (three
   * digits, 100-599) can be set; others are SY_ERR_INVALID_ARGUMENT. */
  sy_result (*header_set)(sy_headers *headers, sy_slice name, sy_slice value);
  /* Append one more value of `name`. */
  sy_result (*header_add)(sy_headers *headers, sy_slice name, sy_slice value);
  /* Remove every value of `name`; NOT_FOUND if there was none. */
  sy_result (*header_remove)(sy_headers *headers, sy_slice name);
  /* Visit every header in order (pseudo-headers first). */
  void (*header_visit)(const sy_headers *headers, sy_header_visit_fn visit,
                       void *user_data);

  /* Body buffers. */
  size_t (*buffer_length)(const sy_buffer *buffer);
  /* Copy up to `capacity` bytes starting at `offset` into `dest`; returns the
   * number of bytes copied. */
  size_t (*buffer_copy_out)(const sy_buffer *buffer, size_t offset,
                            char *dest, size_t capacity);
  sy_result (*buffer_append)(sy_buffer *buffer, sy_slice data);
  sy_result (*buffer_prepend)(sy_buffer *buffer, sy_slice data);
  /* Drop the first `length` bytes. */
  sy_result (*buffer_drain)(sy_buffer *buffer, size_t length);

  /* Stream control. */
  sy_result (*stream_get_property)(sy_stream *stream,
                                   sy_stream_property property,
                                   sy_slice *value_out);
  /* Resume iteration after a hook returned STOP_ITERATION/STOP_AND_BUFFER.
   * May be called from a timer callback or any later hook on this stream. */
  sy_result (*stream_continue_request)(sy_stream *stream);
  sy_result (*stream_continue_response)(sy_stream *stream);
  /* Answer the client directly. The upstream attempt, if any, is cancelled.
   * Allowed until response headers went downstream; after that it returns
   * SY_ERR_HEADERS_SENT. `details` names the reason for logs and stats. */
  sy_result (*send_local_reply)(sy_stream *stream, uint32_t status,
                                sy_slice body, sy_slice content_type,
                                sy_slice details);
  /* Reset the stream: close the client connection without a response if
   * none was sent yet, otherwise abort the response mid-way. */
  sy_result (*stream_reset)(sy_stream *stream, sy_slice details);

  /* Attributes: small key/value strings shared by filters of one stream.
   * The host copies key and value. Values read back are borrowed. */
  sy_result (*attribute_set)(sy_stream *stream, sy_slice key, sy_slice value);
  sy_result (*attribute_get)(sy_stream *stream, sy_slice key,
                             sy_slice *value_out);

  /* Timers. A stream timer is freed automatically at stream_destroy; a
   * worker timer lives until timer_free; when its worker stops (end of a
   * drain) the host closes it, so it never fires again and only timer_free
   * remains valid. Callbacks run on the worker. */
  sy_timer *(*timer_new_for_stream)(sy_stream *stream, sy_timer_fn callback,
                                    void *user_data);
  sy_timer *(*timer_new_for_worker)(sy_worker *worker, sy_timer_fn callback,
                                    void *user_data);
  /* (Re)arm to fire once after `timeout_ms`. */
  sy_result (*timer_arm)(sy_timer *timer, uint64_t timeout_ms);
  sy_result (*timer_cancel)(sy_timer *timer);
  void (*timer_free)(sy_timer *timer);
  sy_worker *(*stream_worker)(sy_stream *stream);

  /* Metrics: defined in config_new, recorded by id on the hot path. The full
   * name is "<filter name>.<name>". Recording is lock-free. */
  sy_result (*metric_define)(sy_config_context *context, sy_metric_kind kind,
                             sy_slice name, uint32_t *metric_id_out);
  void (*metric_record)(uint32_t metric_id, int64_t value);

  /* Clock and randomness. */
  uint64_t (*monotonic_time_ns)(void);
  uint64_t (*random_u64)(void);

  /* ---- ABI 1.1: upstream attempts ------------------------------------ */
  /* The request goes upstream as one or more attempts, each on its own
   * connection to a host of the route's cluster. While a filter of the
   * listener asks for SY_CAPABILITY_REQUEST_REPLAY (see sy_filter_module),
   * the host keeps the request (its headers and up to the listener's
   * request_replay_buffer_bytes of body) so that it can be sent again;
   * without it, attempt_retry and attempt_start_parallel return
   * SY_ERR_NOT_REPLAYABLE. */

  /* Send the request again after `delay_ms`, to a host not tried yet when
   * `exclude_tried_hosts` is nonzero and the cluster has one. Called from
   * attempt_finished, a timer, or another hook while no response has been
   * accepted. Called from attempt_finished of a SY_ATTEMPT_RESPONSE, it
   * rejects that response: its connection is closed and it never reaches
   * the client. Only one retry can be pending at a time.
   * SY_ERR_NOT_REPLAYABLE: the body outgrew the replay buffer (the stream
   * goes on as if retry had not been called); SY_ERR_HEADERS_SENT or
   * SY_ERR_BAD_STATE: a response was accepted or the stream was answered;
   * SY_ERR_LIMIT: a retry is already pending. */
  sy_result (*attempt_retry)(sy_stream *stream, uint64_t delay_ms,
                             int exclude_tried_hosts);
  /* Start one more attempt now, without cancelling those in flight
   * (hedging). The first response accepted wins; the others are cancelled.
   * Same errors as attempt_retry. */
  sy_result (*attempt_start_parallel)(sy_stream *stream,
                                      int exclude_tried_hosts);
  /* Cancel attempt `number` (0: every attempt in flight) with `reason`,
   * SY_ATTEMPT_TIMED_OUT or SY_ATTEMPT_CANCELLED. Its connection is closed,
   * never reused, and attempt_finished runs for it before this returns.
   * When nothing else is in flight or pending afterwards, the client gets
   * 504 (timed out) or 503 (cancelled) unless a filter retries.
   * SY_ERR_NOT_FOUND: no such attempt in flight. */
  sy_result (*attempt_cancel)(sy_stream *stream, uint32_t number,
                              sy_attempt_outcome reason);
  /* From attempt_finished of a SY_ATTEMPT_RESPONSE only: drop this response
   * and wait for another attempt in flight or a pending retry.
   * SY_ERR_BAD_STATE when there is none, so a response is never dropped
   * with nothing to replace it. */
  sy_result (*attempt_reject_response)(sy_stream *stream);
  /* Attempts started so far on this stream. */
  uint32_t (*attempt_count)(sy_stream *stream);
  /* Counters of the stream's cluster; SY_ERR_NOT_FOUND before routing. */
  sy_result (*cluster_stats)(sy_stream *stream, sy_cluster_stats *stats_out);
  /* Add a short response flag (e.g. "UT", "URX") to the stream; the access
   * log shows the flags, comma-separated, in the order added. */
  sy_result (*stream_add_response_flag)(sy_stream *stream, sy_slice flag);

  /* ---- ABI 1.2: typed config access ----------------------------------- */
  /* The host parses the config once; config_new reads it through these
   * calls instead of parsing json_config itself. Every value handle is
   * host-owned and valid only during that config_new call.
   *
   * Errors: a typed read of a value of the wrong kind or out of bounds
   * RECORDS an error on the context, naming the value's full field path in
   * the config file (e.g. "demo.yaml: listeners[0].filters[1].config.
   * num_retries: expected an integer from 0 to 100, got 101"), and returns
   * SY_ERR_INVALID_ARGUMENT; *out is left alone. A read of a NULL value (a
   * member config_member did not find) returns SY_ERR_NOT_FOUND, records
   * nothing and leaves *out alone, so a module sets its default first and
   * reads over it. A module may go on reading after an error, so that the
   * user sees every problem at once. When config_new returns with errors
   * recorded (whatever it returns; the host calls config_destroy on a config
   * it did return), the config is rejected and every recorded error is
   * reported, followed by the module's own message if it wrote one.
   *
   * Numbers (one rule for every module): the config holds every number as
   * an IEEE double, whether the file wrote 300, 300.0 or 3e2. An integer is
   * a finite number with no fractional part and a magnitude of at most
   * 2^53, so 3e2 and 300.0 are the integer 300, and 1.5 is not an integer.
   *
   * Durations: a string of a decimal number and a unit, "ms" or "s"
   * ("300ms", "1.5s", "0s"), or a number of milliseconds (an integer by the
   * rule above). The result is whole milliseconds: "1.0005s" is an error. */

  /* The root of the config: an object ({} when the file gives none). */
  const sy_config_value *(*config_root)(sy_config_context *context);
  /* The kind of `value`; SY_CONFIG_NULL for a NULL handle. */
  sy_config_kind (*config_kind)(const sy_config_value *value);
  /* The member `name` of an object; NULL when absent or when `object` is
   * not an object (nothing is recorded: absent is not an error). */
  const sy_config_value *(*config_member)(sy_config_context *context, const sy_config_value *object,
                                          sy_slice name);
  /* Elements of an array or members of an object; 0 for other kinds. */
  size_t (*config_length)(const sy_config_value *value);
  /* Element `index` of an array; NULL when out of range or not an array. */
  const sy_config_value *(*config_element)(sy_config_context *context, const sy_config_value *array,
                                           size_t index);
  /* Typed reads; see "Errors" above for what they return and record. */
  /* A string, as a borrowed view valid during config_new. */
  sy_result (*config_read_string)(sy_config_context *context, const sy_config_value *value,
                                  sy_slice *out);
  /* An integer (the number rule above) from min to max. */
  sy_result (*config_read_integer)(sy_config_context *context, const sy_config_value *value, int64_t min,
                                   int64_t max, int64_t *out);
  /* Any finite number from min to max. */
  sy_result (*config_read_number)(sy_config_context *context, const sy_config_value *value, double min,
                                  double max, double *out);
  /* true or false, as 1 or 0. */
  sy_result (*config_read_bool)(sy_config_context *context, const sy_config_value *value, int *out);
  /* A duration (the rule above) from min_ms to max_ms milliseconds. */
  sy_result (*config_read_duration_ms)(sy_config_context *context, const sy_config_value *value,
                                       uint64_t min_ms, uint64_t max_ms, uint64_t *out_ms);
  /* An array of strings: when every element is a string, calls `visit` for
   * each in order and returns SY_OK or what `visit` stopped with;
   * otherwise records an error for the value (not an array) or for each
   * element that is not a string, and visits none. */
  sy_result (*config_visit_strings)(sy_config_context *context, const sy_config_value *array,
                                    sy_config_string_fn visit, void *user_data);
  /* Records the module's own `message` (copied) on `value`, which names it
   * by its path; NULL names the whole config. Returns SY_OK. */
  sy_result (*config_error)(sy_config_context *context, const sy_config_value *value, sy_slice message);
  /* Records an error for every member of `object` whose name is not among
   * the `count` names of `known` ("unknown field, expected a, b or c");
   * for an `object` that is not an object, one error saying so. Returns
   * SY_OK when it recorded nothing, else SY_ERR_INVALID_ARGUMENT. */
  sy_result (*config_check_members)(sy_config_context *context, const sy_config_value *object,
                                    const sy_slice *known, size_t count);
  /* How many errors have been recorded on the context so far. */
  size_t (*config_error_count)(const sy_config_context *context);

  /* ---- ABI 1.3: cluster reports --------------------------------------- */
  /* From cluster_report only: add one field (name and value are copied),
   * e.g. "state" = "open", or "127.0.0.1:8080.state" = "closed" for a host.
   * Fields appear in the order added, under the module's name. */
  sy_result (*report_field)(sy_report *report, sy_slice name, sy_slice value);

  /* ---- ABI 1.4: request identity, runtime values --------------------- */
  /* Sets the stream's request id (copied; 1 to 128 visible ASCII bytes):
   * SY_PROP_REQUEST_ID and the access log's %REQUEST_ID% show it from now
   * on. Without a call the id is the host's own number for the stream.
   * SY_ERR_INVALID_ARGUMENT for an empty, long or non-visible id. */
  sy_result (*stream_set_request_id)(sy_stream *stream, sy_slice id);
  /* Copies the current value of runtime key `key` (set with the admin API's
   * POST /runtime_modify?key=value, process-wide, never persisted) into
   * `buffer` and sets *length_out to its length. SY_ERR_NOT_FOUND when the
   * key has no value; SY_ERR_LIMIT when the value is longer than `capacity`
   * (*length_out says how long). Lock-free; safe from any thread. */
  sy_result (*runtime_get)(sy_slice key, char *buffer, size_t capacity, size_t *length_out);

  /* ---- ABI 1.4: outbound HTTP calls ----------------------------------- */
  /* Sends one HTTP/1.1 request to a healthy host of `request->cluster`
   * (the cluster's load balancer picks it; while the cluster is in panic
   * mode, one of its healthy hosts is drawn by weight; with none, the call
   * ends with "no_healthy_upstream"), over `worker`'s connection pool for
   * that host (connections are reused). Call on `worker`'s thread, e.g. from a worker timer or a
   * stream hook of that worker. `done` runs exactly once, later, on that
   * worker with the result, unless http_call_cancel comes first; every
   * failure, an unknown cluster included, arrives through `done`. When the
   * worker stops (the end of a drain), calls still in flight end with
   * "shutdown", so that a module can free what it gave them. Calls keep
   * what they were started with: a config change does not break them.
   * NULL (and no `done`) when an argument is invalid (see
   * sy_http_call_request) or the worker has stopped. */
  sy_http_call *(*http_call)(sy_worker *worker, const sy_http_call_request *request,
                             sy_http_call_done_fn done, void *user_data);
  /* Abandons a call whose done function has not run: its connection is
   * closed and `done` never runs. Call on the call's worker; NULL is
   * ignored. */
  void (*http_call_cancel)(sy_http_call *call);

  /* ---- ABI 1.4: response body pacing ---------------------------------- */
  /* From a filter that stopped the response body (its response_body hook
   * returned SY_FILTER_STOP_ITERATION): passes on up to `max_bytes` of the
   * body the host holds for it to the filters after it and the client,
   * keeping the filter stopped (it is not called for what passes). Sets
   * *released_out to the bytes passed and *still_held_out to what the host
   * still holds for it; when nothing is held, stream_continue_response lets
   * the rest of the body (and its end) through and calls the filter again
   * for new data. Flow control is the host's: while it holds more than the
   * listener's buffer watermark it stops reading the upstream.
   * SY_ERR_BAD_STATE when the filter is not stopped on the response body. */
  sy_result (*stream_release_response_body)(sy_stream *stream, size_t max_bytes, size_t *released_out,
                                            size_t *still_held_out);
} sy_host_api;

/* ------------------------------------------------------------------------ */
/* Module table (module-owned, usually a static const)                       */
/* ------------------------------------------------------------------------ */

typedef struct sy_filter_module {
  uint32_t size; /* sizeof(sy_filter_module) as the module built it */
  sy_abi_version abi; /* SY_ABI_VERSION_MAJOR/MINOR the module was built with */
  const char *name;    /* e.g. "headers"; NUL-terminated, static */
  const char *version; /* the module's own version, e.g. "1.2.0" */

  /* Optional. Called once after loading, before any config. Return SY_OK or
   * write a message into `error` (NUL-terminated, at most capacity bytes). */
  sy_result (*module_init)(char *error, size_t error_capacity);
  /* Optional. Called once before unloading. */
  void (*module_shutdown)(void);

  /* Required. Validate the config and build an immutable one. A module
   * built against ABI 1.2 or later reads it through the host's typed
   * config calls (config_root and the rest), which name the field of every
   * error; `json_config` holds the same config as JSON text (an object;
   * "{}" when the listener gives none) for modules built against 1.0/1.1.
   * On failure record errors on the context or write a message naming the
   * field, and return an error code. The context is valid only during the
   * call. */
  sy_result (*config_new)(sy_config_context *context, sy_slice json_config,
                          void **config_out, char *error,
                          size_t error_capacity);
  /* Required. */
  void (*config_destroy)(void *config);

  /* Optional. Create per-stream state from the effective config (for a
   * route with filter_overrides for this filter, the listener's config with
   * the override merged in, created by its own config_new; else the
   * listener's). */
  sy_result (*stream_new)(sy_stream *stream, const void *config,
                          void **stream_context_out);
  /* Optional. Last call for a stream; free stream_context here. */
  void (*stream_destroy)(void *stream_context);

  /* Optional stream hooks. Request hooks run in listener order, response
   * hooks in reverse. end_stream is nonzero when no body follows.
   * A filter that changes the length of a body removes content-length in
   * the matching headers hook; the host then frames that body chunked. */
  sy_filter_status (*request_headers)(sy_stream *stream, void *stream_context,
                                      sy_headers *headers, int end_stream);
  sy_filter_status (*request_body)(sy_stream *stream, void *stream_context,
                                   sy_buffer *body, int end_stream);
  sy_filter_status (*request_trailers)(sy_stream *stream, void *stream_context,
                                       sy_headers *trailers);
  sy_filter_status (*response_headers)(sy_stream *stream, void *stream_context,
                                       sy_headers *headers, int end_stream);
  sy_filter_status (*response_body)(sy_stream *stream, void *stream_context,
                                    sy_buffer *body, int end_stream);
  sy_filter_status (*response_trailers)(sy_stream *stream,
                                        void *stream_context,
                                        sy_headers *trailers);
  /* Optional. The exchange is over (completed or reset); runs before the
   * host writes its access log line. */
  void (*stream_complete)(sy_stream *stream, void *stream_context);

  /* ---- ABI 1.1 -------------------------------------------------------- */
  /* Optional. An attempt is about to send the request to
   * `attempt->upstream_host`. `request_headers` is this attempt's own copy
   * of the request headers: changes (an attempt-count header, the time left
   * for the request) go to this attempt only. Hooks run in listener order. */
  void (*attempt_started)(sy_stream *stream, void *stream_context,
                          const sy_attempt_info *attempt,
                          sy_headers *request_headers);
  /* Optional. The attempt ended with `attempt->outcome`; hooks run in
   * listener order, and may call attempt_retry, attempt_start_parallel or
   * attempt_reject_response. A SY_ATTEMPT_RESPONSE that no filter rejects
   * (by either call) is accepted: attempts still in flight are cancelled and
   * the response runs through the response hooks to the client. A failure
   * with nothing in flight and no retry pending gets the client a 503
   * (connect failure), 502 (reset), 504 (timed out) or 503 (cancelled). */
  void (*attempt_finished)(sy_stream *stream, void *stream_context,
                           const sy_attempt_info *attempt);

  /* ---- ABI 1.2 -------------------------------------------------------- */
  /* What the module needs from the host beyond its hooks: SY_CAPABILITY_*
   * bits, or 0. A module built against 1.1 that implements attempt_finished
   * is treated as asking for SY_CAPABILITY_REQUEST_REPLAY (the 1.1 rule). */
  uint32_t capabilities;

  /* ---- ABI 1.3 -------------------------------------------------------- */
  /* Optional. Asked before each attempt goes to the host the load balancer
   * chose, `candidate->upstream_host` (number, hedged and upstream_host are
   * set; nothing is sent yet, and no connection is taken). Hooks run in
   * listener order until one refuses. A refused host is skipped and another
   * host of the cluster is asked about; an attempt refused on every host,
   * or refused outright, never starts (attempt_started and attempt_finished
   * do not run for it, and it is not counted by attempt_count). When
   * nothing else is in flight or pending, the client gets 503 with response
   * flag UO and an `x-switchyard-overloaded` header holding `reason_out`
   * (a short token such as "max_requests" or "open"; copied by the host).
   * A filter that counts admitted attempts must also expect an admitted
   * candidate to be dropped when a later filter refuses it: it sees a new
   * attempt_admit for the same number, or stream_complete. */
  sy_admission (*attempt_admit)(sy_stream *stream, void *stream_context,
                                const sy_attempt_info *candidate,
                                sy_slice *reason_out);
  /* Optional. Runs on the control thread (not a worker) when the admin API
   * describes cluster `cluster_name`: add fields with report_field. Reads
   * state that workers change concurrently, so that state must be safe to
   * read from another thread (atomics). */
  void (*cluster_report)(sy_slice cluster_name, sy_report *report);

  /* Fields added in later minors go here, at the end. */
} sy_filter_module;

/* ABI 1.2: bits of sy_filter_module.capabilities. */
typedef enum sy_capability {
  /* Keep each request so that attempt_retry and attempt_start_parallel can
   * send it again. It costs a copy of the request body (up to the
   * listener's request_replay_buffer_bytes) on every stream of a listener
   * with such a module, so only a module that retries or hedges asks. */
  SY_CAPABILITY_REQUEST_REPLAY = 1,
  SY_CAPABILITY_FORCE_INT32 = 0x7fffffff
} sy_capability;

/* True when a table built by the other side is large enough to contain
 * `field`: use before reading any field added after ABI 1.0. */
#define SY_HAS_FIELD(table_ptr, type, field)                                  \
  ((table_ptr)->size >= offsetof(type, field) + sizeof(((type *)0)->field))

/* The entry symbol: receives the host table (valid for the module's life)
 * and returns the module table. It must not fail; put fallible work in
 * module_init. */
typedef const sy_filter_module *(*sy_module_entry_fn)(const sy_host_api *host);

#ifdef __cplusplus
}
#endif

#endif /* SWITCHYARD_FILTER_H */
