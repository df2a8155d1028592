#include "config/struct_merge.h"

namespace switchyard::config {

namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

void mergeInto(Struct& target, const Struct& override_layer) {
  auto& fields = *target.mutable_fields();
  for (const auto& [key, value] : override_layer.fields()) {
    if (value.kind_case() == Value::kNullValue) {
      fields.erase(key);
      continue;
    }
    if (value.kind_case() != Value::kStructValue) {
      fields[key] = value;
      continue;
    }
    // An object merges into an object; anything else there is replaced by
    // an empty one first (mutable_struct_value switches the oneof).
    mergeInto(*fields[key].mutable_struct_value(), value.struct_value());
  }
}

}  // namespace

Struct mergeStructs(const Struct& base, const Struct& override_layer) {
  Struct merged = base;
  mergeInto(merged, override_layer);
  return merged;
}

}  // namespace switchyard::config
