/*
 * lazy_lzma.h - liblzma, loaded on first use (see common/lazylib.h): the xz decoder of
 * common/tar_stream.c, which includes this instead of <lzma.h>.
 */
#pragma once

#include <lzma.h>

#include "common/lazylib.h"

#define LAZY_LZMA_SYMBOLS(X)                                                                       \
        X(lzma_code)                                                                               \
        X(lzma_end)                                                                                \
        X(lzma_stream_decoder)

LAZYLIB_DECLARE(lzma, LAZY_LZMA_SYMBOLS)

#ifndef LAZYLIB_TABLES_ONLY
#define lzma_code (*lazy_lzma()->lzma_code)
#define lzma_end (*lazy_lzma()->lzma_end)
#define lzma_stream_decoder (*lazy_lzma()->lzma_stream_decoder)
#endif
