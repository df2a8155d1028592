#include "module/config_access.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>

#include "config/field_path.h"

namespace switchyard::module {

namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// A double holds every integer up to 2^53 exactly; beyond, "an integer"
// would be a guess about what the file meant.
constexpr double kLargestExactInteger = 9007199254740992.0;

// A quoted string in a message is cut to this many bytes.
constexpr size_t kQuotedStringMax = 64;

std::string_view view(sy_slice slice) {
  return slice.ptr == nullptr ? std::string_view() : std::string_view(slice.ptr, slice.len);
}

std::string numberText(double number) {
  char text[32];
  auto [end, error] = std::to_chars(text, text + sizeof text, number);
  return error == std::errc() ? std::string(text, end) : std::string("a number");
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text.substr(0, kQuotedStringMax)) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned char>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  if (text.size() > kQuotedStringMax) out += "...";
  return out + "\"";
}

// What a message says a value was: scalars by value, containers by kind.
std::string describe(const Value& value) {
  switch (value.kind_case()) {
    case Value::kNumberValue: return numberText(value.number_value());
    case Value::kStringValue: return quoted(value.string_value());
    case Value::kBoolValue: return value.bool_value() ? "true" : "false";
    case Value::kStructValue: return "object";
    case Value::kListValue: return "array";
    default: return "null";
  }
}

// The number rule of filter.h: finite, no fractional part, exact in a
// double.
std::optional<int64_t> integerOf(const Value& value) {
  if (value.kind_case() != Value::kNumberValue) return std::nullopt;
  double number = value.number_value();
  if (!std::isfinite(number) || std::trunc(number) != number || std::fabs(number) > kLargestExactInteger) {
    return std::nullopt;
  }
  return static_cast<int64_t>(number);
}

// "300ms", "1.5s", "0s": whole milliseconds, or nullopt for anything else
// (another unit, a sign, an exponent, a fraction of a millisecond, a value
// too large to be meant).
std::optional<uint64_t> durationStringMs(std::string_view text) {
  uint64_t unit_ms;
  if (text.ends_with("ms")) {
    unit_ms = 1;
    text.remove_suffix(2);
  } else if (text.ends_with("s")) {
    unit_ms = 1000;
    text.remove_suffix(1);
  } else {
    return std::nullopt;
  }
  std::string_view whole = text.substr(0, text.find('.'));
  std::string_view fraction = whole.size() < text.size() ? text.substr(whole.size() + 1) : std::string_view();
  auto all_digits = [](std::string_view digits) {
    return std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if ((whole.empty() && fraction.empty()) || !all_digits(whole) || !all_digits(fraction)) return std::nullopt;
  // Past 15 digits of whole units the value is no sane duration, and the
  // arithmetic below stays far from overflowing.
  if (whole.size() > 15) return std::nullopt;
  uint64_t ms = 0;
  for (char c : whole) ms = ms * 10 + uint64_t(c - '0');
  ms *= unit_ms;
  // The fraction's digits, scaled to milliseconds: only as many as the unit
  // has below it (3 for seconds, none for ms) may be nonzero.
  uint64_t scale = unit_ms;
  for (char c : fraction) {
    scale /= 10;
    if (scale == 0) {
      if (c != '0') return std::nullopt;
      continue;
    }
    ms += uint64_t(c - '0') * scale;
  }
  return ms;
}

ConfigAccess* accessOf(sy_config_context* context) { return context == nullptr ? nullptr : context->config; }

// The wrong-kind or out-of-bounds error of a typed read.
sy_result reject(sy_config_context* context, const sy_config_value* value, const std::string& expected) {
  context->config->recordError(value, "expected " + expected + ", got " + describe(*value->value));
  return SY_ERR_INVALID_ARGUMENT;
}

// Checks shared by every typed read: SY_OK when the read may go on.
sy_result readable(sy_config_context* context, const sy_config_value* value, const void* out) {
  if (accessOf(context) == nullptr || out == nullptr) return SY_ERR_INVALID_ARGUMENT;
  return value == nullptr ? SY_ERR_NOT_FOUND : SY_OK;
}

}  // namespace

ConfigAccess::ConfigAccess(const Struct& config, std::string path) {
  *root_holder_.mutable_struct_value() = config;
  root_ = sy_config_value{&root_holder_, path, path, nullptr, ""};
}

ConfigAccess::ConfigAccess(const Struct& merged, std::string base_path, const Struct& override_layer,
                           std::string override_path) {
  *root_holder_.mutable_struct_value() = merged;
  *override_holder_.mutable_struct_value() = override_layer;
  root_ = sy_config_value{&root_holder_, override_path, std::move(base_path), &override_holder_, override_path};
}

const sy_config_value* ConfigAccess::member(const sy_config_value* object, std::string_view name) {
  if (object == nullptr || object->value->kind_case() != Value::kStructValue) return nullptr;
  const auto& fields = object->value->struct_value().fields();
  auto found = fields.find(std::string(name));
  if (found == fields.end()) return nullptr;
  std::string key(name);
  sy_config_value child{&found->second, "", config::mapKeyPath(object->base_path, key), nullptr, ""};
  if (object->override_value != nullptr && object->override_value->kind_case() == Value::kStructValue) {
    const auto& override_fields = object->override_value->struct_value().fields();
    auto overridden = override_fields.find(key);
    if (overridden != override_fields.end()) {
      child.override_value = &overridden->second;
      child.override_path = config::mapKeyPath(object->override_path, key);
    }
  }
  child.path = child.override_value != nullptr ? child.override_path : child.base_path;
  return &values_.emplace_back(std::move(child));
}

const sy_config_value* ConfigAccess::element(const sy_config_value* array, size_t index) {
  if (array == nullptr || array->value->kind_case() != Value::kListValue) return nullptr;
  const auto& elements = array->value->list_value().values();
  if (index >= size_t(elements.size())) return nullptr;
  // Arrays are replaced, never merged, so an element comes from wherever
  // its array came from.
  std::string path = config::indexPath(array->path, index);
  return &values_.emplace_back(sy_config_value{&elements[int(index)], path, path, nullptr, ""});
}

void ConfigAccess::recordError(const sy_config_value* value, std::string_view message) {
  const sy_config_value* named = value != nullptr ? value : &root_;
  errors_.push_back(named->path + ": " + std::string(message));
}

namespace config_calls {

const sy_config_value* root(sy_config_context* context) {
  return accessOf(context) == nullptr ? nullptr : context->config->root();
}

sy_config_kind kind(const sy_config_value* value) {
  if (value == nullptr) return SY_CONFIG_NULL;
  switch (value->value->kind_case()) {
    case Value::kBoolValue: return SY_CONFIG_BOOL;
    case Value::kNumberValue: return SY_CONFIG_NUMBER;
    case Value::kStringValue: return SY_CONFIG_STRING;
    case Value::kListValue: return SY_CONFIG_ARRAY;
    case Value::kStructValue: return SY_CONFIG_OBJECT;
    default: return SY_CONFIG_NULL;
  }
}

const sy_config_value* member(sy_config_context* context, const sy_config_value* object, sy_slice name) {
  return accessOf(context) == nullptr ? nullptr : context->config->member(object, view(name));
}

size_t length(const sy_config_value* value) {
  if (value == nullptr) return 0;
  switch (value->value->kind_case()) {
    case Value::kListValue: return size_t(value->value->list_value().values_size());
    case Value::kStructValue: return value->value->struct_value().fields_size();
    default: return 0;
  }
}

const sy_config_value* element(sy_config_context* context, const sy_config_value* array, size_t index) {
  return accessOf(context) == nullptr ? nullptr : context->config->element(array, index);
}

sy_result readString(sy_config_context* context, const sy_config_value* value, sy_slice* out) {
  if (sy_result result = readable(context, value, out); result != SY_OK) return result;
  if (value->value->kind_case() != Value::kStringValue) return reject(context, value, "a string");
  const std::string& text = value->value->string_value();
  *out = sy_slice{text.data(), text.size()};
  return SY_OK;
}

sy_result readInteger(sy_config_context* context, const sy_config_value* value, int64_t min, int64_t max,
                      int64_t* out) {
  if (sy_result result = readable(context, value, out); result != SY_OK) return result;
  auto integer = integerOf(*value->value);
  if (!integer || *integer < min || *integer > max) {
    return reject(context, value, "an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  *out = *integer;
  return SY_OK;
}

sy_result readNumber(sy_config_context* context, const sy_config_value* value, double min, double max,
                     double* out) {
  if (sy_result result = readable(context, value, out); result != SY_OK) return result;
  double number = value->value->number_value();
  if (value->value->kind_case() != Value::kNumberValue || !std::isfinite(number) || number < min ||
      number > max) {
    return reject(context, value, "a number from " + numberText(min) + " to " + numberText(max));
  }
  *out = number;
  return SY_OK;
}

sy_result readBool(sy_config_context* context, const sy_config_value* value, int* out) {
  if (sy_result result = readable(context, value, out); result != SY_OK) return result;
  if (value->value->kind_case() != Value::kBoolValue) return reject(context, value, "true or false");
  *out = value->value->bool_value() ? 1 : 0;
  return SY_OK;
}

sy_result readDurationMs(sy_config_context* context, const sy_config_value* value, uint64_t min_ms,
                         uint64_t max_ms, uint64_t* out_ms) {
  if (sy_result result = readable(context, value, out_ms); result != SY_OK) return result;
  std::optional<uint64_t> ms;
  if (value->value->kind_case() == Value::kStringValue) {
    ms = durationStringMs(value->value->string_value());
  } else if (auto integer = integerOf(*value->value); integer && *integer >= 0) {
    ms = uint64_t(*integer);
  }
  if (!ms || *ms < min_ms || *ms > max_ms) {
    return reject(context, value,
                  "a duration from " + std::to_string(min_ms) + "ms to " + std::to_string(max_ms) +
                      "ms (\"300ms\", \"1.5s\" or an integer of milliseconds)");
  }
  *out_ms = *ms;
  return SY_OK;
}

sy_result visitStrings(sy_config_context* context, const sy_config_value* array, sy_config_string_fn visit,
                       void* user_data) {
  if (accessOf(context) == nullptr || visit == nullptr) return SY_ERR_INVALID_ARGUMENT;
  if (array == nullptr) return SY_ERR_NOT_FOUND;
  if (array->value->kind_case() != Value::kListValue) return reject(context, array, "an array of strings");
  std::vector<const sy_config_value*> elements;
  bool all_strings = true;
  for (size_t i = 0; i < length(array); ++i) {
    const sy_config_value* item = context->config->element(array, i);
    if (item->value->kind_case() != Value::kStringValue) {
      reject(context, item, "a string");
      all_strings = false;
    }
    elements.push_back(item);
  }
  if (!all_strings) return SY_ERR_INVALID_ARGUMENT;
  for (const sy_config_value* item : elements) {
    const std::string& text = item->value->string_value();
    if (sy_result result = visit(user_data, context, item, sy_slice{text.data(), text.size()}); result != SY_OK) {
      return result;
    }
  }
  return SY_OK;
}

sy_result error(sy_config_context* context, const sy_config_value* value, sy_slice message) {
  if (accessOf(context) == nullptr) return SY_ERR_INVALID_ARGUMENT;
  context->config->recordError(value, view(message));
  return SY_OK;
}

sy_result checkMembers(sy_config_context* context, const sy_config_value* object, const sy_slice* known,
                       size_t count) {
  if (accessOf(context) == nullptr || (known == nullptr && count > 0)) return SY_ERR_INVALID_ARGUMENT;
  if (object == nullptr) return SY_ERR_NOT_FOUND;
  if (object->value->kind_case() != Value::kStructValue) return reject(context, object, "an object");
  std::string expected;
  for (size_t i = 0; i < count; ++i) {
    expected += (i == 0 ? "" : i + 1 == count ? " or " : ", ") + std::string(view(known[i]));
  }
  // The Struct is a hash map: sort, so the errors come in a stable order.
  std::vector<std::string> unknown;
  // Not a structured binding: clang 14 cannot capture one in the lambda.
  for (const auto& field : object->value->struct_value().fields()) {
    const std::string& name = field.first;
    bool listed = std::any_of(known, known + count, [&](sy_slice candidate) { return view(candidate) == name; });
    if (!listed) unknown.push_back(name);
  }
  std::sort(unknown.begin(), unknown.end());
  for (const auto& name : unknown) {
    context->config->recordError(context->config->member(object, name),
                                 count == 0 ? "unknown field (none expected)"
                                            : "unknown field (expected " + expected + ")");
  }
  return unknown.empty() ? SY_OK : SY_ERR_INVALID_ARGUMENT;
}

size_t errorCount(const sy_config_context* context) {
  return context == nullptr || context->config == nullptr ? 0 : context->config->errors().size();
}

}  // namespace config_calls

}  // namespace switchyard::module
