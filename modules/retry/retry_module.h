/* What retry.c (the module table and config lifecycle) and retry_stream.c (the
 * per-stream logic) share: the host table and a formatted log line. */
#ifndef SWITCHYARD_RETRY_MODULE_H
#define SWITCHYARD_RETRY_MODULE_H

#include <switchyard/filter.h>

#if defined(__GNUC__)
#define RETRY_PRINTF_LIKE(format_index, first_arg) __attribute__((format(printf, format_index, first_arg)))
#else
#define RETRY_PRINTF_LIKE(format_index, first_arg)
#endif

/* Set once by the entry symbol; valid for the module's whole life. */
extern const sy_host_api *retry_host;

/* Logs "retry: <message>" when `level` is enabled; the message is formatted
 * only then. Long messages are cut. */
void retry_log(sy_log_level level, const char *format, ...) RETRY_PRINTF_LIKE(2, 3);

#endif
