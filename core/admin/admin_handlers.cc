#include "admin/admin_handlers.h"

#include <algorithm>

namespace switchyard::admin {

bool AdminHandlers::add(AdminHandler handler) {
  bool taken = std::any_of(handlers_.begin(), handlers_.end(), [&](const AdminHandler& existing) {
    return existing.method == handler.method && existing.path == handler.path;
  });
  if (taken) return false;
  handlers_.push_back(std::move(handler));
  return true;
}

const AdminHandler* AdminHandlers::find(std::string_view method, std::string_view path,
                                        bool* method_not_allowed) const {
  *method_not_allowed = false;
  std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  for (const auto& handler : handlers_) {
    if (handler.path != path) continue;
    if (handler.method == wanted) return &handler;
    *method_not_allowed = true;
  }
  return nullptr;
}

std::string AdminHandlers::allowedMethods(std::string_view path) const {
  std::string allowed;
  for (const auto& handler : handlers_) {
    if (handler.path != path) continue;
    if (!allowed.empty()) allowed += ", ";
    allowed += handler.method == "GET" ? "GET, HEAD" : handler.method;
  }
  return allowed;
}

std::string AdminHandlers::index() const {
  size_t width = 0;
  for (const auto& handler : handlers_) width = std::max(width, handler.method.size() + 1 + handler.path.size());
  std::string text;
  for (const auto& handler : handlers_) {
    std::string endpoint = handler.method + " " + handler.path;
    text += endpoint + std::string(width + 2 - endpoint.size(), ' ') + handler.help + "\n";
  }
  return text;
}

}  // namespace switchyard::admin
