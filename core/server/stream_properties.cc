// What a filter can read about its stream (sy_host_api.stream_get_property):
// the facts of the request, where it was routed, and how it ended.
#include "server/downstream_connection.h"
#include "server/stream.h"

namespace switchyard::server {

namespace {

sy_slice sliceOf(std::string_view text) { return sy_slice{text.data(), text.size()}; }

sy_result textOrNotFound(std::string_view text, sy_slice* value) {
  if (text.empty()) return SY_ERR_NOT_FOUND;
  *value = sliceOf(text);
  return SY_OK;
}

}  // namespace

sy_result Stream::streamProperty(sy_stream_property property, sy_slice* value) {
  const router::RouteEntry* route = upstream_.route();
  switch (property) {
    case SY_PROP_CLIENT_ADDRESS: *value = sliceOf(connection_.clientIp()); return SY_OK;
    case SY_PROP_CLIENT_PORT: *value = sliceOf(connection_.clientPortText()); return SY_OK;
    case SY_PROP_LISTENER_NAME: *value = sliceOf(listener_.config->name); return SY_OK;
    case SY_PROP_ROUTE_NAME:
      if (route == nullptr) return SY_ERR_NOT_FOUND;
      *value = sliceOf(route->name);
      return SY_OK;
    case SY_PROP_CLUSTER_NAME:
      if (route == nullptr) return SY_ERR_NOT_FOUND;
      *value = sliceOf(route->cluster);
      return SY_OK;
    case SY_PROP_UPSTREAM_HOST: return textOrNotFound(upstream_.upstreamHost(), value);
    case SY_PROP_REQUEST_ID: *value = sliceOf(id_text_); return SY_OK;
    case SY_PROP_PROTOCOL:
      *value = sliceOf(request_info_.http_minor == 0 ? "HTTP/1.0" : "HTTP/1.1");
      return SY_OK;
    case SY_PROP_REQUEST_METHOD: return textOrNotFound(request_method_, value);
    case SY_PROP_REQUEST_PATH: return textOrNotFound(request_path_, value);
    case SY_PROP_RESPONSE_STATUS:
      if (response_status_ == 0) return SY_ERR_NOT_FOUND;
      status_text_ = std::to_string(response_status_);
      *value = sliceOf(status_text_);
      return SY_OK;
    case SY_PROP_RESPONSE_FLAGS: return textOrNotFound(response_flags_, value);
    case SY_PROP_RESPONSE_DETAILS: return textOrNotFound(response_details_, value);
    case SY_PROP_FORCE_INT32: break;
  }
  return SY_ERR_INVALID_ARGUMENT;
}

}  // namespace switchyard::server
