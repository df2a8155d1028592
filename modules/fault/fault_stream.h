/* The fault filter's per-stream hooks: the decision at the request
 * headers (scope, plan, draws, the cap on faults in flight), the delay, the
 * abort, the response rate limit, and giving the fault's slot back. */
#ifndef SWITCHYARD_FAULT_STREAM_H
#define SWITCHYARD_FAULT_STREAM_H

#include <switchyard/filter.h>

sy_result fault_stream_new(sy_stream *stream, const void *config, void **context_out);
void fault_stream_destroy(void *context);
sy_filter_status fault_request_headers(sy_stream *stream, void *context, sy_headers *headers, int end_stream);
sy_filter_status fault_response_body(sy_stream *stream, void *context, sy_buffer *body, int end_stream);
void fault_stream_complete(sy_stream *stream, void *context);

#endif
