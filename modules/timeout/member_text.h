/* The literal text of a member's value in a JSON document.
 *
 * modules/common/json.c keeps no value for numbers (the modules before this
 * one only read strings), but this filter's durations are JSON numbers. So
 * config.c lets json_parse validate the document and build the tree, then
 * asks here for the characters of a number member, e.g. "3000" or "1.5",
 * to read or reject them exactly. */
#ifndef TIMEOUT_MEMBER_TEXT_H
#define TIMEOUT_MEMBER_TEXT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" { /* the unit tests are C++ */
#endif

/* `document` must be one JSON object that json_parse accepted. Finds the
 * value of its `index`-th member (0-based, in document order, which is the
 * order of the parsed tree's children) and stores where its text starts and
 * how long it is. Returns 0 when the object has fewer members. */
int member_value_text(const char *document, size_t length, size_t index, const char **text_out,
                      size_t *length_out);

#ifdef __cplusplus
}
#endif

#endif
