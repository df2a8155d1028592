#include "fault_plan.h"

#include <string.h>

#include "fault_chance.h"

/* Runtime values and header values are short numbers; anything longer is
 * not one. */
enum { VALUE_CAPACITY = 32 };

static void from_config(const fault_config *config, fault_plan *plan) {
  plan->delay_on = config->delay.enabled;
  plan->delay_ms = config->delay.fixed_delay_ms;
  plan->delay_ppm = config->delay.ppm;
  plan->abort_on = config->abort.enabled;
  plan->abort_status = config->abort.http_status;
  plan->abort_ppm = config->abort.ppm;
  plan->rate_limit_on = config->rate_limit.enabled;
  plan->rate_limit_kbps = config->rate_limit.limit_kbps;
  plan->rate_limit_ppm = config->rate_limit.ppm;
}

/* ---- runtime values --------------------------------------------------------
 * A value that is absent or not valid leaves the config's in place, so a
 * typo in POST /runtime_modify cannot switch a fault to something odd. */

static int runtime_value(const sy_host_api *host, const fault_config *config, fault_runtime_key key,
                         char *buffer, size_t *length) {
  sy_slice name = {config->runtime_keys[key].ptr, config->runtime_keys[key].len};
  return host->runtime_get(name, buffer, VALUE_CAPACITY, length) == SY_OK;
}

static void runtime_percent(const sy_host_api *host, const fault_config *config, fault_runtime_key key,
                            uint32_t *ppm) {
  char text[VALUE_CAPACITY];
  size_t length;
  if (runtime_value(host, config, key, text, &length)) fault_percent_text_to_ppm(text, length, ppm);
}

static void runtime_integer(const sy_host_api *host, const fault_config *config, fault_runtime_key key,
                            uint64_t min, uint64_t max, uint64_t *out) {
  char text[VALUE_CAPACITY];
  size_t length;
  if (runtime_value(host, config, key, text, &length)) fault_integer_text(text, length, min, max, out);
}

static void apply_runtime(const sy_host_api *host, const fault_config *config, fault_plan *plan) {
  uint64_t number;
  if (plan->delay_on) {
    runtime_percent(host, config, FAULT_RUNTIME_DELAY_PERCENT, &plan->delay_ppm);
    runtime_integer(host, config, FAULT_RUNTIME_DELAY_FIXED_DELAY_MS, 1, 24ull * 3600 * 1000,
                    &plan->delay_ms);
  }
  if (plan->abort_on) {
    runtime_percent(host, config, FAULT_RUNTIME_ABORT_PERCENT, &plan->abort_ppm);
    number = plan->abort_status;
    runtime_integer(host, config, FAULT_RUNTIME_ABORT_HTTP_STATUS, 200, 599, &number);
    plan->abort_status = (uint32_t)number;
  }
  if (plan->rate_limit_on) {
    runtime_percent(host, config, FAULT_RUNTIME_RATE_LIMIT_PERCENT, &plan->rate_limit_ppm);
    number = plan->rate_limit_kbps;
    runtime_integer(host, config, FAULT_RUNTIME_RATE_LIMIT_KBPS, 1, 1024 * 1024, &number);
    plan->rate_limit_kbps = (uint32_t)number;
  }
}

/* ---- request headers ------------------------------------------------------ */

static int header_value(const sy_host_api *host, const sy_headers *headers, const char *name,
                        sy_slice *value) {
  sy_slice name_slice = {name, strlen(name)};
  return host->header_get(headers, name_slice, 0, value) == SY_OK;
}

static int header_integer(const sy_host_api *host, const sy_headers *headers, const char *name, uint64_t min,
                          uint64_t max, uint64_t *out) {
  sy_slice value;
  return header_value(host, headers, name, &value) && fault_integer_text(value.ptr, value.len, min, max, out);
}

/* A fault a header asks for happens at the chance its percentage header
 * gives, or always. */
static uint32_t header_chance(const sy_host_api *host, const sy_headers *headers, const char *name) {
  uint32_t ppm = FAULT_PPM_ALL;
  sy_slice value;
  if (header_value(host, headers, name, &value)) fault_percent_text_to_ppm(value.ptr, value.len, &ppm);
  return ppm;
}

static int status_allowed(const fault_header_control *control, uint64_t status) {
  if (control->allowed_status_count == 0) return 1;
  for (size_t i = 0; i < control->allowed_status_count; ++i) {
    if (control->allowed_statuses[i] == status) return 1;
  }
  return 0;
}

static void apply_headers(const sy_host_api *host, const fault_config *config, const sy_headers *headers,
                          fault_plan *plan) {
  const fault_header_control *control = &config->header_control;
  uint64_t number;
  if (header_integer(host, headers, FAULT_HEADER_DELAY, 1, UINT64_MAX / 2, &number)) {
    plan->delay_on = 1;
    plan->delay_ms = number < control->max_delay_ms ? number : control->max_delay_ms;
    plan->delay_ppm = header_chance(host, headers, FAULT_HEADER_DELAY_PERCENTAGE);
  }
  if (header_integer(host, headers, FAULT_HEADER_ABORT, 200, 599, &number) &&
      status_allowed(control, number)) {
    plan->abort_on = 1;
    plan->abort_status = (uint32_t)number;
    plan->abort_ppm = header_chance(host, headers, FAULT_HEADER_ABORT_PERCENTAGE);
  }
  if (header_integer(host, headers, FAULT_HEADER_THROUGHPUT, 1, 1024 * 1024, &number)) {
    plan->rate_limit_on = 1;
    plan->rate_limit_kbps = (uint32_t)number;
    plan->rate_limit_ppm = header_chance(host, headers, FAULT_HEADER_THROUGHPUT_PERCENTAGE);
  }
}

void fault_plan_build(const sy_host_api *host, const fault_config *config, const sy_headers *headers,
                      fault_plan *plan) {
  from_config(config, plan);
  apply_runtime(host, config, plan);
  if (config->header_control.enabled && headers != NULL) apply_headers(host, config, headers, plan);
}
