// AdminServer: the operator's HTTP endpoint (127.0.0.1 by default), served
// on the control loop from an AdminHandlers table (admin_handlers.h); GET /
// lists the endpoints. Requests are small; each connection answers one
// request and closes. A request body (Content-Length only; at most 8 KiB
// with the head) is read before the answer, so that closing never resets a
// client still sending; a form body adds to the query.
#pragma once

#include <uv.h>

#include <string>

#include "admin/admin_handlers.h"

namespace switchyard::admin {

class AdminServer {
 public:
  AdminServer(uv_loop_t* loop, AdminHandlers handlers);
  ~AdminServer();
  // Binds and listens; false with *error on failure.
  bool start(const sockaddr_storage& address, std::string* error);
  void close();

  // The response (head and body) to one request; exposed for tests.
  // `form_body` is an application/x-www-form-urlencoded body, or empty.
  std::string respond(std::string_view method, std::string_view target, std::string_view form_body = {}) const;

 private:
  static void onAccept(uv_stream_t* server, int status);
  uv_loop_t* loop_;
  AdminHandlers handlers_;
  uv_tcp_t* server_ = nullptr;
};

}  // namespace switchyard::admin
