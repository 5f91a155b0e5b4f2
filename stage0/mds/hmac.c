/* hmac.c - the metadata service's HMAC key and signatures (hmac.h). */
#include "stage0/mds/hmac.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

static int read_key(int dfd, unsigned char key[MDS_HMAC_KEY_BYTES], struct ace_error **err)
{
        _cleanup_close_ int fd = openat(dfd, "hmac-key", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct stat st;
        ssize_t n;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return ace_error_errno(err, errno, "stat the HMAC key");
        if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 077))
                return ace_error_make(err, EPERM,
                                      "the HMAC key must be a file owned by root with mode 0600");
        n = TEMP_FAILURE_RETRY(read(fd, key, MDS_HMAC_KEY_BYTES));
        if (n != MDS_HMAC_KEY_BYTES || st.st_size != MDS_HMAC_KEY_BYTES)
                return ace_error_make(err, EINVAL, "the HMAC key is not %d bytes",
                                      MDS_HMAC_KEY_BYTES);
        return 0;
}

/* Written under a temporary name and linked into place: whoever links first wins. */
static int create_key(int dfd, struct ace_error **err)
{
        unsigned char key[MDS_HMAC_KEY_BYTES];
        char tmp[64];
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
                return ace_error_errno(err, errno, "getrandom");
        snprintf(tmp, sizeof(tmp), "hmac-key.tmp%d", (int)getpid());
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return ace_error_errno(err, errno, "create the HMAC key");
        r = fs_write_all(fd, key, sizeof(key), err);
        OPENSSL_cleanse(key, sizeof(key));
        if (r >= 0 && fsync(fd) < 0)
                r = ace_error_errno(err, errno, "fsync the HMAC key");
        if (r >= 0 && linkat(dfd, tmp, dfd, "hmac-key", 0) < 0 && errno != EEXIST)
                r = ace_error_errno(err, errno, "install the HMAC key");
        (void)unlinkat(dfd, tmp, 0);
        return r;
}

int mds_hmac_key_load(const char *data_dir, unsigned char key[MDS_HMAC_KEY_BYTES],
                      struct ace_error **err)
{
        _cleanup_free_ char *dir = xasprintf("%s/metadata-service", data_dir);
        _cleanup_close_ int dfd = -EBADF;
        int r;

        if (mkdir(data_dir, 0755) < 0 && errno != EEXIST)
                return ace_error_errno(err, errno, "mkdir %s", data_dir);
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return ace_error_errno(err, errno, "mkdir %s", dir);
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0)
                return ace_error_errno(err, errno, "open %s", dir);
        r = read_key(dfd, key, err);
        if (r != -ENOENT)
                return r;
        if ((r = create_key(dfd, err)) < 0)
                return r;
        r = read_key(dfd, key, err);
        return r == -ENOENT ? ace_error_make(err, ENOENT, "the HMAC key vanished") : r;
}

static void compute(const unsigned char key[MDS_HMAC_KEY_BYTES], const unsigned char uuid[16],
                    const char *content, size_t len, unsigned char out[64])
{
        unsigned int outlen = 64;
        HMAC_CTX *ctx;

        /* HMAC_CTX is deprecated in OpenSSL 3 but the EVP_MAC path is far more code for the
         * same two updates; suppress the warning locally. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
        ctx = HMAC_CTX_new();
        HMAC_Init_ex(ctx, key, MDS_HMAC_KEY_BYTES, EVP_sha512(), NULL);
        HMAC_Update(ctx, uuid, 16);
        HMAC_Update(ctx, (const unsigned char *)content, len);
        HMAC_Final(ctx, out, &outlen);
        HMAC_CTX_free(ctx);
#pragma GCC diagnostic pop
}

char *mds_hmac_sign(const unsigned char key[MDS_HMAC_KEY_BYTES], const unsigned char uuid[16],
                    const char *content, size_t len)
{
        unsigned char mac[64];
        char *b64 = xmalloc(4 * ((sizeof(mac) + 2) / 3) + 1);

        compute(key, uuid, content, len, mac);
        EVP_EncodeBlock((unsigned char *)b64, mac, (int)sizeof(mac));
        return b64;
}

int mds_hmac_verify(const unsigned char key[MDS_HMAC_KEY_BYTES], const unsigned char uuid[16],
                    const char *content, size_t len, const char *sig)
{
        unsigned char mac[64], got[3 * 90 / 4 + 3];
        size_t n = strlen(sig);
        int dec;

        /* SHA-512 in base64 is 88 characters with "==" padding. */
        if (n != 88)
                return -EINVAL;
        dec = EVP_DecodeBlock(got, (const unsigned char *)sig, (int)n);
        if (dec != 66 || sig[86] != '=' || sig[87] != '=')
                return -EINVAL;
        compute(key, uuid, content, len, mac);
        return CRYPTO_memcmp(mac, got, sizeof(mac)) == 0;
}
