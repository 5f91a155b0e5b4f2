/*
 * syscalls.c - what a seccomp isolator's "set" may contain: syscall names by syntax (whether
 * this kernel has the syscall is stage1's check through libseccomp) and the recognized @groups.
 * The groups' contents belong to stage1's seccomp code; here they are only names.
 */
#include "schema/isolator.h"

#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

/* Sorted. The @appc.io/ groups come from spec/ace.md, the @ace/ ones are ours, and rkt's @rkt/
 * names are accepted so that images written for rkt keep working (stage1 treats them as the
 * @ace/ ones). */
static const char *const groups[] = {
    "@ace/default-blacklist", "@ace/default-whitelist", "@appc.io/all",
    "@appc.io/empty",         "@rkt/default-blacklist", "@rkt/default-whitelist",
};

/* Longest syscall name Linux has is 22 characters (e.g. "sched_get_priority_max"); 64 leaves
 * room for new ones while keeping junk out. */
#define SYSCALL_NAME_MAX 64

const char *const *seccomp_group_table(size_t *ret_n)
{
        *ret_n = ARRAY_SIZE(groups);
        return groups;
}

static int cmp_str(const void *key, const void *elem)
{
        return strcmp(key, *(const char *const *)elem);
}

bool seccomp_entry_valid(const char *entry)
{
        size_t n = 0;

        if (!entry)
                return false;
        if (entry[0] == '@')
                return bsearch(entry, groups, ARRAY_SIZE(groups), sizeof(groups[0]), cmp_str);
        for (; entry[n]; n++)
                if (!((entry[n] >= 'a' && entry[n] <= 'z') ||
                      (entry[n] >= '0' && entry[n] <= '9') || entry[n] == '_'))
                        return false;
        return n > 0 && n <= SYSCALL_NAME_MAX;
}
