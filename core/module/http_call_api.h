// The host calls of ABI 1.4's outbound HTTP calls (sy_host_api.http_call
// and http_call_cancel): they check and copy a module's request, then hand
// it to the worker (WorkerServices), which runs it.
#pragma once

#include <switchyard/filter.h>

#include <optional>

#include "module/http_call_spec.h"

namespace switchyard::module {

// The spec of a valid request, copied; nullopt when a field breaks the
// rules of sy_http_call_request.
std::optional<HttpCallSpec> httpCallSpecOf(const sy_http_call_request* request);

namespace http_call_calls {
sy_http_call* start(sy_worker* worker, const sy_http_call_request* request, sy_http_call_done_fn done,
                    void* user_data);
void cancel(sy_http_call* call);
}  // namespace http_call_calls

}  // namespace switchyard::module
