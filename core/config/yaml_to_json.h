// YAML → JSON conversion for config files.
//
// YAML configs are turned into JSON text and then read by protobuf's JSON
// parser, so YAML and JSON files share one schema and one set of errors.
// Plain (unquoted) scalars are typed by the YAML 1.2 core schema: `123`,
// `0x1F`, `1.5`, `true`, `null` and `~` become JSON numbers, booleans and
// null; quoted and block scalars always stay strings. YAML 1.1 spellings
// such as `yes`/`on` are strings, so a country code `NO` never turns into
// false.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config_text.h"

namespace switchyard::config {

struct YamlToJsonResult {
  std::string json;  // compact JSON; "null" for a document with no content
  std::optional<TextError> error;
  bool ok() const { return !error.has_value(); }
};

// Converts a single-document YAML text. Rejected with a position: syntax
// errors, more than one document, duplicate or non-scalar mapping keys,
// tags other than the core schema's, values a tag does not allow,
// infinities or NaN (JSON has no spelling for them), an alias inside the
// node it names, and (before any node is built) nesting deeper than
// kMaxNestingDepth or aliases adding more than kMaxAliasExpansionBytes
// (config/config_limits.h).
YamlToJsonResult yamlToJson(std::string_view yaml_text);

}  // namespace switchyard::config
