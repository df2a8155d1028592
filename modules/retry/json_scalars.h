/* The text of the numbers and booleans in a parsed JSON document.
 *
 * The shared reader (modules/common/json.h) checks numbers and booleans but
 * keeps only their type, since the first module that used it read strings
 * alone. This module's config is mostly numbers and booleans, so this file
 * recovers each one's token text from the document. It can go once the
 * shared reader keeps scalar values itself. */
#ifndef SWITCHYARD_RETRY_JSON_SCALARS_H
#define SWITCHYARD_RETRY_JSON_SCALARS_H

#include <stddef.h>

#include "json.h"

/* Maps each JSON_NUMBER and JSON_BOOL value of one tree to its token in the
 * document text. Borrows both: use it only while they live. */
typedef struct json_scalar_index {
  struct json_scalar *entries;
  size_t count;
} json_scalar_index;

/* `root` must be json_parse(text, length, ...). Returns 0 when memory runs
 * out (or, which json_parse rules out, the text does not match the tree). */
int json_scalar_index_build(json_scalar_index *index, const json_value *root, const char *text,
                            size_t length);
/* The token of a number or boolean value, e.g. "25", "2.5e1", "true";
 * NULL for any other value. Not NUL-terminated. */
const char *json_scalar_text(const json_scalar_index *index, const json_value *value, size_t *length_out);
void json_scalar_index_free(json_scalar_index *index);

#endif
