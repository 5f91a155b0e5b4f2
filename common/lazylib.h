/*
 * lazylib.h - the shared libraries only some commands need, loaded with dlopen on first use.
 *
 * Why: linked normally, libcurl, gpgme, libxml2, libmicrohttpd, libarchive and liblzma (with
 * libssl for one call) brought 43 of the 49 shared objects ld.so mapped and relocated at every
 * start of ace: most of the time of `ace version`, ~8 ms of every `ace run`, which needs none
 * of them (bench/README.md, "Start cost").
 *
 * Each library has a header common/lazy_<lib>.h that its users include instead of the library's
 * own. It includes the real header (types, constants, inline helpers), declares a table with
 * one pointer per function the code uses, typed __typeof__(&function) so that a prototype
 * mismatch is a compile error, and maps each function name to its entry with a macro, so the
 * call sites read like normal API use (variadic functions go through a variadic pointer type).
 * A function missing from a table is a link error of ace and actool, which no longer link the
 * library. A file that defines LAZYLIB_TABLES_ONLY first gets the tables without the mapping
 * (lazylib.c, the unit test). The first call of any of them loads the library and resolves the
 * whole table, once and thread-safe (the store's unpacker thread calls libarchive, libmicrohttpd
 * calls back from its own thread).
 *
 * The library joins the global scope (RTLD_GLOBAL) and symbols are looked up there, as the
 * dynamic linker did when it was linked: an LD_PRELOAD interposer (the tests' libarchive
 * tracer) still comes first, and its dlsym(RTLD_NEXT) still finds the real function, which a
 * library opened RTLD_LOCAL is invisible to (the interposer would call NULL). A test binary
 * that links the library gets the copy it already has.
 *
 * A library or symbol that cannot be loaded ends the process: "<prog>: cannot load
 * libcurl.so.4: <reason>" on stderr, exit status 127 (LAZYLIB_EXIT_STATUS), the status the
 * dynamic loader gave when a linked library was missing at start. It is a broken
 * installation, never something a caller could handle, and the call sites cannot return an
 * error from a macro. Never a crash.
 *
 * The tables are process-wide state by nature (like the libraries' own global init).
 */
#pragma once

/* Exit status when a library cannot be loaded (see above). */
#define LAZYLIB_EXIT_STATUS 127

/* dlopen(soname, RTLD_NOW | RTLD_GLOBAL), or the error above. */
void lazylib_open(const char *soname);
/* The address of name in the global scope, or the error above (naming soname). */
void *lazylib_sym(const char *soname, const char *name);

/* One field of a table: a pointer of the exact type of the function (or variable). */
#define LAZYLIB_FIELD(sym) __typeof__(&sym) sym;

/* Declares struct lazy_<lib> from the X-macro list SYMBOLS and its accessor, which loads the
 * library on its first call (common/lazylib.c defines it). */
#define LAZYLIB_DECLARE(lib, SYMBOLS)                                                              \
        struct lazy_##lib {                                                                        \
                SYMBOLS(LAZYLIB_FIELD)                                                             \
        };                                                                                         \
        const struct lazy_##lib *lazy_##lib(void);
