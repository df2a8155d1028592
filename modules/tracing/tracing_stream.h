// The tracing filter's per-stream hooks: the request id, the trace context
// in and out, the server span of the exchange and a client span per
// upstream attempt. Every hook is noexcept: no C++ exception may unwind
// into the host's C frames (running out of memory ends the process).
#pragma once

#include <switchyard/filter.h>

namespace tracing {

sy_result streamNew(sy_stream* stream, const void* config, void** stream_context_out) noexcept;
void streamDestroy(void* stream_context) noexcept;
sy_filter_status requestHeaders(sy_stream* stream, void* stream_context, sy_headers* headers,
                                int end_stream) noexcept;
sy_filter_status responseHeaders(sy_stream* stream, void* stream_context, sy_headers* headers,
                                 int end_stream) noexcept;
void attemptStarted(sy_stream* stream, void* stream_context, const sy_attempt_info* attempt,
                    sy_headers* request_headers) noexcept;
void attemptFinished(sy_stream* stream, void* stream_context, const sy_attempt_info* attempt) noexcept;
void streamComplete(sy_stream* stream, void* stream_context) noexcept;

}  // namespace tracing
