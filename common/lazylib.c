/*
 * lazylib.c - loading of the lazily linked libraries and their tables (see lazylib.h).
 *
 * Each table is filled by a pthread_once routine, so the first users of a library racing from
 * two threads both see it complete; afterwards an access costs pthread_once's fast path.
 */
#define LAZYLIB_TABLES_ONLY
#include "common/lazylib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/lazy_archive.h"
#include "common/lazy_curl.h"
#include "common/lazy_gpgme.h"
#include "common/lazy_lzma.h"
#include "common/lazy_mhd.h"
#include "common/lazy_ssl.h"
#include "common/lazy_xml.h"
#include "common/log.h"

static void __attribute__((noreturn)) lazylib_die(const char *soname, const char *why)
{
        size_t l = strlen(soname);

        /* dlerror() usually starts with the name we print already. */
        if (strncmp(why, soname, l) == 0 && why[l] == ':' && why[l + 1] == ' ')
                why += l + 2;
        log_msg(LOG_LEVEL_ERROR, "cannot load %s: %s", soname, why);
        /* _exit: this may be a worker thread, and atexit handlers would run under its feet. */
        fflush(stdout);
        _exit(LAZYLIB_EXIT_STATUS);
}

void lazylib_open(const char *soname)
{
        const char *e;

        /* Never closed: the table points into it for the rest of the process. */
        if (!dlopen(soname, RTLD_NOW | RTLD_GLOBAL)) {
                e = dlerror();
                lazylib_die(soname, e ? e : "dlopen failed");
        }
}

void *lazylib_sym(const char *soname, const char *name)
{
        void *p = dlsym(RTLD_DEFAULT, name);

        if (!p) {
                char why[256];
                snprintf(why, sizeof(why), "no symbol %s", name);
                lazylib_die(soname, why);
        }
        return p;
}

#define LAZYLIB_RESOLVE(sym) t->sym = (__typeof__(t->sym))lazylib_sym(soname, #sym);

#define LAZYLIB_DEFINE(lib, soname_, SYMBOLS)                                                      \
        static struct lazy_##lib lazy_##lib##_table;                                               \
        static pthread_once_t lazy_##lib##_once = PTHREAD_ONCE_INIT;                               \
        static void lazy_##lib##_load(void)                                                        \
        {                                                                                          \
                static const char soname[] = soname_;                                              \
                struct lazy_##lib *t = &lazy_##lib##_table;                                        \
                lazylib_open(soname);                                                              \
                SYMBOLS(LAZYLIB_RESOLVE)                                                           \
        }                                                                                          \
        const struct lazy_##lib *lazy_##lib(void)                                                  \
        {                                                                                          \
                pthread_once(&lazy_##lib##_once, lazy_##lib##_load);                               \
                return &lazy_##lib##_table;                                                        \
        }

/* The exact SONAMEs the headers we compile against belong to. */
LAZYLIB_DEFINE(archive, "libarchive.so.13", LAZY_ARCHIVE_SYMBOLS)
LAZYLIB_DEFINE(curl, "libcurl.so.4", LAZY_CURL_SYMBOLS)
LAZYLIB_DEFINE(gpgme, "libgpgme.so.11", LAZY_GPGME_SYMBOLS)
LAZYLIB_DEFINE(lzma, "liblzma.so.5", LAZY_LZMA_SYMBOLS)
LAZYLIB_DEFINE(mhd, "libmicrohttpd.so.12", LAZY_MHD_SYMBOLS)
LAZYLIB_DEFINE(ssl, "libssl.so.3", LAZY_SSL_SYMBOLS)
LAZYLIB_DEFINE(xml, "libxml2.so.2", LAZY_XML_SYMBOLS)
