#include "config_errors.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

int config_fail(config_error *error, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(error->text, error->capacity, format, args);
  va_end(args);
  return 0;
}

int config_out_of_memory(config_error *error) { return config_fail(error, "out of memory"); }

void config_format_field(char *field, size_t capacity, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(field, capacity, format, args);
  va_end(args);
}

int config_quote_length(size_t length, size_t limit) {
  if (length > limit) length = limit;
  return length > INT_MAX ? INT_MAX : (int)length;
}
