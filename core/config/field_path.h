// Field paths in config error messages, spelled the way the file is read:
// "listeners[0].virtual_hosts[1].routes[2].filter_overrides.retry".
// A field name may be a key the file got wrong, so it is quoted as config
// text is (config/config_text.h): escaped and cut short.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "config/config_text.h"

namespace switchyard::config {

inline std::string fieldPath(const std::string& parent, std::string_view field) {
  return parent.empty() ? excerpt(field) : parent + "." + excerpt(field);
}

inline std::string indexPath(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

// Map keys are free text: a plain name reads as a field, anything else is
// bracketed and quoted so the path stays unambiguous.
inline std::string mapKeyPath(const std::string& parent, const std::string& key) {
  bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  return plain ? parent + "." + excerpt(key) : parent + "[" + quotedExcerpt(key) + "]";
}

}  // namespace switchyard::config
