/* The breaker's stream hooks: admission of each attempt (bulkheads and
 * breaker states, ABI 1.3 attempt_admit), results of each attempt
 * (attempt_finished), probe timeouts, and giving back what a stream held
 * when it ends. */
#ifndef SWITCHYARD_BREAKER_STREAM_H
#define SWITCHYARD_BREAKER_STREAM_H

#include <switchyard/filter.h>

sy_result breaker_stream_new(sy_stream *stream, const void *config, void **context_out);
void breaker_stream_destroy(void *context);
sy_admission breaker_attempt_admit(sy_stream *stream, void *context, const sy_attempt_info *candidate,
                                   sy_slice *reason_out);
void breaker_attempt_started(sy_stream *stream, void *context, const sy_attempt_info *attempt,
                             sy_headers *request_headers);
void breaker_attempt_finished(sy_stream *stream, void *context, const sy_attempt_info *attempt);
void breaker_stream_complete(sy_stream *stream, void *context);

#endif
