#ifndef HERDWATCH_CHYPERSCAN_SHIM_H
#define HERDWATCH_CHYPERSCAN_SHIM_H
#include <hs/hs.h>
#endif
