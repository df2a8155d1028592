/* The retry_on conditions: their words, and which attempt outcomes each one
 * makes retriable. Pure logic: headers are read through a function the
 * caller passes (the host's header_get, or a fake in tests). */
#ifndef SWITCHYARD_RETRY_CONDITIONS_H
#define SWITCHYARD_RETRY_CONDITIONS_H

#include <stddef.h>
#include <stdint.h>
#include <switchyard/filter.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One bit per retry_on word; a set of conditions is their OR. */
typedef enum retry_condition {
  RETRY_ON_5XX = 1u << 0,
  RETRY_ON_GATEWAY_ERROR = 1u << 1,
  RETRY_ON_RESET = 1u << 2,
  RETRY_ON_CONNECT_FAILURE = 1u << 3,
  RETRY_ON_RETRIABLE_4XX = 1u << 4,
  RETRY_ON_RETRIABLE_STATUS_CODES = 1u << 5,
  RETRY_ON_RETRIABLE_HEADERS = 1u << 6,
} retry_condition;

/* The conditions that cover a per-try timeout (SY_ATTEMPT_TIMED_OUT). */
#define RETRY_ON_TIMEOUT_CONDITIONS (RETRY_ON_5XX | RETRY_ON_GATEWAY_ERROR)

/* Every word, comma-separated, for error messages. */
extern const char retry_condition_word_list[];

/* The condition a word names ("5xx", "gateway-error", ...), matched
 * exactly; 0 when the word is unknown. */
uint32_t retry_condition_from_word(const char *word, size_t length);
/* The word for one condition bit. */
const char *retry_condition_word(uint32_t condition);

/* Status codes 100..599 as a bit set, so a lookup is one shift. */
enum { RETRY_STATUS_MIN = 100, RETRY_STATUS_MAX = 599 };
typedef struct retry_status_set {
  uint8_t bits[(RETRY_STATUS_MAX + 1 + 7) / 8];
} retry_status_set;

void retry_status_set_add(retry_status_set *set, uint32_t status);
int retry_status_set_has(const retry_status_set *set, uint32_t status);

/* A response header that makes a response retriable: `name` present, with a
 * value equal to `value` (ASCII case-insensitively) unless `any_value`. */
typedef struct retry_header_match {
  char *name;
  size_t name_len;
  char *value; /* NULL when any_value */
  size_t value_len;
  int any_value;
} retry_header_match;

/* What the "retriable-status-codes" and "retriable-headers" conditions
 * compare a response against. */
typedef struct retry_response_rules {
  retry_status_set status_codes;
  size_t status_code_count; /* how many codes the config listed */
  retry_header_match *headers;
  size_t header_count;
} retry_response_rules;

/* The host's header_get has this type. */
typedef sy_result (*retry_header_get_fn)(const sy_headers *headers, sy_slice name, size_t index,
                                         sy_slice *value_out);

/* Nonzero when `conditions` make an attempt that ended with `outcome` worth
 * retrying. `status` and `headers` are read for SY_ATTEMPT_RESPONSE only;
 * `headers` may be NULL. CANCELLED and RESET_AFTER_HEADERS never are. */
int retry_outcome_is_retriable(uint32_t conditions, const retry_response_rules *rules,
                               sy_attempt_outcome outcome, uint32_t status, const sy_headers *headers,
                               retry_header_get_fn header_get);

#ifdef __cplusplus
}
#endif

#endif
