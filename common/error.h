/*
 * error.h - the error contract shared by every ace module.
 *
 * A function that can fail returns int: >= 0 on success, -errno on failure. Its last parameter is
 * `struct ace_error **err`; on failure it stores a heap-allocated error carrying the same errno and
 * a one-line message naming the thing and the reason. Callers add context on the way up with
 * ace_error_wrap() ("reading manifest: ..."). Only a main() prints and frees errors.
 * `err` may be NULL when the caller only wants the code. See Documentation/error-handling.md.
 */
#pragma once

#include <stdarg.h>

struct ace_error {
        int code;  /* positive errno value */
        char *msg; /* never NULL */
};

/* Sets *err to a new error with the formatted message; returns -code (code > 0). Any error
 * already in *err is released first. */
int ace_error_make(struct ace_error **err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like ace_error_make(), but appends ": <strerror(code)>" to the message. */
int ace_error_errno(struct ace_error **err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with the formatted context and ": "; returns -(*err)->code.
 * With no error in *err it makes one with EINVAL (a bug in the caller, but never a crash). */
int ace_error_wrap(struct ace_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Frees an error; NULL is fine. */
void ace_error_free(struct ace_error *err);

/* The message of *err, or "unknown error" when there is none. */
const char *ace_error_msg(const struct ace_error *err);

static inline void ace_error_freep(struct ace_error **err)
{
        ace_error_free(*err);
        *err = (void *)0;
}
