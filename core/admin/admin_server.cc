#include "admin/admin_server.h"

#include "common/uv_util.h"

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

const char* reasonOf(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

std::string httpResponse(int status, std::string_view content_type, std::string_view body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reasonOf(status) + "\r\ncontent-type: " +
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
    connection->response = httpResponse(400, "text/plain", "bad request\n");
  } else {
    std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
    connection->response = connection->server->respond(line.substr(0, first_space), target);
  }
  uv_buf_t buf = uv_buf_init(connection->response.data(), unsigned(connection->response.size()));
  connection->write.data = connection;
  uv_write(&connection->write, reinterpret_cast<uv_stream_t*>(&connection->socket), &buf, 1,
           [](uv_write_t* request, int) { closeConnection(static_cast<AdminConnection*>(request->data)); });
}

}  // namespace

AdminServer::AdminServer(uv_loop_t* loop, AdminHandlers handlers) : loop_(loop), handlers_(std::move(handlers)) {
  handlers_.add({"GET", "/", "text/plain", "this list of endpoints",
                 [this](std::string_view) { return AdminResponse{200, handlers_.index()}; }});
}

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

std::string AdminServer::respond(std::string_view method, std::string_view target) const {
  size_t query_start = target.find('?');
  std::string_view path = target.substr(0, query_start);
  std::string_view query = query_start == std::string_view::npos ? std::string_view() : target.substr(query_start + 1);
  bool method_not_allowed = false;
  const AdminHandler* handler = handlers_.find(method, path, &method_not_allowed);
  if (handler == nullptr) {
    if (method_not_allowed) return httpResponse(405, "text/plain", "method not allowed; GET / lists the endpoints\n");
    return httpResponse(404, "text/plain", "no such endpoint; GET / lists them:\n" + handlers_.index());
  }
  AdminResponse response = handler->handle(query);
  if (response.status != 200) return httpResponse(response.status, "text/plain", response.body);
  const std::string& type = response.content_type.empty() ? handler->content_type : response.content_type;
  return httpResponse(response.status, type, response.body);
}

}  // namespace switchyard::admin
