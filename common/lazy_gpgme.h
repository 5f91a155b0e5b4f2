/*
 * lazy_gpgme.h - gpgme, loaded on first use (see common/lazylib.h). stage0/pgp.c includes this
 * instead of <gpgme.h>. gpgme_check_version() is gpgme's macro around
 * gpgme_check_version_internal(); gpgme_err_code() and friends are inline.
 */
#pragma once

#include <gpgme.h>

#include "common/lazylib.h"

#define LAZY_GPGME_SYMBOLS(X)                                                                      \
        X(gpgme_check_version_internal)                                                            \
        X(gpgme_ctx_set_engine_info)                                                               \
        X(gpgme_data_new_from_cbs)                                                                 \
        X(gpgme_data_new_from_mem)                                                                 \
        X(gpgme_data_release)                                                                      \
        X(gpgme_engine_check_version)                                                              \
        X(gpgme_get_key)                                                                           \
        X(gpgme_hash_algo_name)                                                                    \
        X(gpgme_key_unref)                                                                         \
        X(gpgme_new)                                                                               \
        X(gpgme_op_import)                                                                         \
        X(gpgme_op_import_result)                                                                  \
        X(gpgme_op_keylist_end)                                                                    \
        X(gpgme_op_keylist_next)                                                                   \
        X(gpgme_op_keylist_start)                                                                  \
        X(gpgme_op_verify)                                                                         \
        X(gpgme_op_verify_result)                                                                  \
        X(gpgme_release)                                                                           \
        X(gpgme_set_offline)                                                                       \
        X(gpgme_set_protocol)                                                                      \
        X(gpgme_strerror)

LAZYLIB_DECLARE(gpgme, LAZY_GPGME_SYMBOLS)

#ifndef LAZYLIB_TABLES_ONLY
#define gpgme_check_version_internal (*lazy_gpgme()->gpgme_check_version_internal)
#define gpgme_ctx_set_engine_info (*lazy_gpgme()->gpgme_ctx_set_engine_info)
#define gpgme_data_new_from_cbs (*lazy_gpgme()->gpgme_data_new_from_cbs)
#define gpgme_data_new_from_mem (*lazy_gpgme()->gpgme_data_new_from_mem)
#define gpgme_data_release (*lazy_gpgme()->gpgme_data_release)
#define gpgme_engine_check_version (*lazy_gpgme()->gpgme_engine_check_version)
#define gpgme_get_key (*lazy_gpgme()->gpgme_get_key)
#define gpgme_hash_algo_name (*lazy_gpgme()->gpgme_hash_algo_name)
#define gpgme_key_unref (*lazy_gpgme()->gpgme_key_unref)
#define gpgme_new (*lazy_gpgme()->gpgme_new)
#define gpgme_op_import (*lazy_gpgme()->gpgme_op_import)
#define gpgme_op_import_result (*lazy_gpgme()->gpgme_op_import_result)
#define gpgme_op_keylist_end (*lazy_gpgme()->gpgme_op_keylist_end)
#define gpgme_op_keylist_next (*lazy_gpgme()->gpgme_op_keylist_next)
#define gpgme_op_keylist_start (*lazy_gpgme()->gpgme_op_keylist_start)
#define gpgme_op_verify (*lazy_gpgme()->gpgme_op_verify)
#define gpgme_op_verify_result (*lazy_gpgme()->gpgme_op_verify_result)
#define gpgme_release (*lazy_gpgme()->gpgme_release)
#define gpgme_set_offline (*lazy_gpgme()->gpgme_set_offline)
#define gpgme_set_protocol (*lazy_gpgme()->gpgme_set_protocol)
#define gpgme_strerror (*lazy_gpgme()->gpgme_strerror)
#endif
