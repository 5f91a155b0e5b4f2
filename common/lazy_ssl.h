/*
 * lazy_ssl.h - libssl, loaded on first use (see common/lazylib.h). Only discovery/http.c's
 * CURLOPT_SSL_CTX_FUNCTION callback calls it, when libcurl (which depends on libssl) is already
 * loaded; linked, it would be mapped at every start.
 */
#pragma once

#include <openssl/ssl.h>

#include "common/lazylib.h"

#define LAZY_SSL_SYMBOLS(X) X(SSL_CTX_get_cert_store)

LAZYLIB_DECLARE(ssl, LAZY_SSL_SYMBOLS)

#ifndef LAZYLIB_TABLES_ONLY
#define SSL_CTX_get_cert_store (*lazy_ssl()->SSL_CTX_get_cert_store)
#endif
