// The tracing filter's per-stream hooks: the request id, the trace context
// in and out, the server span of the exchange and a client span per
// upstream attempt.
#pragma once

#include <switchyard/filter.h>

namespace tracing {

sy_result streamNew(sy_stream* stream, const void* config, void** stream_context_out);
void streamDestroy(void* stream_context);
sy_filter_status requestHeaders(sy_stream* stream, void* stream_context, sy_headers* headers, int end_stream);
sy_filter_status responseHeaders(sy_stream* stream, void* stream_context, sy_headers* headers,
                                 int end_stream);
void attemptStarted(sy_stream* stream, void* stream_context, const sy_attempt_info* attempt,
                    sy_headers* request_headers);
void attemptFinished(sy_stream* stream, void* stream_context, const sy_attempt_info* attempt);
void streamComplete(sy_stream* stream, void* stream_context);

}  // namespace tracing
