/*
 * test_lazylib.c - the lazily loaded libraries (common/lazylib.h): every table resolves
 * against the libraries installed here (right SONAMEs, every symbol present), and a missing
 * library or symbol ends the process with one line naming both and exit status 127, never a
 * crash.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LAZYLIB_TABLES_ONLY
#include "common/lazy_archive.h"
#include "common/lazy_curl.h"
#include "common/lazy_gpgme.h"
#include "common/lazy_lzma.h"
#include "common/lazy_mhd.h"
#include "common/lazy_ssl.h"
#include "common/lazy_xml.h"
#include "common/lazylib.h"

#define EXPECT_RESOLVED(sym) cr_expect_not_null(t->sym, "%s", #sym);
#define EXPECT_TABLE(lib, SYMBOLS)                                                                 \
        do {                                                                                       \
                const struct lazy_##lib *t = lazy_##lib();                                         \
                SYMBOLS(EXPECT_RESOLVED)                                                           \
        } while (0)

Test(lazylib, every_table_resolves)
{
        EXPECT_TABLE(archive, LAZY_ARCHIVE_SYMBOLS);
        EXPECT_TABLE(curl, LAZY_CURL_SYMBOLS);
        EXPECT_TABLE(gpgme, LAZY_GPGME_SYMBOLS);
        EXPECT_TABLE(lzma, LAZY_LZMA_SYMBOLS);
        EXPECT_TABLE(mhd, LAZY_MHD_SYMBOLS);
        EXPECT_TABLE(ssl, LAZY_SSL_SYMBOLS);
        EXPECT_TABLE(xml, LAZY_XML_SYMBOLS);
}

Test(lazylib, same_function_as_the_linked_library)
{
        /* This binary links libcurl: the table must point at that copy, not a second one. */
        cr_assert_eq((void *)lazy_curl()->curl_easy_init, (void *)&curl_easy_init);
        cr_assert_eq((void *)lazy_xml()->xmlFree, (void *)&xmlFree);
}

/* Runs fn in a child with stderr captured; returns the wait status, stderr in *out. */
static int run_child(void (*fn)(void), char *out, size_t outsz)
{
        int p[2], status = 0;
        size_t len = 0;
        ssize_t n;
        pid_t pid;

        cr_assert_eq(pipe(p), 0);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                dup2(p[1], STDERR_FILENO);
                close(p[0]);
                close(p[1]);
                fn();
                _exit(0); /* not reached when fn fails as it should */
        }
        close(p[1]);
        while (len + 1 < outsz && (n = read(p[0], out + len, outsz - len - 1)) > 0)
                len += (size_t)n;
        out[len] = '\0';
        close(p[0]);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        return status;
}

static void open_missing_library(void)
{
        lazylib_open("libace-no-such-library.so.0");
}

static void resolve_missing_symbol(void)
{
        lazylib_open("libc.so.6");
        (void)lazylib_sym("libc.so.6", "ace_no_such_symbol");
}

Test(lazylib, missing_library_is_one_line_and_exit_127)
{
        char out[1024];
        int st = run_child(open_missing_library, out, sizeof(out));

        cr_assert(WIFEXITED(st), "status %#x", st);
        cr_assert_eq(WEXITSTATUS(st), LAZYLIB_EXIT_STATUS);
        cr_assert_eq(LAZYLIB_EXIT_STATUS, 127);
        cr_assert_str_eq(out, "ace: cannot load libace-no-such-library.so.0: cannot open shared "
                              "object file: No such file or directory\n");
}

Test(lazylib, missing_symbol_is_one_line_and_exit_127)
{
        char out[1024];
        int st = run_child(resolve_missing_symbol, out, sizeof(out));

        cr_assert(WIFEXITED(st), "status %#x", st);
        cr_assert_eq(WEXITSTATUS(st), LAZYLIB_EXIT_STATUS);
        cr_assert_str_eq(out, "ace: cannot load libc.so.6: no symbol ace_no_such_symbol\n");
}
