#include "otlp_encoder.h"

#include "otlp_trace.pb.h"

namespace tracing {

namespace {

namespace otlp = switchyard::tracing::otlp;

constexpr char kScopeName[] = "switchyard.tracing";
constexpr char kScopeVersion[] = "1.0.0";

std::string bytesOf(uint64_t id) {
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i, id >>= 8) bytes[size_t(i)] = char(id & 0xff);
  return bytes;
}

bool integerTag(const std::string& key) { return key == "http.status_code" || key == "attempt.number"; }

void setAttribute(otlp::KeyValue* attribute, const std::string& key, const std::string& value) {
  attribute->set_key(key);
  if (integerTag(key) && !value.empty() && value.size() <= 18 &&
      value.find_first_not_of("0123456789") == std::string::npos) {
    attribute->mutable_value()->set_int_value(std::stoll(value));
  } else {
    attribute->mutable_value()->set_string_value(value);
  }
}

}  // namespace

std::string encodeOtlp(const std::vector<Span>& spans, const std::string& service_name) {
  otlp::ExportTraceServiceRequest request;
  otlp::ResourceSpans* resource_spans = request.add_resource_spans();
  setAttribute(resource_spans->mutable_resource()->add_attributes(), "service.name", service_name);
  otlp::ScopeSpans* scope_spans = resource_spans->add_scope_spans();
  scope_spans->mutable_scope()->set_name(kScopeName);
  scope_spans->mutable_scope()->set_version(kScopeVersion);
  for (const Span& span : spans) {
    otlp::Span* out = scope_spans->add_spans();
    out->set_trace_id(std::string(span.trace_id.begin(), span.trace_id.end()));
    out->set_span_id(bytesOf(span.span_id));
    if (span.parent_span_id != 0) out->set_parent_span_id(bytesOf(span.parent_span_id));
    out->set_trace_state(span.tracestate);
    out->set_name(span.name);
    out->set_kind(span.kind == SpanKind::kServer ? otlp::Span::SPAN_KIND_SERVER
                                                 : otlp::Span::SPAN_KIND_CLIENT);
    out->set_start_time_unix_nano(span.start_unix_ns);
    out->set_end_time_unix_nano(span.end_unix_ns);
    out->set_flags(1);  // sampled: only sampled spans are exported
    for (const auto& [key, value] : span.tags) setAttribute(out->add_attributes(), key, value);
    if (!span.remote_address.empty())
      setAttribute(out->add_attributes(), "server.address", span.remote_address);
    if (span.error) out->mutable_status()->set_code(otlp::Status::STATUS_CODE_ERROR);
  }
  return request.SerializeAsString();
}

}  // namespace tracing
