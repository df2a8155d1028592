// One outbound HTTP call a module asked for (sy_host_api.http_call, ABI
// 1.4), its arguments checked and copied by module/http_call_api.cc so that
// the worker that runs it owns everything it sends.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace switchyard::module {

struct HttpCallSpec {
  std::string cluster;
  std::string method;
  std::string path;
  std::string authority;  // never empty: the cluster's name when the module gave none
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  uint64_t timeout_ms = 0;  // 1 or more
};

// A call in flight, as the host API sees it: what a module's sy_http_call*
// points at. Implemented by the worker's call (router/http_call.h).
class OutboundCall {
 public:
  // Ends the call without reporting it (sy_host_api.http_call_cancel).
  virtual void cancel() = 0;

 protected:
  ~OutboundCall() = default;
};

// The most response body a call hands back (sy_http_call_result.body).
inline constexpr size_t kHttpCallBodyLimit = 64 * 1024;

}  // namespace switchyard::module
