/*
 * hash.c - streaming SHA-512 and image IDs (see hash.h).
 *
 * OpenSSL's low-level SHA512_Init/Update/Final, not EVP: the first EVP digest of a process
 * initialises the library context, reads openssl.cnf and fetches the default provider's
 * implementation, ~6 million instructions (~1 ms) that every `ace run` paid for one tree ID.
 * The low-level functions run the same block code without any of that. OpenSSL 3 deprecates
 * them (they stay in libcrypto 3.x); the macro keeps -Werror quiet for this file only.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "common/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"

int hash_sha512_init(struct hash_sha512 *h, struct ace_error **err)
{
        SHA512_CTX *ctx = malloc(sizeof(*ctx));

        h->ctx = NULL;
        if (!ctx)
                return ace_error_make(err, ENOMEM, "sha512: cannot allocate digest context");
        if (SHA512_Init(ctx) != 1) {
                free(ctx);
                return ace_error_make(err, EIO, "sha512: digest initialisation failed");
        }
        h->ctx = ctx;
        return 0;
}

void hash_sha512_update(struct hash_sha512 *h, const void *buf, size_t len)
{
        /* SHA512_Update on an initialised context cannot fail. */
        if (len)
                (void)SHA512_Update(h->ctx, buf, len);
}

int hash_sha512_final(struct hash_sha512 *h, unsigned char out[HASH_SHA512_LEN],
                      struct ace_error **err)
{
        int r = 0;

        if (!h->ctx)
                return ace_error_make(err, EINVAL, "sha512: digest not initialised");
        if (SHA512_Final(out, h->ctx) != 1)
                r = ace_error_make(err, EIO, "sha512: digest finalisation failed");
        hash_sha512_free(h);
        return r;
}

int hash_sha512_final_hex(struct hash_sha512 *h, char hex[HASH_SHA512_HEX_LEN + 1],
                          struct ace_error **err)
{
        unsigned char bin[HASH_SHA512_LEN];
        int r = hash_sha512_final(h, bin, err);

        if (r < 0)
                return r;
        hash_hex(bin, sizeof(bin), hex);
        return 0;
}

int hash_sha512_final_image_id(struct hash_sha512 *h, char id[HASH_IMAGE_ID_SIZE],
                               struct ace_error **err)
{
        size_t plen = strlen(HASH_IMAGE_ID_PREFIX);

        memcpy(id, HASH_IMAGE_ID_PREFIX, plen);
        return hash_sha512_final_hex(h, id + plen, err);
}

void hash_sha512_free(struct hash_sha512 *h)
{
        free(h->ctx);
        h->ctx = NULL;
}

void hash_hex(const unsigned char *bin, size_t len, char *out)
{
        static const char digits[] = "0123456789abcdef";

        for (size_t i = 0; i < len; i++) {
                out[2 * i] = digits[bin[i] >> 4];
                out[2 * i + 1] = digits[bin[i] & 0xf];
        }
        out[2 * len] = '\0';
}

int hash_fd_sha512(int fd, char hex[HASH_SHA512_HEX_LEN + 1], struct ace_error **err)
{
        struct hash_sha512 h;
        _cleanup_free_ unsigned char *buf = NULL;
        const size_t bufsz = 1 << 20;
        int r;

        r = hash_sha512_init(&h, err);
        if (r < 0)
                return r;
        buf = malloc(bufsz);
        if (!buf) {
                hash_sha512_free(&h);
                return ace_error_make(err, ENOMEM, "sha512: cannot allocate buffer");
        }
        for (;;) {
                ssize_t n = TEMP_FAILURE_RETRY(read(fd, buf, bufsz));
                if (n < 0) {
                        r = ace_error_errno(err, errno, "sha512: read");
                        hash_sha512_free(&h);
                        return r;
                }
                if (n == 0)
                        break;
                hash_sha512_update(&h, buf, (size_t)n);
        }
        return hash_sha512_final_hex(&h, hex, err);
}

int hash_file_sha512(int dirfd, const char *path, char hex[HASH_SHA512_HEX_LEN + 1],
                     struct ace_error **err)
{
        _cleanup_close_ int fd = -EBADF;
        int r;

        fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0)
                return ace_error_errno(err, errno, "open %s", path);
        r = hash_fd_sha512(fd, hex, err);
        if (r < 0)
                return ace_error_wrap(err, "%s", path);
        return 0;
}
