// Only the declaration in include/CLibFuzzer.h is needed; SwiftPM wants a source file in a C target.
#include "CLibFuzzer.h"
