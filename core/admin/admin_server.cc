#include "admin/admin_server.h"

#include "common/uv_util.h"
#include "stats/metric_registry.h"

namespace switchyard::admin {

namespace {

constexpr size_t kMaxAdminRequestBytes = 8192;

struct AdminConnection {
  uv_tcp_t socket;
  const AdminServer* server;
  std::string request;
  std::string response;
  uv_write_t write;
  bool answered = false;
};

std::string httpResponse(int status, std::string_view reason, std::string_view content_type, std::string_view body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\ncontent-type: " +
         std::string(content_type) + "\r\ncontent-length: " + std::to_string(body.size()) +
         "\r\nconnection: close\r\n\r\n" + std::string(body);
}

void closeConnection(AdminConnection* connection) {
  if (uv_is_closing(reinterpret_cast<uv_handle_t*>(&connection->socket))) return;
  uv_close(reinterpret_cast<uv_handle_t*>(&connection->socket),
           [](uv_handle_t* handle) { delete static_cast<AdminConnection*>(handle->data); });
}

void answer(AdminConnection* connection) {
  connection->answered = true;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&connection->socket));
  std::string_view request = connection->request;
  std::string_view line = request.substr(0, request.find("\r\n"));
  size_t first_space = line.find(' ');
  size_t second_space = line.find(' ', first_space + 1);
  if (first_space == std::string_view::npos || second_space == std::string_view::npos) {
    connection->response = httpResponse(400, "Bad Request", "text/plain", "bad request\n");
  } else {
    std::string_view path = line.substr(first_space + 1, second_space - first_space - 1);
    path = path.substr(0, path.find('?'));
    connection->response = connection->server->respond(line.substr(0, first_space), path);
  }
  uv_buf_t buf = uv_buf_init(connection->response.data(), unsigned(connection->response.size()));
  connection->write.data = connection;
  uv_write(&connection->write, reinterpret_cast<uv_stream_t*>(&connection->socket), &buf, 1,
           [](uv_write_t* request, int) { closeConnection(static_cast<AdminConnection*>(request->data)); });
}

}  // namespace

AdminServer::AdminServer(uv_loop_t* loop, Sources sources) : loop_(loop), sources_(std::move(sources)) {}

AdminServer::~AdminServer() { close(); }

bool AdminServer::start(const sockaddr_storage& address, std::string* error) {
  server_ = new uv_tcp_t;
  uv_tcp_init(loop_, server_);
  server_->data = this;
  int rc = uv_tcp_bind(server_, reinterpret_cast<const sockaddr*>(&address), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(server_), 64, &AdminServer::onAccept);
  if (rc != 0) {
    *error = "admin " + formatSocketAddress(address) + ": " + uv_strerror(rc);
    close();
    return false;
  }
  return true;
}

void AdminServer::close() {
  closeAndDelete(server_);
  server_ = nullptr;
}

void AdminServer::onAccept(uv_stream_t* server, int status) {
  if (status != 0) return;
  auto* self = static_cast<AdminServer*>(server->data);
  auto* connection = new AdminConnection{};
  connection->server = self;
  uv_tcp_init(self->loop_, &connection->socket);
  connection->socket.data = connection;
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&connection->socket)) != 0) {
    closeConnection(connection);
    return;
  }
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&connection->socket),
      [](uv_handle_t*, size_t suggested, uv_buf_t* buf) {
        *buf = uv_buf_init(new char[suggested], unsigned(suggested));
      },
      [](uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
        auto* connection = static_cast<AdminConnection*>(stream->data);
        if (nread > 0 && !connection->answered) connection->request.append(buf->base, size_t(nread));
        delete[] buf->base;
        if (connection->answered) return;
        if (nread < 0 || connection->request.size() > kMaxAdminRequestBytes) {
          closeConnection(connection);
        } else if (connection->request.find("\r\n\r\n") != std::string::npos) {
          answer(connection);
        }
      });
}

std::string AdminServer::respond(std::string_view method, std::string_view path) const {
  if (method != "GET" && method != "HEAD") {
    return httpResponse(405, "Method Not Allowed", "text/plain", "only GET is supported\n");
  }
  if (path == "/ready") {
    return sources_.ready() ? httpResponse(200, "OK", "text/plain", "LIVE\n")
                            : httpResponse(503, "Service Unavailable", "text/plain", "DRAINING\n");
  }
  if (path == "/modules") return httpResponse(200, "OK", "application/json", sources_.modules_json());
  if (path == "/stats") {
    std::string body;
    for (const auto& metric : stats::MetricRegistry::global().snapshot()) {
      body += metric.name + ": " + std::to_string(metric.value);
      if (metric.kind == stats::MetricKind::kHistogram) body += " (count " + std::to_string(metric.count) + ")";
      body += "\n";
    }
    body += sources_.cluster_stats();
    return httpResponse(200, "OK", "text/plain", body);
  }
  return httpResponse(404, "Not Found", "text/plain", "endpoints: /ready /modules /stats\n");
}

}  // namespace switchyard::admin
