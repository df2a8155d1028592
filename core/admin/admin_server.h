// AdminServer: the operator's HTTP endpoint (127.0.0.1 by default), served
// on the control loop. GET /ready, /modules and /stats. Requests are small;
// each connection answers one request and closes.
#pragma once

#include <uv.h>

#include <functional>
#include <string>

namespace switchyard::admin {

class AdminServer {
 public:
  struct Sources {
    std::function<bool()> ready;               // false while draining
    std::function<std::string()> modules_json;  // loaded modules
    std::function<std::string()> cluster_stats;  // "name: value" lines of live cluster counters
  };

  AdminServer(uv_loop_t* loop, Sources sources);
  ~AdminServer();
  // Binds and listens; false with *error on failure.
  bool start(const sockaddr_storage& address, std::string* error);
  void close();

  // The response (head and body) to one request line; exposed for tests.
  std::string respond(std::string_view method, std::string_view path) const;

 private:
  static void onAccept(uv_stream_t* server, int status);
  uv_loop_t* loop_;
  Sources sources_;
  uv_tcp_t* server_ = nullptr;
};

}  // namespace switchyard::admin
