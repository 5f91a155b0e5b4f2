/*
 * hmac.h - the identity endpoint's key and signatures (appc ace.md "Identity Endpoint").
 *
 * One key per host, 64 random bytes in <data dir>/metadata-service/hmac-key (file 0600 in a
 * 0700 directory, created once, atomically: a second service starting at the same time reads
 * the first one's key). A signature is base64(HMAC-SHA512(key, uuid || content)) with uuid the
 * pod UUID's 16 bytes, as rkt computed it, so any pod can have another's signature verified.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

#define MDS_HMAC_KEY_BYTES 64

int mds_hmac_key_load(const char *data_dir, unsigned char key[MDS_HMAC_KEY_BYTES],
                      struct ace_error **err);

/* base64 of the signature; malloc'd. */
char *mds_hmac_sign(const unsigned char key[MDS_HMAC_KEY_BYTES], const unsigned char uuid[16],
                    const char *content, size_t len);

/* 1 valid, 0 invalid, -EINVAL when sig is not base64 of a SHA-512 sized value. */
int mds_hmac_verify(const unsigned char key[MDS_HMAC_KEY_BYTES], const unsigned char uuid[16],
                    const char *content, size_t len, const char *sig);
