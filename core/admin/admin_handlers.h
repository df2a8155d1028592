// AdminHandlers: the admin API's endpoint table. Each endpoint is one entry
// {method, path, content type, one-line help, handler}; any folder of the
// core adds its own (stats adds /stats, the server /ready and /modules), and
// GET / lists them all. Adding an endpoint is one add() call in one place.
//
// Built before the admin server starts and read-only afterwards; handlers
// run on the control loop.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::admin {

struct AdminResponse {
  AdminResponse() = default;
  AdminResponse(int status, std::string body, std::string content_type = "")
      : status(status), body(std::move(body)), content_type(std::move(content_type)) {}

  int status = 200;
  std::string body;
  // Of this 200 response when not empty, instead of the handler's: for an
  // endpoint that answers in more than one format (?format=json).
  std::string content_type;
};

struct AdminHandler {
  // "GET" (HEAD is answered by every GET endpoint), or "POST" for an
  // endpoint that changes something: a GET of it gets 405, so that a
  // crawler or a prefetching browser cannot change the proxy.
  std::string method;
  std::string path;          // exact, e.g. "/stats"
  std::string content_type;  // of a 200 response (unless the response names its own)
  std::string help;          // one line, shown by GET /
  // Receives the query string (without '?'), empty when there is none; for
  // a POST with a form body (application/x-www-form-urlencoded), the query
  // and the body joined by '&'.
  std::function<AdminResponse(std::string_view query)> handle;
};

class AdminHandlers {
 public:
  // Adds an endpoint; false (and nothing added) when method and path are taken.
  bool add(AdminHandler handler);
  // The handler for a request, or null when no endpoint has this path; a
  // path served only under another method sets *method_not_allowed.
  const AdminHandler* find(std::string_view method, std::string_view path, bool* method_not_allowed) const;
  // The methods `path` is served under, for a 405's Allow: "GET, HEAD", "POST".
  std::string allowedMethods(std::string_view path) const;
  const std::vector<AdminHandler>& all() const { return handlers_; }
  // The text of GET /: one line per endpoint, "METHOD PATH  help".
  std::string index() const;

 private:
  std::vector<AdminHandler> handlers_;
};

}  // namespace switchyard::admin
