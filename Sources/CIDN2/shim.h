#ifndef HERDWATCH_CIDN2_SHIM_H
#define HERDWATCH_CIDN2_SHIM_H
#include <idn2.h>
#endif
