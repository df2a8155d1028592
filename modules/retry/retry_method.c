#include "retry_method.h"

#include <string.h>

int retry_method_is_idempotent(const char *method, size_t length) {
  static const char *const idempotent[] = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"};
  for (size_t i = 0; i < sizeof idempotent / sizeof idempotent[0]; ++i) {
    if (strlen(idempotent[i]) == length && memcmp(idempotent[i], method, length) == 0) return 1;
  }
  return 0;
}
