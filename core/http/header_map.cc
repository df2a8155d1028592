#include "http/header_map.h"

#include <algorithm>

namespace switchyard::http {

namespace {
char toLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? char(c + ('a' - 'A')) : c; }
}  // namespace

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (toLowerAscii(a[i]) != toLowerAscii(b[i])) return false;
  }
  return true;
}

std::optional<std::string_view> HeaderMap::get(std::string_view name) const {
  return get(name, 0);
}

std::optional<std::string_view> HeaderMap::get(std::string_view name, size_t index) const {
  for (const auto& field : fields_) {
    if (equalsIgnoreCase(field.name, name)) {
      if (index == 0) return std::string_view(field.value);
      --index;
    }
  }
  return std::nullopt;
}

size_t HeaderMap::countOf(std::string_view name) const {
  return size_t(std::count_if(fields_.begin(), fields_.end(),
                              [&](const HeaderField& f) { return equalsIgnoreCase(f.name, name); }));
}

void HeaderMap::set(std::string_view name, std::string_view value) {
  auto first = std::find_if(fields_.begin(), fields_.end(),
                            [&](const HeaderField& f) { return equalsIgnoreCase(f.name, name); });
  if (first == fields_.end()) {
    add(name, value);
    return;
  }
  first->value.assign(value);
  auto later = std::remove_if(first + 1, fields_.end(),
                              [&](const HeaderField& f) { return equalsIgnoreCase(f.name, name); });
  fields_.erase(later, fields_.end());
}

void HeaderMap::add(std::string_view name, std::string_view value) {
  fields_.push_back(HeaderField{std::string(name), std::string(value)});
}

size_t HeaderMap::remove(std::string_view name) {
  return std::erase_if(fields_, [&](const HeaderField& f) { return equalsIgnoreCase(f.name, name); });
}

}  // namespace switchyard::http
