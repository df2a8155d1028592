#include "config/config_dump.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>

namespace switchyard::config {

namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr std::string_view kRedacted = "[redacted]";
constexpr std::string_view kSecretWords[] = {"authorization", "key",        "secret",      "password",
                                             "passwd",        "token",      "credential",  "cookie_value"};
constexpr std::string_view kNameKeys[] = {"name", "header_name"};
// The fields that hold a named header's value: {name, value} to set one,
// {name, exact | prefix} to match one.
constexpr std::string_view kValueKeys[] = {"value", "exact", "prefix"};

void redactValue(Value& value);

void redactStrings(Value& value) {
  if (value.has_string_value()) {
    value.set_string_value(std::string(kRedacted));
  } else if (value.has_list_value()) {
    for (auto& item : *value.mutable_list_value()->mutable_values()) redactStrings(item);
  } else if (value.has_struct_value()) {
    for (auto& [key, field] : *value.mutable_struct_value()->mutable_fields()) redactStrings(field);
  }
}

void redactStruct(Struct& object) {
  bool names_secret = std::any_of(std::begin(kNameKeys), std::end(kNameKeys), [&](std::string_view name_key) {
    auto found = object.fields().find(std::string(name_key));
    return found != object.fields().end() && found->second.has_string_value() &&
           looksSecret(found->second.string_value());
  });
  for (auto& [key, value] : *object.mutable_fields()) {
    bool is_value = std::find(std::begin(kValueKeys), std::end(kValueKeys), key) != std::end(kValueKeys);
    if (looksSecret(key) || (names_secret && is_value)) {
      redactStrings(value);
    } else {
      redactValue(value);
    }
  }
}

void redactValue(Value& value) {
  if (value.has_struct_value()) {
    redactStruct(*value.mutable_struct_value());
  } else if (value.has_list_value()) {
    for (auto& item : *value.mutable_list_value()->mutable_values()) redactValue(item);
  }
}

}  // namespace

bool looksSecret(std::string_view name) {
  std::string lowered(name);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(std::begin(kSecretWords), std::end(kSecretWords),
                     [&](std::string_view word) { return lowered.find(word) != std::string::npos; });
}

std::string redactedConfigJson(const Bootstrap& bootstrap) {
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(bootstrap, &json, print);
  // Through a Struct, so that one walk covers the schema's fields and the
  // free-form filter configs alike.
  Struct tree;
  (void)google::protobuf::util::JsonStringToMessage(json, &tree);
  redactStruct(tree);
  print.add_whitespace = true;
  std::string redacted;
  (void)google::protobuf::util::MessageToJsonString(tree, &redacted, print);
  return redacted;
}

}  // namespace switchyard::config
