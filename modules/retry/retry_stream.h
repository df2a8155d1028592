/* The per-stream half of the filter: reads the request's method and
 * override headers, arms per-try timers, and decides after each upstream
 * attempt whether to retry, hedge or let the outcome stand. */
#ifndef SWITCHYARD_RETRY_STREAM_H
#define SWITCHYARD_RETRY_STREAM_H

#include <switchyard/filter.h>

sy_result retry_stream_new(sy_stream *stream, const void *config, void **stream_context_out);
void retry_stream_destroy(void *stream_context);
sy_filter_status retry_request_headers(sy_stream *stream, void *stream_context, sy_headers *headers,
                                       int end_stream);
void retry_attempt_started(sy_stream *stream, void *stream_context, const sy_attempt_info *attempt,
                           sy_headers *request_headers);
void retry_attempt_finished(sy_stream *stream, void *stream_context, const sy_attempt_info *attempt);

#endif
