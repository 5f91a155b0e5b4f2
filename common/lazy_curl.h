/*
 * lazy_curl.h - libcurl, loaded on first use (see common/lazylib.h). discovery/http.c includes
 * this instead of <curl/curl.h>.
 *
 * curl_easy_setopt() and curl_easy_getinfo() are curl's type-checking macros (typecheck-gcc.h)
 * around the real calls; here they call through the table, so the option/value checks run in
 * a separate compile of http.c with LAZY_CURL_TYPECHECK defined (the Makefile's
 * curl-typecheck object), which keeps curl's macros and is never linked.
 */
#pragma once

#include <curl/curl.h>

#include "common/lazylib.h"

#define LAZY_CURL_SYMBOLS(X)                                                                       \
        X(curl_easy_cleanup)                                                                       \
        X(curl_easy_getinfo)                                                                       \
        X(curl_easy_init)                                                                          \
        X(curl_easy_perform)                                                                       \
        X(curl_easy_reset)                                                                         \
        X(curl_easy_setopt)                                                                        \
        X(curl_easy_strerror)                                                                      \
        X(curl_free)                                                                               \
        X(curl_global_init)                                                                        \
        X(curl_slist_append)                                                                       \
        X(curl_slist_free_all)                                                                     \
        X(curl_url)                                                                                \
        X(curl_url_cleanup)                                                                        \
        X(curl_url_get)                                                                            \
        X(curl_url_set)

LAZYLIB_DECLARE(curl, LAZY_CURL_SYMBOLS)

#ifndef LAZYLIB_TABLES_ONLY
#ifndef LAZY_CURL_TYPECHECK
#undef curl_easy_getinfo
#undef curl_easy_setopt
#define curl_easy_getinfo (*lazy_curl()->curl_easy_getinfo)
#define curl_easy_setopt (*lazy_curl()->curl_easy_setopt)
#endif
#define curl_easy_cleanup (*lazy_curl()->curl_easy_cleanup)
#define curl_easy_init (*lazy_curl()->curl_easy_init)
#define curl_easy_perform (*lazy_curl()->curl_easy_perform)
#define curl_easy_reset (*lazy_curl()->curl_easy_reset)
#define curl_easy_strerror (*lazy_curl()->curl_easy_strerror)
#define curl_free (*lazy_curl()->curl_free)
#define curl_global_init (*lazy_curl()->curl_global_init)
#define curl_slist_append (*lazy_curl()->curl_slist_append)
#define curl_slist_free_all (*lazy_curl()->curl_slist_free_all)
#define curl_url (*lazy_curl()->curl_url)
#define curl_url_cleanup (*lazy_curl()->curl_url_cleanup)
#define curl_url_get (*lazy_curl()->curl_url_get)
#define curl_url_set (*lazy_curl()->curl_url_set)
#endif
