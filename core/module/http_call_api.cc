#include "module/http_call_api.h"

#include <array>
#include <cstring>
#include <string_view>

#include "http/header_map.h"
#include "module/stream_services.h"

namespace switchyard::module {

namespace {

std::string_view view(sy_slice slice) {
  return slice.ptr == nullptr ? std::string_view() : std::string_view(slice.ptr, slice.len);
}

bool isToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 32 || byte >= 127 || std::strchr("\"(),/:;<=>?@[\\]{}", byte) != nullptr) return false;
  }
  return true;
}

bool isFieldValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool isVisibleAscii(std::string_view text) {
  for (char c : text) {
    if (c <= ' ' || c >= 127) return false;
  }
  return true;
}

// The host writes these itself: a module's own would frame the request twice.
bool hostOwnedField(std::string_view name) {
  static constexpr std::array<std::string_view, 4> kOwned = {"host", "content-length", "transfer-encoding",
                                                             "connection"};
  for (std::string_view owned : kOwned) {
    if (http::equalsIgnoreCase(name, owned)) return true;
  }
  return false;
}

}  // namespace

std::optional<HttpCallSpec> httpCallSpecOf(const sy_http_call_request* request) {
  if (request == nullptr || request->size < offsetof(sy_http_call_request, timeout_ms) + sizeof(uint64_t)) {
    return std::nullopt;
  }
  HttpCallSpec spec;
  spec.cluster = view(request->cluster);
  spec.method = view(request->method);
  spec.path = view(request->path);
  spec.authority = view(request->authority);
  if (spec.cluster.empty() || !isToken(spec.method) || spec.path.empty() || spec.path[0] != '/' ||
      !isVisibleAscii(spec.path) || !isVisibleAscii(spec.authority) || request->timeout_ms == 0) {
    return std::nullopt;
  }
  if (spec.authority.empty()) spec.authority = spec.cluster;
  if (request->header_count > 0 && request->headers == nullptr) return std::nullopt;
  for (size_t i = 0; i < request->header_count; ++i) {
    std::string_view name = view(request->headers[2 * i]);
    std::string_view value = view(request->headers[2 * i + 1]);
    if (!isToken(name) || hostOwnedField(name) || !isFieldValue(value)) return std::nullopt;
    spec.headers.emplace_back(name, value);
  }
  spec.body = view(request->body);
  spec.timeout_ms = request->timeout_ms;
  return spec;
}

namespace http_call_calls {

sy_http_call* start(sy_worker* worker, const sy_http_call_request* request, sy_http_call_done_fn done,
                    void* user_data) {
  if (worker == nullptr || done == nullptr) return nullptr;
  std::optional<HttpCallSpec> spec = httpCallSpecOf(request);
  if (!spec) return nullptr;
  OutboundCall* call =
      reinterpret_cast<WorkerServices*>(worker)->startHttpCall(std::move(*spec), done, user_data);
  return reinterpret_cast<sy_http_call*>(call);
}

void cancel(sy_http_call* call) {
  if (call != nullptr) reinterpret_cast<OutboundCall*>(call)->cancel();
}

}  // namespace http_call_calls

}  // namespace switchyard::module
