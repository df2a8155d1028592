#include "http_field.h"

#include <string.h>

int http_is_token(const char *text, size_t length) {
  if (length == 0) return 0;
  for (size_t i = 0; i < length; ++i) {
    unsigned char c = (unsigned char)text[i];
    /* c <= 32 also keeps NUL from strchr, which would match the terminator. */
    if (c <= 32 || c >= 127 || strchr("\"(),/:;<=>?@[\\]{}", c) != NULL) return 0;
  }
  return 1;
}

int http_is_safe_field_value(const char *text, size_t length) {
  for (size_t i = 0; i < length; ++i) {
    if (text[i] == '\r' || text[i] == '\n' || text[i] == '\0') return 0;
  }
  return 1;
}
