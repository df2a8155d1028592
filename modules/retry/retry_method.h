/* Which request methods may be sent twice. */
#ifndef SWITCHYARD_RETRY_METHOD_H
#define SWITCHYARD_RETRY_METHOD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Nonzero for GET, HEAD, OPTIONS, TRACE, PUT and DELETE: the methods RFC 9110
 * (section 9.2.2) calls idempotent, where a second copy of the request has
 * the same effect as one. Methods are case-sensitive, so "get" is not GET. */
int retry_method_is_idempotent(const char *method, size_t length);

#ifdef __cplusplus
}
#endif

#endif
