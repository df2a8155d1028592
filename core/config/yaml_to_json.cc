#include "config/yaml_to_json.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "config/config_limits.h"
#include "config/yaml_syntax.h"

namespace switchyard::config {

namespace {

constexpr std::string_view kStrTag = "tag:yaml.org,2002:str";
constexpr std::string_view kIntTag = "tag:yaml.org,2002:int";
constexpr std::string_view kFloatTag = "tag:yaml.org,2002:float";
constexpr std::string_view kBoolTag = "tag:yaml.org,2002:bool";
constexpr std::string_view kNullTag = "tag:yaml.org,2002:null";
constexpr std::string_view kMapTag = "tag:yaml.org,2002:map";
constexpr std::string_view kSeqTag = "tag:yaml.org,2002:seq";
// yaml-cpp's tag for an untagged plain scalar or collection ("resolve me").
constexpr std::string_view kPlainTag = "?";
// yaml-cpp's tag for an untagged quoted or block scalar (always a string).
constexpr std::string_view kNonPlainTag = "!";

// Thrown inside the converter only; yamlToJson turns it into a TextError.
struct ConversionError {
  YAML::Mark mark;
  std::string message;
};

enum class ScalarKind { kNull, kBool, kInt, kFloat, kNonFinite, kString };

// A scalar's meaning under the YAML 1.2 core schema and, unless it is a
// string or a non-finite float, its JSON spelling.
struct ResolvedScalar {
  ScalarKind kind = ScalarKind::kString;
  std::string json;
};

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool allOf(std::string_view text, bool (*predicate)(char)) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!predicate(c)) return false;
  }
  return true;
}

// JSON forbids leading zeros, so "007" is spelled "7" (and "000" is "0").
std::string_view withoutLeadingZeros(std::string_view digits) {
  size_t first_significant = digits.find_first_not_of('0');
  if (first_significant == std::string_view::npos) {
    return digits.empty() ? digits : digits.substr(digits.size() - 1);
  }
  return digits.substr(first_significant);
}

// "0x1F" / "0o17" → decimal text, or nullopt when the text is not in that
// form. Throws when the value does not fit in 64 bits.
std::optional<std::string> radixIntegerToDecimal(std::string_view text, const YAML::Mark& mark) {
  if (text.size() < 3 || text[0] != '0') return std::nullopt;
  int base = 0;
  if (text[1] == 'x') base = 16;
  if (text[1] == 'o') base = 8;
  if (base == 0) return std::nullopt;
  std::string_view digits = text.substr(2);
  uint64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (end != digits.data() + digits.size()) return std::nullopt;
  if (error == std::errc::result_out_of_range) {
    throw ConversionError{mark, "integer " + excerpt(text) + " does not fit in 64 bits"};
  }
  if (error != std::errc()) return std::nullopt;
  return std::to_string(value);
}

// [-+]?[0-9]+ → JSON integer text.
std::optional<std::string> decimalIntegerToJson(std::string_view text) {
  std::string sign;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    if (text[0] == '-') sign = "-";
    text.remove_prefix(1);
  }
  if (!allOf(text, isDigit)) return std::nullopt;
  return sign + std::string(withoutLeadingZeros(text));
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? → JSON number text,
// rewritten textually so no precision is lost (".5" → "0.5", "1." → "1").
std::optional<std::string> decimalFloatToJson(std::string_view text) {
  std::string json;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    if (text[0] == '-') json = "-";
    text.remove_prefix(1);
  }
  size_t exponent_at = text.find_first_of("eE");
  std::string_view mantissa = text.substr(0, exponent_at);
  std::string_view exponent = exponent_at == std::string_view::npos ? "" : text.substr(exponent_at);

  size_t dot_at = mantissa.find('.');
  std::string_view integer_part = mantissa.substr(0, dot_at);
  std::string_view fraction = dot_at == std::string_view::npos ? "" : mantissa.substr(dot_at + 1);
  if (integer_part.empty() && fraction.empty()) return std::nullopt;
  if (!integer_part.empty() && !allOf(integer_part, isDigit)) return std::nullopt;
  if (!fraction.empty() && !allOf(fraction, isDigit)) return std::nullopt;
  if (!exponent.empty()) {
    std::string_view exponent_digits = exponent.substr(1);
    if (!exponent_digits.empty() && (exponent_digits[0] == '-' || exponent_digits[0] == '+')) {
      exponent_digits.remove_prefix(1);
    }
    if (!allOf(exponent_digits, isDigit)) return std::nullopt;
  }

  json += integer_part.empty() ? "0" : std::string(withoutLeadingZeros(integer_part));
  if (!fraction.empty()) json.append(1, '.').append(fraction);
  json += exponent;
  return json;
}

bool isNonFiniteFloat(std::string_view text) {
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  return text == ".inf" || text == ".Inf" || text == ".INF" || text == ".nan" || text == ".NaN" ||
         text == ".NAN";
}

ResolvedScalar resolveCoreSchema(std::string_view text, const YAML::Mark& mark) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return {ScalarKind::kNull, "null"};
  }
  if (text == "true" || text == "True" || text == "TRUE") return {ScalarKind::kBool, "true"};
  if (text == "false" || text == "False" || text == "FALSE") return {ScalarKind::kBool, "false"};
  if (auto json = decimalIntegerToJson(text)) return {ScalarKind::kInt, *json};
  if (auto json = radixIntegerToDecimal(text, mark)) return {ScalarKind::kInt, *json};
  if (auto json = decimalFloatToJson(text)) return {ScalarKind::kFloat, *json};
  if (isNonFiniteFloat(text)) return {ScalarKind::kNonFinite, ""};
  return {ScalarKind::kString, ""};
}

void appendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string displayTag(const std::string& tag) {
  constexpr std::string_view kCorePrefix = "tag:yaml.org,2002:";
  if (tag.rfind(kCorePrefix, 0) == 0) return "!!" + excerpt(tag.substr(kCorePrefix.size()));
  return excerpt(tag);
}

// Whether an explicit core schema tag (!!null, !!bool, !!int, !!float)
// accepts a scalar of `kind`; any other tag is unsupported.
bool coreTagAccepts(const std::string& tag, ScalarKind kind, const YAML::Mark& mark) {
  if (tag == kNullTag) return kind == ScalarKind::kNull;
  if (tag == kBoolTag) return kind == ScalarKind::kBool;
  if (tag == kIntTag) return kind == ScalarKind::kInt;
  if (tag == kFloatTag) return kind == ScalarKind::kInt || kind == ScalarKind::kFloat;
  throw ConversionError{mark, "unsupported tag " + displayTag(tag)};
}

void appendScalar(std::string& out, const YAML::Node& node) {
  const std::string& text = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag == kNonPlainTag || tag == kStrTag) {
    appendJsonString(out, text);
    return;
  }
  ResolvedScalar resolved = resolveCoreSchema(text, node.Mark());
  if (resolved.kind == ScalarKind::kNonFinite) {
    throw ConversionError{node.Mark(), quotedExcerpt(text) + " has no JSON representation (infinity or NaN)"};
  }
  if (tag == kPlainTag) {
    if (resolved.kind == ScalarKind::kString) {
      appendJsonString(out, text);
    } else {
      out += resolved.json;
    }
    return;
  }

  if (!coreTagAccepts(tag, resolved.kind, node.Mark())) {
    throw ConversionError{node.Mark(), quotedExcerpt(text) + " is not a valid " + displayTag(tag) + " value"};
  }
  out += resolved.json;
}

void checkCollectionTag(const YAML::Node& node, std::string_view core_tag) {
  const std::string& tag = node.Tag();
  if (tag.empty() || tag == kPlainTag || tag == kNonPlainTag || tag == core_tag) return;
  throw ConversionError{node.Mark(), "unsupported tag " + displayTag(tag)};
}

void appendNode(std::string& out, const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out += "null";
      return;
    case YAML::NodeType::Scalar:
      appendScalar(out, node);
      return;
    case YAML::NodeType::Sequence: {
      checkCollectionTag(node, kSeqTag);
      out += '[';
      bool first = true;
      for (const YAML::Node& item : node) {
        if (!first) out += ',';
        first = false;
        appendNode(out, item);
      }
      out += ']';
      return;
    }
    case YAML::NodeType::Map: {
      checkCollectionTag(node, kMapTag);
      // yaml-cpp keeps every pair of a repeated key; JSON readers would
      // silently keep one, so a repeated key is an error here.
      std::set<std::string> seen_keys;
      out += '{';
      bool first = true;
      for (const auto& pair : node) {
        const YAML::Node& key = pair.first;
        if (!key.IsScalar()) throw ConversionError{key.Mark(), "mapping keys must be scalars"};
        if (!seen_keys.insert(key.Scalar()).second) {
          throw ConversionError{key.Mark(), "duplicate key " + quotedExcerpt(key.Scalar())};
        }
        if (!first) out += ',';
        first = false;
        appendJsonString(out, key.Scalar());
        out += ':';
        appendNode(out, pair.second);
      }
      out += '}';
      return;
    }
  }
}

TextError errorAt(const YAML::Mark& mark, std::string message) {
  // yaml-cpp marks are 0-based, and -1 when the position is unknown.
  return TextError{mark.line + 1, mark.column + 1, std::move(message)};
}

// yaml-cpp's words, where they fall short: it names the character after a
// backslash as a raw byte, and says nothing about where escapes belong.
std::string describeParserError(const std::string& message) {
  constexpr std::string_view kUnknownEscape = "unknown escape character: ";
  if (message.rfind(kUnknownEscape, 0) == 0) {
    return "\\" + excerpt(std::string_view(message).substr(kUnknownEscape.size())) +
           " is not an escape sequence of a double-quoted YAML string";
  }
  return excerpt(message);
}

// Runs before any node is built and refuses what would make building or
// converting the nodes blow up: nesting deeper than kMaxNestingDepth, an
// alias inside the node it names (a cycle the converter would follow
// forever), and aliases that add more than kMaxAliasExpansionBytes. Aliases
// are measured, never expanded: each anchored node's size and height are
// recorded when it ends, and an alias adds them where it stands.
class ExpansionLimiter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {
    anchored_.clear();  // anchors do not reach across documents
    alias_expansion_bytes_ = 0;
    expanded_bytes_ = 0;
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { addLeaf(mark, anchor, 0); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    addLeaf(mark, anchor, value.size());
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto target = anchored_.find(anchor);
    if (target == anchored_.end()) {
      throw ConversionError{mark, "alias inside the node it refers to (a cycle)"};
    }
    alias_expansion_bytes_ += target->second.expanded_bytes;
    if (alias_expansion_bytes_ > kMaxAliasExpansionBytes) {
      throw ConversionError{mark, "aliases expand to more than " + std::to_string(kMaxAliasExpansionBytes) +
                                      " bytes (the limit on what aliases may add to a document)"};
    }
    add(mark, target->second);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Extent {
    size_t expanded_bytes = 0;
    int height = 0;  // levels of collections, 0 for a scalar
  };
  struct OpenCollection {
    YAML::anchor_t anchor;
    size_t expanded_bytes_before;
    int tallest_child = 0;
  };

  static int depth(const std::vector<OpenCollection>& open) { return static_cast<int>(open.size()); }

  void add(const YAML::Mark& mark, const Extent& node) {
    if (depth(open_) + node.height > kMaxNestingDepth) throw ConversionError{mark, nestingTooDeepMessage()};
    expanded_bytes_ += node.expanded_bytes;
    if (!open_.empty()) open_.back().tallest_child = std::max(open_.back().tallest_child, node.height);
  }

  void addLeaf(const YAML::Mark& mark, YAML::anchor_t anchor, size_t scalar_bytes) {
    Extent leaf{scalar_bytes + 1, 0};
    add(mark, leaf);
    if (anchor != YAML::NullAnchor) anchored_[anchor] = leaf;
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    add(mark, Extent{1, 1});
    open_.push_back(OpenCollection{anchor, expanded_bytes_ - 1});
  }

  void close() {
    OpenCollection done = open_.back();
    open_.pop_back();
    if (!open_.empty()) {
      open_.back().tallest_child = std::max(open_.back().tallest_child, done.tallest_child + 1);
    }
    if (done.anchor != YAML::NullAnchor) {
      anchored_[done.anchor] = Extent{expanded_bytes_ - done.expanded_bytes_before, done.tallest_child + 1};
    }
  }

  std::vector<OpenCollection> open_;
  std::map<YAML::anchor_t, Extent> anchored_;
  // The document's size so far with aliases expanded, which measures each
  // anchored node; and how much of it aliases added.
  size_t expanded_bytes_ = 0;
  size_t alias_expansion_bytes_ = 0;
};

void checkExpansionLimits(const std::string& yaml_text) {
  std::istringstream stream(yaml_text);
  YAML::Parser parser(stream);
  ExpansionLimiter limiter;
  while (parser.HandleNextDocument(limiter)) {
  }
}

}  // namespace

YamlToJsonResult yamlToJson(std::string_view yaml_text) {
  YamlToJsonResult result;
  // yaml-cpp never returns on some invalid documents (yaml_syntax.h).
  if (auto syntax_error = yamlSyntaxError(yaml_text)) {
    result.error = std::move(syntax_error);
    return result;
  }
  try {
    const std::string text(yaml_text);
    checkExpansionLimits(text);
    std::vector<YAML::Node> documents = YAML::LoadAll(text);
    if (documents.size() > 1) {
      result.error = errorAt(documents[1].Mark(),
                             "expected one YAML document, found " + std::to_string(documents.size()));
      return result;
    }
    if (documents.empty()) {
      result.json = "null";
      return result;
    }
    appendNode(result.json, documents[0]);
  } catch (const YAML::Exception& e) {
    result.json.clear();
    result.error = errorAt(e.mark, describeParserError(e.msg));
  } catch (const ConversionError& e) {
    result.json.clear();
    result.error = errorAt(e.mark, e.message);
  }
  return result;
}

}  // namespace switchyard::config
