#include "config/yaml_syntax.h"

#include <yaml.h>

#include <string>

#include "config/config_limits.h"
#include "config/config_text.h"

namespace switchyard::config {

namespace {

// libyaml's words for a problem, or plainer ones where they help.
std::string describeProblem(const yaml_parser_t& parser, std::string_view yaml_text) {
  std::string problem = parser.problem != nullptr ? parser.problem : "invalid YAML";
  if (problem == "found unknown escape character") {
    size_t at = parser.problem_mark.index;
    if (at < yaml_text.size() && yaml_text[at] == '\\') ++at;
    if (at < yaml_text.size()) {
      std::string message = "\\";
      message += excerpt(yaml_text.substr(at, 1));
      message += " is not an escape sequence of a double-quoted YAML string";
      return message;
    }
  }
  if (parser.context != nullptr) problem += std::string(" ") + parser.context;
  return problem;
}

}  // namespace

std::optional<TextError> yamlSyntaxError(std::string_view yaml_text) {
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) return TextError{0, 0, "out of memory while parsing YAML"};
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(yaml_text.data()), yaml_text.size());
  std::optional<TextError> error;
  // libyaml's own cost grows with the square of the nesting depth (100,000
  // levels take seconds), so the depth limit is checked here, as the events
  // arrive, before libyaml gets far; yaml_to_json's pass adds what aliases
  // nest on top.
  int depth = 0;
  for (;;) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser, &event) == 0) {
      // libyaml's marks are 0-based.
      error = TextError{int(parser.problem_mark.line) + 1, int(parser.problem_mark.column) + 1,
                        describeProblem(parser, yaml_text)};
      break;
    }
    bool done = event.type == YAML_STREAM_END_EVENT;
    // A config is a mapping of sections; a document that is one value is
    // refused here, because yaml-cpp 0.7 also never returns on some of them
    // (a tagged plain scalar whose next line starts with ',', found by the
    // config fuzzer).
    bool empty_document = event.type == YAML_SCALAR_EVENT && event.data.scalar.length == 0 &&
                          event.data.scalar.tag == nullptr;  // "---" alone: no content, a null
    if (depth == 0 && !empty_document && (event.type == YAML_SCALAR_EVENT || event.type == YAML_ALIAS_EVENT)) {
      error = TextError{int(event.start_mark.line) + 1, int(event.start_mark.column) + 1,
                        "a config is a mapping of sections (listeners:, clusters:, admin:), not a single value"};
      done = true;
    }
    if (event.type == YAML_SEQUENCE_START_EVENT || event.type == YAML_MAPPING_START_EVENT) {
      if (++depth > kMaxNestingDepth) {
        error = TextError{int(event.start_mark.line) + 1, int(event.start_mark.column) + 1, nestingTooDeepMessage()};
        done = true;
      }
    } else if (event.type == YAML_SEQUENCE_END_EVENT || event.type == YAML_MAPPING_END_EVENT) {
      --depth;
    }
    yaml_event_delete(&event);
    if (done) break;
  }
  yaml_parser_delete(&parser);
  return error;
}

}  // namespace switchyard::config
