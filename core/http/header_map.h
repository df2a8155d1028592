// HeaderMap: an ordered multimap of HTTP header fields with
// case-insensitive names, as seen by the codec, the router and filters.
//
// Requests carry the pseudo-headers ":method", ":path", ":authority" and
// ":scheme" first; responses carry ":status". The codec turns these back
// into the request or status line, so filters and the router see one shape.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::http {

bool equalsIgnoreCase(std::string_view a, std::string_view b);

struct HeaderField {
  std::string name;  // stored as received; compared case-insensitively
  std::string value;
};

class HeaderMap {
 public:
  // First value of `name`, if any.
  std::optional<std::string_view> get(std::string_view name) const;
  // The `index`-th value of `name` (0-based), if any.
  std::optional<std::string_view> get(std::string_view name, size_t index) const;
  size_t countOf(std::string_view name) const;

  // Replace every value of `name` with one value (keeps the first position).
  void set(std::string_view name, std::string_view value);
  void add(std::string_view name, std::string_view value);
  // Returns the number of fields removed.
  size_t remove(std::string_view name);

  const std::vector<HeaderField>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  void clear() { fields_.clear(); }

 private:
  std::vector<HeaderField> fields_;
};

}  // namespace switchyard::http
