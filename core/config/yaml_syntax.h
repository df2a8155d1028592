// A YAML syntax check by libyaml, the reference C parser, run before
// yaml-cpp sees a config.
//
// Why two parsers: the yaml-cpp in Debian 12 (0.7) loops forever on some
// invalid documents — a stray flow indicator such as " a:\n," never returns
// (yaml-cpp issue 1040, fixed upstream only in 0.8) — and a config loader
// must answer every input, hostile ones included, in milliseconds. libyaml
// reads the same text as events, never builds a tree, and reports a syntax
// error with its position; only text it accepts goes on to yaml-cpp.
#pragma once

#include <optional>
#include <string_view>

#include "config/config_text.h"

namespace switchyard::config {

// The first syntax error in `yaml_text`, or nullopt when it parses.
std::optional<TextError> yamlSyntaxError(std::string_view yaml_text);

}  // namespace switchyard::config
