#include "module/module_report.h"

namespace switchyard::module {

namespace {
// Reports are for people reading the admin API; a field longer than this is
// a module's mistake, not something to copy without bound.
constexpr size_t kMaxFieldBytes = 1024;
}  // namespace

sy_result reportField(sy_report* report, sy_slice name, sy_slice value) {
  if (report == nullptr || name.len == 0 || name.ptr == nullptr || (value.len > 0 && value.ptr == nullptr)) {
    return SY_ERR_INVALID_ARGUMENT;
  }
  if (name.len > kMaxFieldBytes || value.len > kMaxFieldBytes) return SY_ERR_LIMIT;
  report->fields.emplace_back(std::string(name.ptr, name.len), std::string(value.ptr, value.len));
  return SY_OK;
}

}  // namespace switchyard::module
