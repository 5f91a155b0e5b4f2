/*
 * errnos.c - errno names <-> numbers for the seccomp isolators' "errno" field. Every name glibc
 * knows on Linux, plus the three aliases (EWOULDBLOCK = EAGAIN, EDEADLOCK = EDEADLK, ENOTSUP =
 * EOPNOTSUPP), sorted by name. The unit tests compare it with glibc's strerrorname_np().
 */
#include "schema/isolator.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

#define ERR(n)                                                                                     \
        {                                                                                          \
#n, n                                                                              \
        }

static const struct ace_name_number errnos[] = {
    ERR(E2BIG),
    ERR(EACCES),
    ERR(EADDRINUSE),
    ERR(EADDRNOTAVAIL),
    ERR(EADV),
    ERR(EAFNOSUPPORT),
    ERR(EAGAIN),
    ERR(EALREADY),
    ERR(EBADE),
    ERR(EBADF),
    ERR(EBADFD),
    ERR(EBADMSG),
    ERR(EBADR),
    ERR(EBADRQC),
    ERR(EBADSLT),
    ERR(EBFONT),
    ERR(EBUSY),
    ERR(ECANCELED),
    ERR(ECHILD),
    ERR(ECHRNG),
    ERR(ECOMM),
    ERR(ECONNABORTED),
    ERR(ECONNREFUSED),
    ERR(ECONNRESET),
    ERR(EDEADLK),
    ERR(EDEADLOCK),
    ERR(EDESTADDRREQ),
    ERR(EDOM),
    ERR(EDOTDOT),
    ERR(EDQUOT),
    ERR(EEXIST),
    ERR(EFAULT),
    ERR(EFBIG),
    ERR(EHOSTDOWN),
    ERR(EHOSTUNREACH),
    ERR(EHWPOISON),
    ERR(EIDRM),
    ERR(EILSEQ),
    ERR(EINPROGRESS),
    ERR(EINTR),
    ERR(EINVAL),
    ERR(EIO),
    ERR(EISCONN),
    ERR(EISDIR),
    ERR(EISNAM),
    ERR(EKEYEXPIRED),
    ERR(EKEYREJECTED),
    ERR(EKEYREVOKED),
    ERR(EL2HLT),
    ERR(EL2NSYNC),
    ERR(EL3HLT),
    ERR(EL3RST),
    ERR(ELIBACC),
    ERR(ELIBBAD),
    ERR(ELIBEXEC),
    ERR(ELIBMAX),
    ERR(ELIBSCN),
    ERR(ELNRNG),
    ERR(ELOOP),
    ERR(EMEDIUMTYPE),
    ERR(EMFILE),
    ERR(EMLINK),
    ERR(EMSGSIZE),
    ERR(EMULTIHOP),
    ERR(ENAMETOOLONG),
    ERR(ENAVAIL),
    ERR(ENETDOWN),
    ERR(ENETRESET),
    ERR(ENETUNREACH),
    ERR(ENFILE),
    ERR(ENOANO),
    ERR(ENOBUFS),
    ERR(ENOCSI),
    ERR(ENODATA),
    ERR(ENODEV),
    ERR(ENOENT),
    ERR(ENOEXEC),
    ERR(ENOKEY),
    ERR(ENOLCK),
    ERR(ENOLINK),
    ERR(ENOMEDIUM),
    ERR(ENOMEM),
    ERR(ENOMSG),
    ERR(ENONET),
    ERR(ENOPKG),
    ERR(ENOPROTOOPT),
    ERR(ENOSPC),
    ERR(ENOSR),
    ERR(ENOSTR),
    ERR(ENOSYS),
    ERR(ENOTBLK),
    ERR(ENOTCONN),
    ERR(ENOTDIR),
    ERR(ENOTEMPTY),
    ERR(ENOTNAM),
    ERR(ENOTRECOVERABLE),
    ERR(ENOTSOCK),
    ERR(ENOTSUP),
    ERR(ENOTTY),
    ERR(ENOTUNIQ),
    ERR(ENXIO),
    ERR(EOPNOTSUPP),
    ERR(EOVERFLOW),
    ERR(EOWNERDEAD),
    ERR(EPERM),
    ERR(EPFNOSUPPORT),
    ERR(EPIPE),
    ERR(EPROTO),
    ERR(EPROTONOSUPPORT),
    ERR(EPROTOTYPE),
    ERR(ERANGE),
    ERR(EREMCHG),
    ERR(EREMOTE),
    ERR(EREMOTEIO),
    ERR(ERESTART),
    ERR(ERFKILL),
    ERR(EROFS),
    ERR(ESHUTDOWN),
    ERR(ESOCKTNOSUPPORT),
    ERR(ESPIPE),
    ERR(ESRCH),
    ERR(ESRMNT),
    ERR(ESTALE),
    ERR(ESTRPIPE),
    ERR(ETIME),
    ERR(ETIMEDOUT),
    ERR(ETOOMANYREFS),
    ERR(ETXTBSY),
    ERR(EUCLEAN),
    ERR(EUNATCH),
    ERR(EUSERS),
    ERR(EWOULDBLOCK),
    ERR(EXDEV),
    ERR(EXFULL),
};

/* Names that share a number with a primary name; errno_to_name() never returns them. */
static const char *const aliases[] = {"EDEADLOCK", "ENOTSUP", "EWOULDBLOCK"};

const struct ace_name_number *errno_table(size_t *ret_n)
{
        *ret_n = ARRAY_SIZE(errnos);
        return errnos;
}

static int cmp_name(const void *key, const void *elem)
{
        return strcmp(key, ((const struct ace_name_number *)elem)->name);
}

int errno_from_name(const char *name)
{
        const struct ace_name_number *e =
            bsearch(name, errnos, ARRAY_SIZE(errnos), sizeof(errnos[0]), cmp_name);
        return e ? e->number : -1;
}

static bool is_alias(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(aliases); i++)
                if (strcmp(aliases[i], name) == 0)
                        return true;
        return false;
}

const char *errno_to_name(int number)
{
        for (size_t i = 0; i < ARRAY_SIZE(errnos); i++)
                if (errnos[i].number == number && !is_alias(errnos[i].name))
                        return errnos[i].name;
        return NULL;
}
