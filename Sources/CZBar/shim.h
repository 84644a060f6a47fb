#ifndef HERDWATCH_CZBAR_SHIM_H
#define HERDWATCH_CZBAR_SHIM_H
// QR decoding (zbar) and the two image decoders it needs: zbar reads greyscale pixels, not files.
#include <zbar.h>
#include <png.h>
#include <turbojpeg.h>
#endif
