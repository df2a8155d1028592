#include "member_text.h"

/* Every scan below runs over a document json_parse already accepted, so it
 * only has to find boundaries, not check the grammar; the bounds checks stay
 * so that a caller's mistake reads nothing outside the document. */

typedef struct cursor {
  const char *at;
  const char *end;
} cursor;

static void skip_space(cursor *c) {
  while (c->at < c->end && (*c->at == ' ' || *c->at == '\t' || *c->at == '\n' || *c->at == '\r')) c->at++;
}

/* At the opening quote; stops after the closing one. */
static void skip_string(cursor *c) {
  c->at++;
  while (c->at < c->end && *c->at != '"') c->at += *c->at == '\\' ? 2 : 1;
  if (c->at < c->end) c->at++;
}

/* At '{' or '['; stops after the bracket that closes it. Quoted brackets do
 * not count, which is why strings are skipped whole. */
static void skip_container(cursor *c) {
  int depth = 0;
  while (c->at < c->end) {
    char byte = *c->at;
    if (byte == '"') {
      skip_string(c);
      continue;
    }
    c->at++;
    if (byte == '{' || byte == '[') {
      depth++;
    } else if ((byte == '}' || byte == ']') && --depth == 0) {
      return;
    }
  }
}

/* A number, true, false or null runs up to the next delimiter. */
static void skip_scalar(cursor *c) {
  while (c->at < c->end && *c->at != ',' && *c->at != '}' && *c->at != ']' && *c->at != ' ' &&
         *c->at != '\t' && *c->at != '\n' && *c->at != '\r') {
    c->at++;
  }
}

static void skip_value(cursor *c) {
  if (c->at >= c->end) return;
  if (*c->at == '"') {
    skip_string(c);
  } else if (*c->at == '{' || *c->at == '[') {
    skip_container(c);
  } else {
    skip_scalar(c);
  }
}

int member_value_text(const char *document, size_t length, size_t index, const char **text_out,
                      size_t *length_out) {
  cursor c = {document, document + length};
  skip_space(&c);
  if (c.at >= c.end || *c.at != '{') return 0;
  c.at++;
  for (size_t member = 0;; ++member) {
    skip_space(&c);
    if (c.at >= c.end || *c.at != '"') return 0; /* '}': no member left */
    skip_string(&c);
    skip_space(&c);
    if (c.at >= c.end || *c.at != ':') return 0;
    c.at++;
    skip_space(&c);
    const char *value = c.at;
    skip_value(&c);
    if (member == index) {
      *text_out = value;
      *length_out = (size_t)(c.at - value);
      return 1;
    }
    skip_space(&c);
    if (c.at >= c.end || *c.at != ',') return 0;
    c.at++;
  }
}
