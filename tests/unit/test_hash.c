/* test_hash.c - SHA-512 streaming against known vectors, image IDs, file hashing. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/hash.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"

/* FIPS 180-2 vectors. */
#define ABC_SHA512                                                                                 \
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23" \
        "a"                                                                                        \
        "3feebbd454d4423643ce80e2a9ac94fa54ca49f"
#define EMPTY_SHA512                                                                               \
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2" \
        "8"                                                                                        \
        "77eec2f63b931bd47417a81a538327af927da3e"

Test(hash, vectors_and_streaming)
{
        struct hash_sha512 h;
        char hex[HASH_SHA512_HEX_LEN + 1];

        cr_assert_eq(hash_sha512_init(&h, NULL), 0);
        hash_sha512_update(&h, "a", 1);
        hash_sha512_update(&h, "", 0);
        hash_sha512_update(&h, "bc", 2);
        cr_assert_eq(hash_sha512_final_hex(&h, hex, NULL), 0);
        cr_assert_str_eq(hex, ABC_SHA512);
        cr_assert_null(h.ctx, "context released after final");

        cr_assert_eq(hash_sha512_init(&h, NULL), 0);
        char id[HASH_IMAGE_ID_SIZE];
        cr_assert_eq(hash_sha512_final_image_id(&h, id, NULL), 0);
        cr_assert_str_eq(id, "sha512-" EMPTY_SHA512);
        cr_assert_eq(strlen(id), HASH_IMAGE_ID_SIZE - 1);

        /* Freeing an unfinished context is fine; finishing a freed one is an error. */
        cr_assert_eq(hash_sha512_init(&h, NULL), 0);
        hash_sha512_free(&h);
        struct ace_error *err = NULL;
        cr_assert_lt(hash_sha512_final_hex(&h, hex, &err), 0);
        ace_error_free(err);
}

Test(hash, hex)
{
        char out[7];
        hash_hex((const unsigned char *)"\x00\xab\xff", 3, out);
        cr_assert_str_eq(out, "00abff");
}

Test(hash, file)
{
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-hash");
        _cleanup_free_ char *f = xasprintf("%s/abc", dir);
        _cleanup_free_ char *l = xasprintf("%s/link", dir);
        char hex[HASH_SHA512_HEX_LEN + 1];
        struct ace_error *err = NULL;

        th_write_file(f, "abc", 0644);
        cr_assert_eq(hash_file_sha512(AT_FDCWD, f, hex, &err), 0);
        cr_assert_str_eq(hex, ABC_SHA512);
        cr_assert_eq(symlink(f, l), 0);
        cr_assert_lt(hash_file_sha512(AT_FDCWD, l, hex, &err), 0, "followed a symlink");
        ace_error_freep(&err);
        /* A large file read in several chunks. */
        _cleanup_free_ char *big = xasprintf("%s/big", dir);
        int fd = open(big, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        char *buf = xcalloc(1, 3 << 20);
        cr_assert_eq(write(fd, buf, 3 << 20), 3 << 20);
        close(fd);
        struct hash_sha512 h;
        char want[HASH_SHA512_HEX_LEN + 1];
        hash_sha512_init(&h, NULL);
        hash_sha512_update(&h, buf, 3 << 20);
        hash_sha512_final_hex(&h, want, NULL);
        cr_assert_eq(hash_file_sha512(AT_FDCWD, big, hex, NULL), 0);
        cr_assert_str_eq(hex, want);
        free(buf);
        th_rm_rf(dir);
}
