#ifndef HERDWATCH_CPSL_SHIM_H
#define HERDWATCH_CPSL_SHIM_H
#include <stdio.h>
#include <libpsl.h>
#endif
