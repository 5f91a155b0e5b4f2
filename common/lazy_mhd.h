/*
 * lazy_mhd.h - libmicrohttpd, loaded on first use (see common/lazylib.h): only
 * `ace metadata-service` serves HTTP. stage0/mds/public.c includes this instead of
 * <microhttpd.h>.
 */
#pragma once

#include <microhttpd.h>

#include "common/lazylib.h"

#define LAZY_MHD_SYMBOLS(X)                                                                        \
        X(MHD_add_response_header)                                                                 \
        X(MHD_create_response_from_buffer)                                                         \
        X(MHD_destroy_response)                                                                    \
        X(MHD_get_connection_info)                                                                 \
        X(MHD_lookup_connection_value)                                                             \
        X(MHD_queue_response)                                                                      \
        X(MHD_start_daemon)                                                                        \
        X(MHD_stop_daemon)

LAZYLIB_DECLARE(mhd, LAZY_MHD_SYMBOLS)

#ifndef LAZYLIB_TABLES_ONLY
#define MHD_add_response_header (*lazy_mhd()->MHD_add_response_header)
#define MHD_create_response_from_buffer (*lazy_mhd()->MHD_create_response_from_buffer)
#define MHD_destroy_response (*lazy_mhd()->MHD_destroy_response)
#define MHD_get_connection_info (*lazy_mhd()->MHD_get_connection_info)
#define MHD_lookup_connection_value (*lazy_mhd()->MHD_lookup_connection_value)
#define MHD_queue_response (*lazy_mhd()->MHD_queue_response)
#define MHD_start_daemon (*lazy_mhd()->MHD_start_daemon)
#define MHD_stop_daemon (*lazy_mhd()->MHD_stop_daemon)
#endif
