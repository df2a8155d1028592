// Request method properties the proxy acts on.
#pragma once

#include <string_view>

namespace switchyard::http {

// RFC 9110 9.2.2: repeating these has the same effect as sending them once,
// so a request that may not have reached the server can be sent again.
inline bool isIdempotentMethod(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE" || method == "PUT" ||
         method == "DELETE";
}

}  // namespace switchyard::http
