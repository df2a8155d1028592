// Typed config access (filter ABI 1.2): the read-only view of one filter
// config that config_new walks through the host table's config_* calls, and
// the errors recorded on it, each naming the value by its field path in the
// config file.
#pragma once

#include <google/protobuf/struct.pb.h>
#include <switchyard/filter.h>

#include <deque>
#include <string>
#include <string_view>
#include <vector>

// A config value handle: where the value is in the config, and where the
// value came from, for error messages.
struct sy_config_value {
  const google::protobuf::Value* value;
  std::string path;  // what errors about this value name
  // Its place in the listener's config, and its counterpart in the route's
  // override layer (null when the override did not set it). A member of a
  // value is named by the override when the override set the member.
  std::string base_path;
  const google::protobuf::Value* override_value;
  std::string override_path;
};

namespace switchyard::module {

// One filter config as config_new sees it. Created by the core for each
// config_new call and kept only for that call; the Structs it is given must
// outlive it.
class ConfigAccess {
 public:
  // A listener's filter config; `path` names its root in error messages,
  // e.g. "demo.yaml: listeners[0].filters[1].config".
  ConfigAccess(const google::protobuf::Struct& config, std::string path);
  // A route's config: `merged` is the listener's config (named by
  // `base_path`) with `override_layer` (named by `override_path`) merged
  // in. A value the override gave is named by its place in the override,
  // any other by its place in the listener's config, so an error points at
  // the line that set the value.
  ConfigAccess(const google::protobuf::Struct& merged, std::string base_path,
               const google::protobuf::Struct& override_layer, std::string override_path);
  ConfigAccess(const ConfigAccess&) = delete;
  ConfigAccess& operator=(const ConfigAccess&) = delete;

  const google::protobuf::Struct& config() const { return root_.value->struct_value(); }
  // Every error recorded so far, each "<path>: <message>", in order.
  const std::vector<std::string>& errors() const { return errors_; }

  // The calls behind the host table's config_* entries.
  const sy_config_value* root() const { return &root_; }
  const sy_config_value* member(const sy_config_value* object, std::string_view name);
  const sy_config_value* element(const sy_config_value* array, size_t index);
  void recordError(const sy_config_value* value, std::string_view message);

 private:
  google::protobuf::Value root_holder_;      // the config, as a Value, so the root is a value like any other
  google::protobuf::Value override_holder_;  // the override layer, likewise; unused without one
  sy_config_value root_;
  std::deque<sy_config_value> values_;  // handles given out; a deque keeps their addresses
  std::vector<std::string> errors_;
};

}  // namespace switchyard::module

// Created by the core for each config_new call; the full metric name is
// "<filter name>.<metric name>". `config` is null for a context that only
// defines metrics, and then the typed config calls find no config.
struct sy_config_context {
  std::string filter_name;
  switchyard::module::ConfigAccess* config = nullptr;
};

namespace switchyard::module {

// The ABI 1.2 entries of the host table, in table order (host_api.cc and
// the unit tests' fake host both hand these to modules).
namespace config_calls {
const sy_config_value* root(sy_config_context* context);
sy_config_kind kind(const sy_config_value* value);
const sy_config_value* member(sy_config_context* context, const sy_config_value* object, sy_slice name);
size_t length(const sy_config_value* value);
const sy_config_value* element(sy_config_context* context, const sy_config_value* array, size_t index);
sy_result readString(sy_config_context* context, const sy_config_value* value, sy_slice* out);
sy_result readInteger(sy_config_context* context, const sy_config_value* value, int64_t min, int64_t max,
                      int64_t* out);
sy_result readNumber(sy_config_context* context, const sy_config_value* value, double min, double max,
                     double* out);
sy_result readBool(sy_config_context* context, const sy_config_value* value, int* out);
sy_result readDurationMs(sy_config_context* context, const sy_config_value* value, uint64_t min_ms,
                         uint64_t max_ms, uint64_t* out_ms);
sy_result visitStrings(sy_config_context* context, const sy_config_value* array, sy_config_string_fn visit,
                       void* user_data);
sy_result error(sy_config_context* context, const sy_config_value* value, sy_slice message);
sy_result checkMembers(sy_config_context* context, const sy_config_value* object, const sy_slice* known,
                       size_t count);
size_t errorCount(const sy_config_context* context);
}  // namespace config_calls

}  // namespace switchyard::module
