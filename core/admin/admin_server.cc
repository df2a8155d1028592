#include "admin/admin_server.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "common/uv_util.h"

namespace switchyard::admin {

namespace {

constexpr size_t kMaxAdminRequestBytes = 8192;
constexpr std::string_view kHeadEnd = "\r\n\r\n";

struct AdminConnection {
  uv_tcp_t socket;
  const AdminServer* server;
  std::string request;
  size_t head_size = 0;  // through the blank line; 0 until it arrived
  size_t body_size = 0;  // from Content-Length
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
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

std::string httpResponse(int status, std::string_view content_type, std::string_view body,
                         std::string_view extra_headers = {}) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reasonOf(status) + "\r\ncontent-type: " +
         std::string(content_type) + "\r\ncontent-length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra_headers) + "connection: close\r\n\r\n" + std::string(body);
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The value of header `name` in a request head (first line excluded), or
// nullopt.
std::optional<std::string_view> headerValue(std::string_view head, std::string_view name) {
  size_t line_start = head.find("\r\n");
  while (line_start != std::string_view::npos && line_start + 2 < head.size()) {
    line_start += 2;
    size_t line_end = head.find("\r\n", line_start);
    std::string_view line = head.substr(line_start, line_end - line_start);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos && equalsIgnoreCase(line.substr(0, colon), name)) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      return value;
    }
    line_start = line_end;
  }
  return std::nullopt;
}

void closeConnection(AdminConnection* connection) {
  if (uv_is_closing(reinterpret_cast<uv_handle_t*>(&connection->socket))) return;
  uv_close(reinterpret_cast<uv_handle_t*>(&connection->socket),
           [](uv_handle_t* handle) { delete static_cast<AdminConnection*>(handle->data); });
}

void send(AdminConnection* connection, std::string response) {
  connection->answered = true;
  connection->response = std::move(response);
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&connection->socket));
  uv_buf_t buf = uv_buf_init(connection->response.data(), unsigned(connection->response.size()));
  connection->write.data = connection;
  uv_write(&connection->write, reinterpret_cast<uv_stream_t*>(&connection->socket), &buf, 1,
           [](uv_write_t* request, int) { closeConnection(static_cast<AdminConnection*>(request->data)); });
}

// The head arrived: how much body follows, or an error response.
std::optional<std::string> readHeadFraming(AdminConnection* connection) {
  std::string_view head = std::string_view(connection->request).substr(0, connection->head_size);
  if (headerValue(head, "transfer-encoding")) {
    return httpResponse(411, "text/plain", "send a request body with Content-Length, not chunked\n");
  }
  if (auto length = headerValue(head, "content-length")) {
    bool digits = !length->empty() && length->size() <= 5 &&
                  std::all_of(length->begin(), length->end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) return httpResponse(400, "text/plain", "bad content-length\n");
    connection->body_size = std::stoul(std::string(*length));
  }
  if (connection->head_size + connection->body_size > kMaxAdminRequestBytes) {
    return httpResponse(413, "text/plain", "admin requests are at most 8 KiB\n");
  }
  return std::nullopt;
}

void answer(AdminConnection* connection) {
  std::string_view request = connection->request;
  std::string_view head = request.substr(0, connection->head_size);
  std::string_view line = head.substr(0, head.find("\r\n"));
  size_t first_space = line.find(' ');
  size_t second_space = line.find(' ', first_space + 1);
  if (first_space == std::string_view::npos || second_space == std::string_view::npos) {
    send(connection, httpResponse(400, "text/plain", "bad request\n"));
    return;
  }
  std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
  std::string_view body = request.substr(connection->head_size, connection->body_size);
  auto content_type = headerValue(head, "content-type");
  bool form = content_type && content_type->substr(0, content_type->find(';')) == "application/x-www-form-urlencoded";
  send(connection, connection->server->respond(line.substr(0, first_space), target, form ? body : std::string_view()));
}

void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* connection = static_cast<AdminConnection*>(stream->data);
  if (nread > 0 && !connection->answered) connection->request.append(buf->base, size_t(nread));
  delete[] buf->base;
  if (connection->answered) return;
  if (nread < 0 || connection->request.size() > kMaxAdminRequestBytes) {
    closeConnection(connection);
    return;
  }
  if (connection->head_size == 0) {
    size_t end = connection->request.find(kHeadEnd);
    if (end == std::string::npos) return;
    connection->head_size = end + kHeadEnd.size();
    if (auto refusal = readHeadFraming(connection)) {
      send(connection, std::move(*refusal));
      return;
    }
  }
  if (connection->request.size() >= connection->head_size + connection->body_size) answer(connection);
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
      &onRead);
}

std::string AdminServer::respond(std::string_view method, std::string_view target,
                                 std::string_view form_body) const {
  size_t query_start = target.find('?');
  std::string_view path = target.substr(0, query_start);
  std::string query(query_start == std::string_view::npos ? std::string_view() : target.substr(query_start + 1));
  if (!form_body.empty()) {
    if (!query.empty()) query += '&';
    query += form_body;
  }
  bool method_not_allowed = false;
  const AdminHandler* handler = handlers_.find(method, path, &method_not_allowed);
  if (handler == nullptr) {
    if (method_not_allowed) {
      std::string allowed = handlers_.allowedMethods(path);
      return httpResponse(405, "text/plain", std::string(path) + " takes " + allowed + "\n",
                          "allow: " + allowed + "\r\n");
    }
    return httpResponse(404, "text/plain", "no such endpoint; GET / lists them:\n" + handlers_.index());
  }
  AdminResponse response = handler->handle(query);
  const std::string& type = response.status != 200         ? std::string("text/plain")
                            : response.content_type.empty() ? handler->content_type
                                                            : response.content_type;
  std::string full = httpResponse(response.status, type, response.body);
  // HEAD: the GET's head (its content-length included) without the body.
  if (method == "HEAD") full.resize(full.size() - response.body.size());
  return full;
}

}  // namespace switchyard::admin
