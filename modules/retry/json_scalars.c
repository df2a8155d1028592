#include "json_scalars.h"

#include <stdlib.h>

typedef struct json_scalar {
  const json_value *value;
  const char *text;
  size_t length;
} json_scalar;

/* Walks the document text from `at` to the next number, true or false
 * token, stepping over strings (member names included), null and
 * punctuation. The text was already validated by json_parse, so this only
 * has to tell tokens apart, not check them. */
typedef struct token_scanner {
  const char *at;
  const char *end;
} token_scanner;

static int is_number_char(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

static void skip_string(token_scanner *scanner) {
  ++scanner->at; /* the opening quote */
  while (scanner->at < scanner->end && *scanner->at != '"') {
    scanner->at += *scanner->at == '\\' ? 2 : 1;
  }
  ++scanner->at; /* the closing quote */
}

static int next_scalar(token_scanner *scanner, const char **text_out, size_t *length_out) {
  while (scanner->at < scanner->end) {
    const char c = *scanner->at;
    if (c == '"') {
      skip_string(scanner);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      const char *start = scanner->at;
      while (scanner->at < scanner->end && is_number_char(*scanner->at)) ++scanner->at;
      *text_out = start;
      *length_out = (size_t)(scanner->at - start);
      return 1;
    } else if (c == 't' || c == 'f') {
      const size_t length = c == 't' ? 4 : 5;
      if ((size_t)(scanner->end - scanner->at) < length) return 0;
      *text_out = scanner->at;
      *length_out = length;
      scanner->at += length;
      return 1;
    } else {
      /* null, whitespace, punctuation */
      scanner->at += c == 'n' ? 4 : 1;
    }
  }
  return 0;
}

static size_t count_scalars(const json_value *value) {
  size_t count = 0;
  for (; value != NULL; value = value->next) {
    if (value->type == JSON_NUMBER || value->type == JSON_BOOL) ++count;
    count += count_scalars(value->child);
  }
  return count;
}

/* The tree's values in pre-order are the document's values in text order,
 * so the n-th number or boolean of the walk is the n-th token. */
static int pair_scalars(json_scalar_index *index, const json_value *value, token_scanner *scanner) {
  for (; value != NULL; value = value->next) {
    if (value->type == JSON_NUMBER || value->type == JSON_BOOL) {
      json_scalar *entry = &index->entries[index->count];
      if (!next_scalar(scanner, &entry->text, &entry->length)) return 0;
      entry->value = value;
      ++index->count;
    }
    if (!pair_scalars(index, value->child, scanner)) return 0;
  }
  return 1;
}

int json_scalar_index_build(json_scalar_index *index, const json_value *root, const char *text,
                            size_t length) {
  index->entries = NULL;
  index->count = 0;
  const size_t count = count_scalars(root);
  if (count == 0) return 1;
  index->entries = calloc(count, sizeof *index->entries);
  if (index->entries == NULL) return 0;
  token_scanner scanner = {text, text + length};
  if (!pair_scalars(index, root, &scanner)) {
    json_scalar_index_free(index);
    return 0;
  }
  return 1;
}

const char *json_scalar_text(const json_scalar_index *index, const json_value *value, size_t *length_out) {
  /* Configs hold a few dozen scalars at most; a linear search is enough. */
  for (size_t i = 0; i < index->count; ++i) {
    if (index->entries[i].value == value) {
      *length_out = index->entries[i].length;
      return index->entries[i].text;
    }
  }
  return NULL;
}

void json_scalar_index_free(json_scalar_index *index) {
  free(index->entries);
  index->entries = NULL;
  index->count = 0;
}
