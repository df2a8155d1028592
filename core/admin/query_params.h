// The parameters of an admin request's query string ("a=1&b=%2F&c="):
// split on '&' and the first '=', '+' and %XX decoded. Order is kept; a
// parameter without '=' has an empty value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::admin {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Null when a %XX escape is malformed.
std::optional<QueryParams> parseQuery(std::string_view query);

}  // namespace switchyard::admin
