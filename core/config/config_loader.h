// Loading a switchyard config file into a validated Bootstrap.
//
// YAML is converted to JSON (config/yaml_to_json.h), the JSON is checked
// against the schema in proto/config.proto (config/schema_checker.h) and
// parsed with protobuf's JSON parser, and the result goes through the
// semantic rules (config/config_validator.h). Every problem found is
// reported, each naming the file and the field:
//   demo.yaml: listeners[0].filters[1].nmae: unknown field, did you mean "name"?
//   demo.yaml:7:12: mapping values are not allowed in this context   (YAML syntax)
#pragma once

#include <google/protobuf/struct.pb.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config.pb.h"

namespace switchyard::config {

enum class ConfigFormat {
  kAuto,  // by the name's extension: ".json" (any case) is JSON, anything else YAML
  kYaml,
  kJson,
};

struct LoadedConfig {
  // Immutable, so it can be shared by every worker; null when errors is
  // non-empty.
  std::shared_ptr<const Bootstrap> bootstrap;
  // Every problem found, each "FILE: FIELD.PATH: problem" (or
  // "FILE:LINE:COLUMN: problem" for YAML syntax errors).
  std::vector<std::string> errors;
  bool ok() const { return errors.empty(); }
};

// Reads and validates the file at `path`; `path` is the FILE in messages.
LoadedConfig loadConfigFile(const std::string& path, ConfigFormat format = ConfigFormat::kAuto);

// Validates config text that did not come from a file (or was read
// already); `source_name` stands for FILE in messages and, with kAuto,
// picks the format by its extension.
LoadedConfig loadConfigText(std::string_view text, std::string_view source_name, ConfigFormat format);

// The JSON text of a filter's config, as handed to its module: "{}" for an
// empty or absent Struct.
std::string structToJson(const google::protobuf::Struct& config);

}  // namespace switchyard::config
