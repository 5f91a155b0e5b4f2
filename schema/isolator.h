/*
 * isolator.h - appc isolators (spec/ace.md "Isolators") as a sorted registry of typed values.
 *
 * Each isolator name has one `struct isolator_type`: where it may appear (app, pod or both),
 * whether a list may hold several, which other type it conflicts with, and how to parse,
 * validate, emit and free its value. The registry holds every name of appc 0.8.11, plus
 * `os/linux/apparmor-profile` (appc HEAD, accepted here because the spec text has it) and
 * ace's own `ace/pids` (pod-wide process limit, value {"limit": N}).
 *
 * In an app an unknown isolator name is an error (as in the reference); at pod level unknown
 * isolators are kept as raw JSON and written back unchanged (the executor MAY ignore them but
 * must report that - stage1's job). An isolator without "value" is an error.
 *
 * Also here: resource quantities (quantity.c) and the name tables the values are checked
 * against: capabilities (capabilities.c), errno names (errnos.c) and seccomp groups.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/json.h"
#include "common/kv.h"

/* ---- quantities (quantity.c) ---------------------------------------------------------------- */

enum quantity_unit {
        QUANTITY_BASE,  /* whole base units: bytes, bytes/s, IOPS */
        QUANTITY_MILLI, /* thousandths: cpu cores -> millicores */
};

struct quantity {
        int64_t value;            /* exact, in base units or milli-units (see enum quantity_unit) */
        struct json_object *json; /* the value as written (re-emitted verbatim); NULL if built */
};

/* k8s-style quantities as the reference takes them: [+]digits[.digits] then one of the decimal
 * suffixes n u m k M G T P E, the binary suffixes Ki Mi Gi Ti Pi Ei, or an exponent e<int>/E<int>.
 * The result must be a whole number in `unit` ("0.5" bytes, "1m" bytes are errors; "0.3" cpu is
 * 300 millicores), non-negative and at most INT64_MAX. */
int quantity_parse(const char *s, enum quantity_unit unit, int64_t *ret, struct ace_error **err);
/* Canonical text: base units as a plain integer ("1073741824"); milli as "1500m" or "2" when
 * whole. malloc'd. */
char *quantity_format(int64_t value, enum quantity_unit unit);
/* JSON: a string or (as the reference also allows) a bare number. */
int quantity_parse_json(struct json_object *v, enum quantity_unit unit, struct quantity *ret,
                        const char *path, struct ace_error **err);
struct json_object *quantity_to_json(const struct quantity *q, enum quantity_unit unit);
void quantity_done(struct quantity *q);

/* ---- name tables ------------------------------------------------------------------------------
 */

struct ace_name_number {
        const char *name;
        int number;
};
/* Every Linux capability ("CAP_CHOWN" = 0 ... "CAP_CHECKPOINT_RESTORE" = 40), sorted by name. */
const struct ace_name_number *capability_table(size_t *ret_n);
/* Number of "CAP_XXX" (exact, upper case), or -1. */
int capability_from_name(const char *name);
/* Name of a capability number, or NULL. */
const char *capability_to_name(int number);
/* The appc default set (14 capabilities) when an app has no capability isolator. */
const char *const *capability_default_set(size_t *ret_n);

/* Every errno name of Linux/glibc ("E2BIG" ... "EXFULL"), aliases included (EWOULDBLOCK,
 * EDEADLOCK, ENOTSUP), sorted by name. */
const struct ace_name_number *errno_table(size_t *ret_n);
int errno_from_name(const char *name); /* -1 if unknown */
const char *errno_to_name(int number); /* the primary name, or NULL */

/* Seccomp set entries: a syscall name ([a-z0-9_]+, at most 64 chars; whether the kernel knows it
 * is stage1's check) or one of the recognized @groups (sorted table): @appc.io/all,
 * @appc.io/empty, @ace/default-blacklist, @ace/default-whitelist, and rkt's
 * @rkt/default-blacklist, @rkt/default-whitelist (aliases of ace's). Their contents are stage1's.
 */
const char *const *seccomp_group_table(size_t *ret_n);
bool seccomp_entry_valid(const char *entry);

/* ---- typed isolator values ---------------------------------------------------------------------
 */

/* resource/cpu, resource/memory, resource/block-bandwidth, resource/block-iops,
 * resource/network-bandwidth. cpu is in millicores, the others in base units. Request without
 * limit is allowed, and limit without request (request then defaults to limit); at least one of
 * them must be given, and request <= limit when both are. */
struct isolator_resource {
        bool has_request, has_limit;
        struct quantity request, limit;
        bool is_default; /* "default": must be false for cpu/memory, true for the others */
        struct json_meta meta;
};

/* os/linux/capabilities-retain-set, os/linux/capabilities-remove-set */
struct isolator_capabilities {
        char **set; /* non-empty; each a name of capability_table() */
        struct json_meta meta;
};

/* os/linux/seccomp-retain-set, os/linux/seccomp-remove-set */
struct isolator_seccomp {
        char **set;       /* non-empty; each seccomp_entry_valid() */
        char *errno_name; /* NULL/"" (kill with SIGSYS) or E[A-Z0-9]* */
        int errno_value;  /* 0 when errno_name is empty; -1 when it is not in errno_table() */
        struct json_meta meta;
};

/* os/linux/no-new-privileges: a JSON bool */
struct isolator_bool {
        bool value;
};

/* os/linux/oom-score-adj (-1000..1000), os/linux/cpu-shares (2..262144): a JSON integer */
struct isolator_int {
        int value;
};

/* os/linux/selinux-context: all four non-empty, no ':' in user, role, type */
struct isolator_selinux {
        char *user, *role, *type, *level;
        struct json_meta meta;
};

/* os/linux/apparmor-profile: non-empty profile name */
struct isolator_apparmor {
        char *profile;
        struct json_meta meta;
};

/* os/unix/sysctl: {"net.ipv4.ip_forward": "1", ...}; keys are sysctl names */
struct isolator_sysctl {
        struct ace_kv_list entries;
};

/* ace/pids: {"limit": N}, N >= 1 */
struct isolator_pids {
        uint64_t limit;
        struct json_meta meta;
};

/* ---- the registry (isolator.c) -----------------------------------------------------------------
 */

enum isolator_scope {
        ISOLATOR_SCOPE_APP = 1 << 0,
        ISOLATOR_SCOPE_POD = 1 << 1,
        ISOLATOR_SCOPE_BOTH = ISOLATOR_SCOPE_APP | ISOLATOR_SCOPE_POD,
};

struct isolator_type {
        const char *name;
        unsigned scope;             /* enum isolator_scope bits */
        bool multiple;              /* may appear more than once in one list */
        const char *conflicts_with; /* NULL or a type that may not be in the same list */
        size_t value_size;          /* sizeof the typed value (struct isolator_...) */
        /* Parses and validates v into value (value_size zeroed bytes). */
        int (*parse)(struct json_object *v, void *value, const char *path, struct ace_error **err);
        struct json_object *(*emit)(const void *value);
        void (*done)(void *value); /* releases what parse allocated inside value */
};

/* bsearch over the sorted registry; NULL if name is not a known isolator. */
const struct isolator_type *isolator_type_find(const char *name);
/* The whole registry, sorted by name. */
const struct isolator_type *isolator_type_table(size_t *ret_n);

/* One isolator of a manifest. For a known name `type` and `value` (a struct isolator_* of
 * type->value_size bytes) are set; for an unknown name (pod level only) type and value are NULL
 * and `raw` holds the value JSON. */
struct ace_isolator {
        char *name;
        const struct isolator_type *type;
        void *value;
        struct json_object *raw;
        struct json_meta meta;
};

struct ace_isolator_list {
        struct ace_isolator *items;
        size_t n;
};

/* JSON binding of a list (dst/src: struct ace_isolator_list *). Parsing checks each isolator
 * (name an AC Identifier, value present and valid for its type); list rules are checked by
 * ace_isolators_validate(). */
int ace_isolators_parse(struct json_object *v, void *dst, const char *path, struct ace_error **err);
struct json_object *ace_isolators_emit(const void *src, bool present);

/* List rules for `scope` (ISOLATOR_SCOPE_APP or ISOLATOR_SCOPE_POD): in an app unknown names
 * are errors; a type outside its scope is an error; single-instance types at most once;
 * conflicting types (seccomp retain/remove, capabilities retain/remove) not together. */
int ace_isolators_validate(const struct ace_isolator_list *l, enum isolator_scope scope,
                           const char *path, struct ace_error **err);

/* Parses value for isolator `name` and appends it. Unknown names are EINVAL unless scope
 * includes ISOLATOR_SCOPE_POD (then kept raw). value is not consumed (a reference is taken
 * where kept). For builders: `ace_isolators_add(&app->isolators, "resource/memory",
 * json_tokener_parse("{\"limit\":\"1G\"}"), ISOLATOR_SCOPE_APP, &err)`. */
int ace_isolators_add(struct ace_isolator_list *l, const char *name, struct json_object *value,
                      enum isolator_scope scope, struct ace_error **err);
/* The last isolator called name, or NULL. */
const struct ace_isolator *ace_isolators_find(const struct ace_isolator_list *l, const char *name);
/* Removes every isolator called name; returns how many were removed. */
size_t ace_isolators_remove(struct ace_isolator_list *l, const char *name);
void ace_isolators_copy(struct ace_isolator_list *dst, const struct ace_isolator_list *src);
void ace_isolators_clear(struct ace_isolator_list *l);
