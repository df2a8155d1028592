#include "json.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Configs are small and flat; a deeper document is a mistake or an attack
 * on the recursion below. */
enum { MAX_DEPTH = 32 };

typedef struct parser {
  const char *start;
  const char *at;
  const char *end;
  char *error;
  size_t error_capacity;
  int depth;
} parser;

/* A growing byte string for unescaped string contents. */
typedef struct text_builder {
  char *bytes;
  size_t length;
  size_t capacity;
} text_builder;

static void fail(parser *p, const char *what) {
  /* Keep the first, most specific, message. */
  if (p->error[0] == '\0') {
    snprintf(p->error, p->error_capacity, "invalid JSON at offset %zu: %s", (size_t)(p->at - p->start), what);
  }
}

static int append_byte(text_builder *text, char byte) {
  if (text->length + 1 >= text->capacity) {
    size_t capacity = text->capacity == 0 ? 32 : text->capacity * 2;
    char *grown = realloc(text->bytes, capacity);
    if (grown == NULL) return 0;
    text->bytes = grown;
    text->capacity = capacity;
  }
  text->bytes[text->length++] = byte;
  return 1;
}

/* Appends `code_point` encoded as UTF-8. */
static int append_utf8(text_builder *text, unsigned long code_point) {
  if (code_point < 0x80) return append_byte(text, (char)code_point);
  if (code_point < 0x800) {
    return append_byte(text, (char)(0xc0 | (code_point >> 6))) &&
           append_byte(text, (char)(0x80 | (code_point & 0x3f)));
  }
  if (code_point < 0x10000) {
    return append_byte(text, (char)(0xe0 | (code_point >> 12))) &&
           append_byte(text, (char)(0x80 | ((code_point >> 6) & 0x3f))) &&
           append_byte(text, (char)(0x80 | (code_point & 0x3f)));
  }
  return append_byte(text, (char)(0xf0 | (code_point >> 18))) &&
         append_byte(text, (char)(0x80 | ((code_point >> 12) & 0x3f))) &&
         append_byte(text, (char)(0x80 | ((code_point >> 6) & 0x3f))) &&
         append_byte(text, (char)(0x80 | (code_point & 0x3f)));
}

/* Reads the four hex digits of a \u escape; -1 when they are not hex. */
static long read_hex4(parser *p) {
  if (p->end - p->at < 4) return -1;
  long value = 0;
  for (int i = 0; i < 4; ++i) {
    char c = p->at[i];
    int digit = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  p->at += 4;
  return value;
}

/* After the "\u" of an escape: one code point, joining a surrogate pair. */
static int parse_unicode_escape(parser *p, text_builder *text) {
  long unit = read_hex4(p);
  if (unit < 0) {
    fail(p, "\\u needs four hex digits");
    return 0;
  }
  unsigned long code_point = (unsigned long)unit;
  if (unit >= 0xd800 && unit <= 0xdbff) {
    long low = -1;
    if (p->end - p->at >= 2 && p->at[0] == '\\' && p->at[1] == 'u') {
      p->at += 2;
      low = read_hex4(p);
    }
    if (low < 0xdc00 || low > 0xdfff) {
      fail(p, "unpaired UTF-16 surrogate in \\u escape");
      return 0;
    }
    code_point = 0x10000 + (((unsigned long)unit - 0xd800) << 10) + ((unsigned long)low - 0xdc00);
  } else if (unit >= 0xdc00 && unit <= 0xdfff) {
    fail(p, "unpaired UTF-16 surrogate in \\u escape");
    return 0;
  }
  if (!append_utf8(text, code_point)) {
    fail(p, "out of memory");
    return 0;
  }
  return 1;
}

/* After a backslash: appends the byte (or code point) the escape stands for. */
static int parse_escape(parser *p, text_builder *text) {
  if (p->at >= p->end) {
    fail(p, "unterminated string");
    return 0;
  }
  char byte;
  switch (*p->at++) {
    case '"': byte = '"'; break;
    case '\\': byte = '\\'; break;
    case '/': byte = '/'; break;
    case 'b': byte = '\b'; break;
    case 'f': byte = '\f'; break;
    case 'n': byte = '\n'; break;
    case 'r': byte = '\r'; break;
    case 't': byte = '\t'; break;
    case 'u': return parse_unicode_escape(p, text);
    default:
      fail(p, "unknown escape");
      return 0;
  }
  if (!append_byte(text, byte)) {
    fail(p, "out of memory");
    return 0;
  }
  return 1;
}

/* At the opening quote. Returns the unescaped, NUL-terminated copy. */
static char *parse_string(parser *p, size_t *length_out) {
  text_builder text = {NULL, 0, 0};
  p->at++;
  for (;;) {
    if (p->at >= p->end) {
      fail(p, "unterminated string");
      break;
    }
    char c = *p->at++;
    if (c == '"') {
      if (!append_byte(&text, '\0')) {
        fail(p, "out of memory");
        break;
      }
      *length_out = text.length - 1;
      return text.bytes;
    }
    if ((unsigned char)c < 0x20) {
      fail(p, "control character in string (escape it)");
      break;
    }
    if (c == '\\') {
      if (!parse_escape(p, &text)) break;
    } else if (!append_byte(&text, c)) {
      fail(p, "out of memory");
      break;
    }
  }
  free(text.bytes);
  return NULL;
}

static json_value *new_value(parser *p, json_type type) {
  json_value *value = calloc(1, sizeof *value);
  if (value == NULL) {
    fail(p, "out of memory");
    return NULL;
  }
  value->type = type;
  return value;
}

static json_value *new_bool(parser *p, int boolean) {
  json_value *value = new_value(p, JSON_BOOL);
  if (value != NULL) value->boolean = boolean;
  return value;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
 * Keeps the literal as written; json_get_uint64 and json_get_double read it. */
static json_value *parse_number(parser *p) {
  const char *start = p->at;
  if (p->at < p->end && *p->at == '-') p->at++;
  if (p->at >= p->end || !is_digit(*p->at)) {
    fail(p, "malformed number");
    return NULL;
  }
  if (*p->at == '0') {
    p->at++;
  } else {
    while (p->at < p->end && is_digit(*p->at)) p->at++;
  }
  if (p->at < p->end && *p->at == '.') {
    p->at++;
    if (p->at >= p->end || !is_digit(*p->at)) {
      fail(p, "malformed number");
      return NULL;
    }
    while (p->at < p->end && is_digit(*p->at)) p->at++;
  }
  if (p->at < p->end && (*p->at == 'e' || *p->at == 'E')) {
    p->at++;
    if (p->at < p->end && (*p->at == '+' || *p->at == '-')) p->at++;
    if (p->at >= p->end || !is_digit(*p->at)) {
      fail(p, "malformed number");
      return NULL;
    }
    while (p->at < p->end && is_digit(*p->at)) p->at++;
  }
  json_value *value = new_value(p, JSON_NUMBER);
  if (value == NULL) return NULL;
  value->string_len = (size_t)(p->at - start);
  value->string = malloc(value->string_len + 1);
  if (value->string == NULL) {
    fail(p, "out of memory");
    free(value);
    return NULL;
  }
  memcpy(value->string, start, value->string_len);
  value->string[value->string_len] = '\0';
  return value;
}

static void skip_space(parser *p) {
  while (p->at < p->end && (*p->at == ' ' || *p->at == '\t' || *p->at == '\n' || *p->at == '\r')) p->at++;
}

static int match_word(parser *p, const char *word) {
  size_t length = strlen(word);
  if ((size_t)(p->end - p->at) >= length && memcmp(p->at, word, length) == 0) {
    p->at += length;
    return 1;
  }
  return 0;
}

static json_value *parse_value(parser *p);

static int has_member(const json_value *object, const char *key, size_t key_length) {
  for (const json_value *member = object->child; member != NULL; member = member->next) {
    if (strlen(member->key) == key_length && memcmp(member->key, key, key_length) == 0) return 1;
  }
  return 0;
}

/* At '{' or '['. */
static json_value *parse_container(parser *p, json_type type) {
  const char close = type == JSON_OBJECT ? '}' : ']';
  if (++p->depth > MAX_DEPTH) {
    fail(p, "nested too deeply");
    return NULL;
  }
  json_value *container = new_value(p, type);
  if (container == NULL) return NULL;
  json_value **tail = &container->child;
  p->at++;
  skip_space(p);
  if (p->at < p->end && *p->at == close) {
    p->at++;
    p->depth--;
    return container;
  }
  for (;;) {
    char *key = NULL;
    skip_space(p);
    if (type == JSON_OBJECT) {
      size_t key_length = 0;
      if (p->at >= p->end || *p->at != '"') {
        fail(p, "expected a member name in quotes");
        break;
      }
      key = parse_string(p, &key_length);
      if (key == NULL) break;
      if (strlen(key) != key_length || has_member(container, key, key_length)) {
        fail(p, strlen(key) != key_length ? "NUL in a member name" : "duplicate member name");
        free(key);
        break;
      }
      skip_space(p);
      if (p->at >= p->end || *p->at != ':') {
        fail(p, "expected ':' after a member name");
        free(key);
        break;
      }
      p->at++;
    }
    json_value *item = parse_value(p);
    if (item == NULL) {
      free(key);
      break;
    }
    item->key = key;
    *tail = item;
    tail = &item->next;
    skip_space(p);
    if (p->at < p->end && *p->at == ',') {
      p->at++;
      continue;
    }
    if (p->at < p->end && *p->at == close) {
      p->at++;
      p->depth--;
      return container;
    }
    fail(p, type == JSON_OBJECT ? "expected ',' or '}'" : "expected ',' or ']'");
    break;
  }
  json_free(container);
  return NULL;
}

static json_value *parse_value(parser *p) {
  skip_space(p);
  if (p->at >= p->end) {
    fail(p, "unexpected end of input");
    return NULL;
  }
  switch (*p->at) {
    case '{':
      return parse_container(p, JSON_OBJECT);
    case '[':
      return parse_container(p, JSON_ARRAY);
    case '"': {
      json_value *value = new_value(p, JSON_STRING);
      if (value == NULL) return NULL;
      value->string = parse_string(p, &value->string_len);
      if (value->string == NULL) {
        free(value);
        return NULL;
      }
      return value;
    }
    default:
      break;
  }
  if (match_word(p, "true")) return new_bool(p, 1);
  if (match_word(p, "false")) return new_bool(p, 0);
  if (match_word(p, "null")) return new_value(p, JSON_NULL);
  if (*p->at == '-' || is_digit(*p->at)) return parse_number(p);
  fail(p, "unexpected character");
  return NULL;
}

json_value *json_parse(const char *text, size_t length, char *error, size_t error_capacity) {
  parser p = {text, text, text + length, error, error_capacity, 0};
  error[0] = '\0';
  json_value *root = parse_value(&p);
  if (root == NULL) return NULL;
  skip_space(&p);
  if (p.at != p.end) {
    fail(&p, "unexpected text after the document");
    json_free(root);
    return NULL;
  }
  return root;
}

void json_free(json_value *value) {
  while (value != NULL) {
    json_value *next = value->next;
    json_free(value->child);
    free(value->string);
    free(value->key);
    free(value);
    value = next;
  }
}

const char *json_type_name(json_type type) {
  static const char *const names[] = {"null", "boolean", "number", "string", "array", "object"};
  return names[type];
}

json_uint64_status json_get_uint64(const json_value *value, uint64_t max, uint64_t *out) {
  if (value->type != JSON_NUMBER) return JSON_UINT64_NOT_UINT;
  for (size_t i = 0; i < value->string_len; ++i) {
    if (!is_digit(value->string[i])) return JSON_UINT64_NOT_UINT;
  }
  uint64_t number = 0;
  for (size_t i = 0; i < value->string_len; ++i) {
    const uint64_t digit = (uint64_t)(value->string[i] - '0');
    if (digit > max || number > (max - digit) / 10) return JSON_UINT64_TOO_LARGE;
    number = number * 10 + digit;
  }
  *out = number;
  return JSON_UINT64_OK;
}

/* 1e0 to 1e22, the powers of ten that a double holds exactly. */
static const double exact_powers_of_ten[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                             1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                             1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
enum { MAX_EXACT_POWER = 22, MAX_KEPT_DIGITS = 19 };
#define MAX_EXACT_MANTISSA (UINT64_C(1) << 53)

/* Computed by hand rather than with strtod, whose decimal point follows
 * the process locale, which the host may have changed. The literal is
 * read as `mantissa` * 10^`exponent`: up to 19 significant digits go into
 * the mantissa (the rest are below a double's precision). When the
 * mantissa and the power of ten are both exact doubles, one multiplication
 * or division rounds correctly; otherwise the scaling takes a few steps. */
int json_get_double(const json_value *value, double *out) {
  if (value->type != JSON_NUMBER) return 0;
  const char *at = value->string; /* matches the grammar, NUL-terminated */
  const int negative = *at == '-';
  if (negative) at++;
  uint64_t mantissa = 0;
  int kept = 0;
  long exponent = 0;
  for (; is_digit(*at); at++) {
    if (kept < MAX_KEPT_DIGITS) {
      mantissa = mantissa * 10 + (uint64_t)(*at - '0');
      if (mantissa != 0) kept++;
    } else {
      exponent++;
    }
  }
  if (*at == '.') {
    for (at++; is_digit(*at); at++) {
      if (kept < MAX_KEPT_DIGITS) {
        mantissa = mantissa * 10 + (uint64_t)(*at - '0');
        if (mantissa != 0) kept++;
        exponent--;
      }
    }
  }
  if (*at == 'e' || *at == 'E') {
    at++;
    const int negative_exponent = *at == '-';
    if (*at == '+' || *at == '-') at++;
    long written = 0;
    /* Capped: past 100000 every double is infinite or zero (short of a
     * literal with that many digits before or after its point). */
    for (; is_digit(*at); at++) {
      if (written < 100000) written = written * 10 + (*at - '0');
    }
    exponent += negative_exponent ? -written : written;
  }
  double number = (double)mantissa;
  if (mantissa != 0) {
    if (mantissa <= MAX_EXACT_MANTISSA && exponent >= -MAX_EXACT_POWER && exponent <= MAX_EXACT_POWER) {
      number =
          exponent < 0 ? number / exact_powers_of_ten[-exponent] : number * exact_powers_of_ten[exponent];
    } else {
      for (; exponent > MAX_EXACT_POWER && number <= DBL_MAX; exponent -= MAX_EXACT_POWER) {
        number *= exact_powers_of_ten[MAX_EXACT_POWER];
      }
      for (; exponent < -MAX_EXACT_POWER && number > 0; exponent += MAX_EXACT_POWER) {
        number /= exact_powers_of_ten[MAX_EXACT_POWER];
      }
      if (exponent > 0 && exponent <= MAX_EXACT_POWER) number *= exact_powers_of_ten[exponent];
      if (exponent < 0 && exponent >= -MAX_EXACT_POWER) number /= exact_powers_of_ten[-exponent];
    }
  }
  *out = negative ? -number : number;
  return 1;
}

size_t json_count_children(const json_value *container) {
  size_t count = 0;
  for (const json_value *child = container->child; child != NULL; child = child->next) ++count;
  return count;
}

char *json_copy_bytes(const char *bytes, size_t length) {
  char *copy = malloc(length + 1);
  if (copy != NULL) {
    memcpy(copy, bytes, length);
    copy[length] = '\0';
  }
  return copy;
}
