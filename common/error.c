/* error.c - construction and wrapping of struct ace_error (see error.h). */
#include "common/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

static int set_error(struct ace_error **err, int code, char *msg)
{
        if (code <= 0)
                code = EINVAL;
        if (!err) {
                free(msg);
                return -code;
        }
        ace_error_free(*err);
        *err = xmalloc(sizeof(**err));
        (*err)->code = code;
        (*err)->msg = msg;
        return -code;
}

int ace_error_make(struct ace_error **err, int code, const char *fmt, ...)
{
        va_list ap;
        char *msg;

        va_start(ap, fmt);
        msg = xvasprintf(fmt, ap);
        va_end(ap);
        return set_error(err, code, msg);
}

int ace_error_errno(struct ace_error **err, int code, const char *fmt, ...)
{
        va_list ap;
        char *head, *msg;

        if (code <= 0)
                code = EINVAL;
        va_start(ap, fmt);
        head = xvasprintf(fmt, ap);
        va_end(ap);
        msg = xasprintf("%s: %s", head, strerror(code));
        free(head);
        return set_error(err, code, msg);
}

int ace_error_wrap(struct ace_error **err, const char *fmt, ...)
{
        va_list ap;
        char *ctx, *msg;

        if (!err)
                return -EINVAL;
        if (!*err)
                return ace_error_make(err, EINVAL, "unknown error");
        va_start(ap, fmt);
        ctx = xvasprintf(fmt, ap);
        va_end(ap);
        msg = xasprintf("%s: %s", ctx, (*err)->msg);
        free(ctx);
        free((*err)->msg);
        (*err)->msg = msg;
        return -(*err)->code;
}

void ace_error_free(struct ace_error *err)
{
        if (!err)
                return;
        free(err->msg);
        free(err);
}

const char *ace_error_msg(const struct ace_error *err)
{
        return err && err->msg ? err->msg : "unknown error";
}
