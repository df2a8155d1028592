#include "config/schema_checker.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string_view>

#include "config/config_text.h"
#include "config/field_path.h"

namespace switchyard::config {

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::OneofDescriptor;
using google::protobuf::Value;

std::string formatNumber(double number) {
  char text[32];
  auto [end, error] = std::to_chars(text, text + sizeof text, number);
  return error == std::errc() ? std::string(text, end) : std::to_string(number);
}

// How a JSON value reads in a message: "got <this>".
std::string describeValue(const Value& value) {
  switch (value.kind_case()) {
    case Value::kNullValue:
      return "null";
    case Value::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case Value::kNumberValue:
      return "number " + formatNumber(value.number_value());
    case Value::kStringValue:
      return "string " + quotedExcerpt(value.string_value());
    case Value::kStructValue:
      return "a mapping";
    case Value::kListValue:
      return "a list";
    case Value::KIND_NOT_SET:
      break;
  }
  return "nothing";
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

std::string unknownFieldProblem(std::string_view key, const Descriptor& message_type) {
  constexpr size_t kMaxTypoDistance = 2;
  const FieldDescriptor* closest = nullptr;
  size_t closest_distance = kMaxTypoDistance + 1;
  std::string valid_fields;
  for (int i = 0; i < message_type.field_count(); ++i) {
    const FieldDescriptor* field = message_type.field(i);
    // Lengths this far apart cannot be a typo, and skipping them keeps a
    // megabyte-long key from costing a megabyte-sized distance table.
    size_t length_gap =
        std::max(key.size(), field->name().size()) - std::min(key.size(), field->name().size());
    size_t distance = length_gap > kMaxTypoDistance ? length_gap : editDistance(key, field->name());
    if (distance < closest_distance) {
      closest = field;
      closest_distance = distance;
    }
    valid_fields += (i == 0 ? "" : ", ") + field->name();
  }
  if (closest != nullptr) return "unknown field, did you mean " + quotedExcerpt(closest->name()) + "?";
  return "unknown field (valid fields: " + valid_fields + ")";
}

const FieldDescriptor* findField(const Descriptor& message_type, std::string_view key) {
  // protobuf's JSON parser accepts the proto name and the lowerCamelCase
  // JSON name alike.
  for (int i = 0; i < message_type.field_count(); ++i) {
    const FieldDescriptor* field = message_type.field(i);
    if (field->name() == key || field->json_name() == key) return field;
  }
  return nullptr;
}

bool isWholeNumber(double number) { return std::isfinite(number) && std::trunc(number) == number; }

// The JSON mapping allows an integer as a number or as a decimal string.
template <typename Integer>
bool fitsInteger(const Value& value) {
  constexpr double kMin = static_cast<double>(std::numeric_limits<Integer>::min());
  // 2^bits (or 2^(bits-1)) is exact as a double; max() itself may round up.
  constexpr double kEnd = static_cast<double>(std::numeric_limits<Integer>::max() / 2 + 1) * 2.0;
  if (value.kind_case() == Value::kNumberValue) {
    double number = value.number_value();
    return isWholeNumber(number) && number >= kMin && number < kEnd;
  }
  if (value.kind_case() == Value::kStringValue) {
    const std::string& text = value.string_value();
    Integer parsed{};
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    return !text.empty() && error == std::errc() && end == text.data() + text.size();
  }
  return false;
}

template <typename Integer>
std::string integerRange() {
  return "an integer from " + std::to_string(std::numeric_limits<Integer>::min()) + " to " +
         std::to_string(std::numeric_limits<Integer>::max());
}

bool isFloatingPoint(const Value& value, double max_magnitude) {
  if (value.kind_case() == Value::kNumberValue) return std::fabs(value.number_value()) <= max_magnitude;
  if (value.kind_case() != Value::kStringValue) return false;
  const std::string& text = value.string_value();
  if (text == "NaN" || text == "Infinity" || text == "-Infinity") return true;
  double parsed = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  return !text.empty() && error == std::errc() && end == text.data() + text.size() &&
         std::fabs(parsed) <= max_magnitude;
}

// The JSON form of google.protobuf.Duration: -?SECONDS(.FRACTION)?s with
// at most nine fraction digits, within ±10000 years.
bool isDuration(const std::string& text) {
  std::string_view rest = text;
  if (rest.size() < 2 || rest.back() != 's') return false;
  rest.remove_suffix(1);
  if (rest.front() == '-') rest.remove_prefix(1);
  std::string_view seconds = rest.substr(0, rest.find('.'));
  std::string_view fraction = seconds.size() == rest.size() ? "" : rest.substr(seconds.size() + 1);
  auto digitsOnly = [](std::string_view digits) {
    return std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (seconds.empty() || !digitsOnly(seconds) || !digitsOnly(fraction) || fraction.size() > 9) return false;
  if (seconds.size() != rest.size() && fraction.empty()) return false;
  int64_t whole_seconds = 0;
  auto [end, error] = std::from_chars(seconds.data(), seconds.data() + seconds.size(), whole_seconds);
  return error == std::errc() && whole_seconds <= google::protobuf::util::TimeUtil::kDurationMaxSeconds;
}

std::string enumValueNames(const google::protobuf::EnumDescriptor& type) {
  std::string names;
  for (int i = 0; i < type.value_count(); ++i) names += (i == 0 ? "" : ", ") + type.value(i)->name();
  return names;
}

class SchemaChecker {
 public:
  std::vector<std::string> takeErrors() { return std::move(errors_); }

  void checkMessage(const Value& value, const Descriptor& message_type, const std::string& path) {
    const std::string& full_name = message_type.full_name();
    if (full_name == "google.protobuf.Value") return;  // any JSON value
    if (full_name == "google.protobuf.Struct") {
      expectKind(value, Value::kStructValue, "a mapping", path);
      return;
    }
    if (full_name == "google.protobuf.ListValue") {
      expectKind(value, Value::kListValue, "a list", path);
      return;
    }
    if (full_name == "google.protobuf.Duration") {
      if (value.kind_case() != Value::kStringValue || !isDuration(value.string_value())) {
        fail(path, "expected a duration in seconds such as \"0.25s\" or \"3s\", got " + describeValue(value));
      }
      return;
    }
    if (message_type.file()->package() == "google.protobuf") return;  // other well-known types
    if (!expectKind(value, Value::kStructValue, "a mapping", path)) return;

    std::map<const FieldDescriptor*, std::string> keys_seen;
    std::map<const OneofDescriptor*, std::string> oneof_members_seen;
    for (const auto& [key, field_value] : inFieldOrder(value.struct_value(), message_type)) {
      std::string field_path = fieldPath(path, key);
      const FieldDescriptor* field = findField(message_type, key);
      if (field == nullptr) {
        fail(field_path, unknownFieldProblem(key, message_type));
        continue;
      }
      auto [previous, first_time] = keys_seen.emplace(field, key);
      if (!first_time) {
        fail(field_path, "sets the same field as " + previous->second);
        continue;
      }
      if (field_value->kind_case() == Value::kNullValue) continue;  // null reads as "not set"
      if (const OneofDescriptor* oneof = field->real_containing_oneof()) {
        auto [other, first_member] = oneof_members_seen.emplace(oneof, key);
        if (!first_member) {
          fail(field_path, "cannot be set together with " + other->second + " (only one of " +
                               oneofMemberNames(*oneof) + ")");
          continue;
        }
      }
      checkField(*field_value, *field, field_path);
    }
  }

 private:
  // protobuf's Struct is a hash map and has lost the file's order; fields
  // in declaration order (unknown keys last, by name) read close to it and
  // keep the output stable.
  static std::vector<std::pair<std::string, const Value*>> inFieldOrder(
      const google::protobuf::Struct& object, const Descriptor& message_type) {
    std::vector<std::pair<std::string, const Value*>> entries;
    for (const auto& [key, value] : object.fields()) entries.emplace_back(key, &value);
    auto rank = [&](const std::string& key) {
      const FieldDescriptor* field = findField(message_type, key);
      return std::make_pair(field != nullptr ? field->index() : message_type.field_count(), key);
    };
    std::sort(entries.begin(), entries.end(),
              [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
    return entries;
  }

  static std::vector<std::pair<std::string, const Value*>> sortedByKey(
      const google::protobuf::Struct& object) {
    std::vector<std::pair<std::string, const Value*>> entries;
    for (const auto& [key, value] : object.fields()) entries.emplace_back(key, &value);
    std::sort(entries.begin(), entries.end());
    return entries;
  }

  static std::string oneofMemberNames(const OneofDescriptor& oneof) {
    std::string names;
    for (int i = 0; i < oneof.field_count(); ++i) names += (i == 0 ? "" : ", ") + oneof.field(i)->name();
    return names;
  }

  void checkField(const Value& value, const FieldDescriptor& field, const std::string& path) {
    if (field.is_map()) {
      if (!expectKind(value, Value::kStructValue, "a mapping", path)) return;
      const FieldDescriptor& map_value = *field.message_type()->map_value();
      for (const auto& [key, entry] : sortedByKey(value.struct_value())) {
        if (entry->kind_case() == Value::kNullValue) continue;
        checkSingular(*entry, map_value, mapKeyPath(path, key));
      }
      return;
    }
    if (field.is_repeated()) {
      if (!expectKind(value, Value::kListValue, "a list", path)) return;
      const auto& items = value.list_value().values();
      for (int i = 0; i < items.size(); ++i) {
        std::string item_path = indexPath(path, size_t(i));
        if (items[i].kind_case() == Value::kNullValue) {
          fail(item_path, "empty list item");
          continue;
        }
        checkSingular(items[i], field, item_path);
      }
      return;
    }
    checkSingular(value, field, path);
  }

  void checkSingular(const Value& value, const FieldDescriptor& field, const std::string& path) {
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        checkMessage(value, *field.message_type(), path);
        return;
      case FieldDescriptor::CPPTYPE_STRING:
        expectKind(value, Value::kStringValue, "a string", path);
        return;
      case FieldDescriptor::CPPTYPE_BOOL:
        expectKind(value, Value::kBoolValue, "true or false", path);
        return;
      case FieldDescriptor::CPPTYPE_INT32:
        expectInteger<int32_t>(value, path);
        return;
      case FieldDescriptor::CPPTYPE_UINT32:
        expectInteger<uint32_t>(value, path);
        return;
      case FieldDescriptor::CPPTYPE_INT64:
        expectInteger<int64_t>(value, path);
        return;
      case FieldDescriptor::CPPTYPE_UINT64:
        expectInteger<uint64_t>(value, path);
        return;
      case FieldDescriptor::CPPTYPE_FLOAT:
        if (!isFloatingPoint(value, FLT_MAX)) fail(path, "expected a number, got " + describeValue(value));
        return;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        if (!isFloatingPoint(value, DBL_MAX)) fail(path, "expected a number, got " + describeValue(value));
        return;
      case FieldDescriptor::CPPTYPE_ENUM:
        checkEnum(value, *field.enum_type(), path);
        return;
    }
  }

  void checkEnum(const Value& value, const google::protobuf::EnumDescriptor& type, const std::string& path) {
    bool known = false;
    if (value.kind_case() == Value::kStringValue) {
      known = type.FindValueByName(value.string_value()) != nullptr;
    } else if (value.kind_case() == Value::kNumberValue && fitsInteger<int32_t>(value)) {
      known = type.FindValueByNumber(static_cast<int>(value.number_value())) != nullptr;
    }
    if (!known) fail(path, "expected one of " + enumValueNames(type) + ", got " + describeValue(value));
  }

  template <typename Integer>
  void expectInteger(const Value& value, const std::string& path) {
    if (!fitsInteger<Integer>(value)) {
      fail(path, "expected " + integerRange<Integer>() + ", got " + describeValue(value));
    }
  }

  bool expectKind(const Value& value, Value::KindCase kind, std::string_view expected,
                  const std::string& path) {
    if (value.kind_case() == kind) return true;
    fail(path, "expected " + std::string(expected) + ", got " + describeValue(value));
    return false;
  }

  void fail(const std::string& path, const std::string& problem) {
    errors_.push_back((path.empty() ? "top level" : path) + ": " + problem);
  }

  std::vector<std::string> errors_;
};

}  // namespace

std::vector<std::string> checkJsonAgainstSchema(const Value& document, const Descriptor& message_type) {
  SchemaChecker checker;
  checker.checkMessage(document, message_type, "");
  return checker.takeErrors();
}

}  // namespace switchyard::config
