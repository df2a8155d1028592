// The effective config as the admin API shows it (GET /config_dump): the
// loaded Bootstrap printed with protobuf's JSON printer (proto field names,
// defaults left out as in the file), with secrets redacted.
//
// The redaction rule, applied at every depth, filter configs included:
//  - a value whose key looks secret is replaced by "[redacted]";
//  - in an object whose "name" (or "header_name") looks secret, the
//    "value", "exact" and "prefix" strings are replaced, so that a header
//    given as {name: authorization, value: ...} or matched as
//    {name: x-api-key, exact: ...} does not show its value.
// A name looks secret when it contains, in any case, "authorization",
// "key", "secret", "password", "passwd", "token", "credential" or
// "cookie_value". Numbers, booleans and null are left as they are.
#pragma once

#include <string>
#include <string_view>

#include "config.pb.h"

namespace switchyard::config {

bool looksSecret(std::string_view name);

// Pretty-printed JSON, one object.
std::string redactedConfigJson(const Bootstrap& bootstrap);

}  // namespace switchyard::config
