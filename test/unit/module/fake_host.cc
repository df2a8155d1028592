#include "fake_host.h"

#include <strings.h>

#include "module/host_api.h"

namespace switchyard::module {

namespace {

std::string_view view(sy_slice slice) { return std::string_view(slice.ptr, slice.len); }

bool sameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

FakeHeaders& headersOf(sy_headers* headers) { return *reinterpret_cast<FakeHeaders*>(headers); }
const FakeHeaders& headersOf(const sy_headers* headers) { return *reinterpret_cast<const FakeHeaders*>(headers); }

int logEnabled(sy_log_level) { return 1; }
void logWrite(sy_log_level, sy_slice message) { fakeHostRecord().log.emplace_back(view(message)); }

size_t headerCount(const sy_headers* headers) { return headersOf(headers).fields.size(); }

sy_result headerGet(const sy_headers* headers, sy_slice name, size_t index, sy_slice* value_out) {
  for (const auto& [field_name, value] : headersOf(headers).fields) {
    if (sameName(field_name, view(name)) && index-- == 0) {
      *value_out = sy_slice{value.data(), value.size()};
      return SY_OK;
    }
  }
  return SY_ERR_NOT_FOUND;
}

sy_result headerRemove(sy_headers* headers, sy_slice name) {
  auto& fields = headersOf(headers).fields;
  size_t before = fields.size();
  std::erase_if(fields, [&](const auto& field) { return sameName(field.first, view(name)); });
  return fields.size() < before ? SY_OK : SY_ERR_NOT_FOUND;
}

sy_result headerAdd(sy_headers* headers, sy_slice name, sy_slice value) {
  headersOf(headers).fields.emplace_back(view(name), view(value));
  return SY_OK;
}

sy_result headerSet(sy_headers* headers, sy_slice name, sy_slice value) {
  headerRemove(headers, name);
  return headerAdd(headers, name, value);
}

void headerVisit(const sy_headers* headers, sy_header_visit_fn visit, void* user_data) {
  for (const auto& [name, value] : headersOf(headers).fields) {
    if (visit(user_data, sy_slice{name.data(), name.size()}, sy_slice{value.data(), value.size()}) == 0) return;
  }
}

sy_result streamGetProperty(sy_stream* stream, sy_stream_property property, sy_slice* value_out) {
  const auto& properties = reinterpret_cast<FakeStream*>(stream)->properties;
  auto found = properties.find(property);
  if (found == properties.end()) return SY_ERR_NOT_FOUND;
  *value_out = sy_slice{found->second.data(), found->second.size()};
  return SY_OK;
}

sy_result metricDefine(sy_config_context* context, sy_metric_kind, sy_slice name, uint32_t* id_out) {
  if (context == nullptr) return SY_ERR_INVALID_ARGUMENT;
  auto& names = fakeHostRecord().metric_names;
  *id_out = uint32_t(names.size());
  names.push_back(context->filter_name + "." + std::string(view(name)));
  return SY_OK;
}

void metricRecord(uint32_t metric_id, int64_t value) { fakeHostRecord().metric_totals[metric_id] += value; }

sy_host_api makeFakeHost() {
  sy_host_api host{};
  host.size = sizeof(sy_host_api);
  host.abi = {SY_ABI_VERSION_MAJOR, SY_ABI_VERSION_MINOR};
  host.log_enabled = logEnabled;
  host.log = logWrite;
  host.header_count = headerCount;
  host.header_get = headerGet;
  host.header_set = headerSet;
  host.header_add = headerAdd;
  host.header_remove = headerRemove;
  host.header_visit = headerVisit;
  host.stream_get_property = streamGetProperty;
  host.metric_define = metricDefine;
  host.metric_record = metricRecord;
  return host;
}

}  // namespace

std::vector<std::string> FakeHeaders::values(std::string_view name) const {
  std::vector<std::string> found;
  for (const auto& [field_name, value] : fields) {
    if (sameName(field_name, name)) found.push_back(value);
  }
  return found;
}

void FakeHostRecord::clear() { *this = FakeHostRecord{}; }

const sy_host_api* fakeHost() {
  static const sy_host_api host = makeFakeHost();
  return &host;
}

FakeHostRecord& fakeHostRecord() {
  static FakeHostRecord record;
  return record;
}

}  // namespace switchyard::module
