#include "retry_conditions.h"

#include <string.h>

typedef struct condition_word {
  const char *word;
  uint32_t condition;
} condition_word;

static const condition_word condition_words[] = {
    {"5xx", RETRY_ON_5XX},
    {"gateway-error", RETRY_ON_GATEWAY_ERROR},
    {"reset", RETRY_ON_RESET},
    {"connect-failure", RETRY_ON_CONNECT_FAILURE},
    {"retriable-4xx", RETRY_ON_RETRIABLE_4XX},
    {"retriable-status-codes", RETRY_ON_RETRIABLE_STATUS_CODES},
    {"retriable-headers", RETRY_ON_RETRIABLE_HEADERS},
};

const char retry_condition_word_list[] =
    "5xx, gateway-error, reset, connect-failure, retriable-4xx, retriable-status-codes, retriable-headers";

uint32_t retry_condition_from_word(const char *word, size_t length) {
  for (size_t i = 0; i < sizeof condition_words / sizeof condition_words[0]; ++i) {
    if (strlen(condition_words[i].word) == length && memcmp(condition_words[i].word, word, length) == 0) {
      return condition_words[i].condition;
    }
  }
  return 0;
}

const char *retry_condition_word(uint32_t condition) {
  for (size_t i = 0; i < sizeof condition_words / sizeof condition_words[0]; ++i) {
    if (condition_words[i].condition == condition) return condition_words[i].word;
  }
  return "?";
}

void retry_status_set_add(retry_status_set *set, uint32_t status) {
  if (status < RETRY_STATUS_MIN || status > RETRY_STATUS_MAX) return;
  set->bits[status / 8] = (uint8_t)(set->bits[status / 8] | (1u << (status % 8)));
}

int retry_status_set_has(const retry_status_set *set, uint32_t status) {
  if (status < RETRY_STATUS_MIN || status > RETRY_STATUS_MAX) return 0;
  return (set->bits[status / 8] >> (status % 8)) & 1u;
}

static int ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

/* Header values are compared the way header names are: ASCII case folded,
 * so "Retry" matches "retry" but no locale is involved. */
static int equal_ignoring_case(const char *a, size_t a_len, const char *b, size_t b_len) {
  if (a_len != b_len) return 0;
  for (size_t i = 0; i < a_len; ++i) {
    if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i])) return 0;
  }
  return 1;
}

/* Every value of a repeated header counts, so a match on the second
 * `x-retry` line is still a match. */
static int response_has_header(const retry_header_match *match, const sy_headers *headers,
                               retry_header_get_fn header_get) {
  const sy_slice name = {match->name, match->name_len};
  sy_slice value;
  for (size_t index = 0; header_get(headers, name, index, &value) == SY_OK; ++index) {
    if (match->any_value || equal_ignoring_case(value.ptr, value.len, match->value, match->value_len))
      return 1;
  }
  return 0;
}

static int response_is_retriable(uint32_t conditions, const retry_response_rules *rules, uint32_t status,
                                 const sy_headers *headers, retry_header_get_fn header_get) {
  if ((conditions & RETRY_ON_5XX) && status >= 500 && status <= 599) return 1;
  if ((conditions & RETRY_ON_GATEWAY_ERROR) && (status == 502 || status == 503 || status == 504)) return 1;
  if ((conditions & RETRY_ON_RETRIABLE_4XX) && status == 409) return 1;
  if ((conditions & RETRY_ON_RETRIABLE_STATUS_CODES) && retry_status_set_has(&rules->status_codes, status)) {
    return 1;
  }
  if ((conditions & RETRY_ON_RETRIABLE_HEADERS) && headers != NULL && header_get != NULL) {
    for (size_t i = 0; i < rules->header_count; ++i) {
      if (response_has_header(&rules->headers[i], headers, header_get)) return 1;
    }
  }
  return 0;
}

int retry_outcome_is_retriable(uint32_t conditions, const retry_response_rules *rules,
                               sy_attempt_outcome outcome, uint32_t status, const sy_headers *headers,
                               retry_header_get_fn header_get) {
  switch (outcome) {
    case SY_ATTEMPT_RESPONSE:
      return response_is_retriable(conditions, rules, status, headers, header_get);
    case SY_ATTEMPT_CONNECT_FAILURE:
      return (conditions & (RETRY_ON_5XX | RETRY_ON_GATEWAY_ERROR | RETRY_ON_CONNECT_FAILURE)) != 0;
    case SY_ATTEMPT_RESET_BEFORE_HEADERS:
      return (conditions & (RETRY_ON_5XX | RETRY_ON_GATEWAY_ERROR | RETRY_ON_RESET)) != 0;
    case SY_ATTEMPT_TIMED_OUT:
      return (conditions & RETRY_ON_TIMEOUT_CONDITIONS) != 0;
    /* The body was already on its way to the client, or the attempt lost
     * to another one / the stream ended: there is nothing to retry. */
    case SY_ATTEMPT_RESET_AFTER_HEADERS:
    case SY_ATTEMPT_CANCELLED:
    default:
      return 0;
  }
}
