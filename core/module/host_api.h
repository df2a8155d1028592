// The host side of the filter ABI: the sy_host_api table handed to every
// module, and the mapping between opaque ABI handles and core objects.
#pragma once

#include <switchyard/filter.h>

#include <string>

#include "http/header_map.h"
#include "module/config_access.h"

namespace switchyard::module {

// The table passed to every module's entry symbol. Lives for the process.
const sy_host_api* hostApi();

inline sy_headers* asHandle(http::HeaderMap* headers) { return reinterpret_cast<sy_headers*>(headers); }
inline sy_buffer* asHandle(std::string* buffer) { return reinterpret_cast<sy_buffer*>(buffer); }

// A timer made for a filter; see sy_host_api.timer_new_for_*.
struct FilterTimer;
// Frees a stream timer when its stream ends.
void freeTimer(FilterTimer* timer);
// Closes a worker timer's handle when its worker stops; the module still
// owns the (now inert) timer and frees it with timer_free.
void closeTimer(FilterTimer* timer);

}  // namespace switchyard::module
