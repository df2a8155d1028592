/* What the fault module's files share: the host table. */
#ifndef SWITCHYARD_FAULT_MODULE_H
#define SWITCHYARD_FAULT_MODULE_H

#include <switchyard/filter.h>

/* Set once by the entry symbol; valid for the module's whole life. */
extern const sy_host_api *fault_host;

#endif
