/*
 * hash.h - streaming SHA-512 (OpenSSL's libcrypto), and the appc image ID built from it.
 *
 * An appc image ID is "sha512-" + the lowercase hex SHA-512 of the *uncompressed* tar stream.
 * Callers feed bytes as they stream past (download, decompress, write) so nothing is read twice.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define HASH_SHA512_LEN 64
#define HASH_SHA512_HEX_LEN 128
/* "sha512-" + 128 hex digits + NUL. */
#define HASH_IMAGE_ID_PREFIX "sha512-"
#define HASH_IMAGE_ID_SIZE (sizeof(HASH_IMAGE_ID_PREFIX) - 1 + HASH_SHA512_HEX_LEN + 1)

struct hash_sha512 {
        void *ctx; /* SHA512_CTX *, NULL when not initialised */
};

int hash_sha512_init(struct hash_sha512 *h, struct ace_error **err);
void hash_sha512_update(struct hash_sha512 *h, const void *buf, size_t len);
/* Finishes the digest into out[HASH_SHA512_LEN] and releases the context. */
int hash_sha512_final(struct hash_sha512 *h, unsigned char out[HASH_SHA512_LEN],
                      struct ace_error **err);
/* Same, as NUL-terminated lowercase hex (HASH_SHA512_HEX_LEN + 1 bytes). */
int hash_sha512_final_hex(struct hash_sha512 *h, char hex[HASH_SHA512_HEX_LEN + 1],
                          struct ace_error **err);
/* Same, as an image ID "sha512-<hex>" (HASH_IMAGE_ID_SIZE bytes). */
int hash_sha512_final_image_id(struct hash_sha512 *h, char id[HASH_IMAGE_ID_SIZE],
                               struct ace_error **err);
/* Releases an unfinished context; safe on a finished or zeroed one. */
void hash_sha512_free(struct hash_sha512 *h);

/* Lowercase hex of len bytes into out (2*len + 1 bytes). */
void hash_hex(const unsigned char *bin, size_t len, char *out);

/* SHA-512 of everything readable from fd (from its current offset), as hex. */
int hash_fd_sha512(int fd, char hex[HASH_SHA512_HEX_LEN + 1], struct ace_error **err);
/* SHA-512 of the file at path (openat(dirfd, path), O_NOFOLLOW on the last component). */
int hash_file_sha512(int dirfd, const char *path, char hex[HASH_SHA512_HEX_LEN + 1],
                     struct ace_error **err);
