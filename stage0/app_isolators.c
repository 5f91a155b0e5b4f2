/* app_isolators.c - per-app isolator flags -> appc isolators (see app_isolators.h). */
#include "stage0/app_isolators.h"

#include <errno.h>
#include <json.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "schema/isolator.h"

#define MIN_MEMORY 4096

/* Replaces every isolator of the names given by one `name` with `value` (consumed). */
static int replace(struct ace_isolator_list *l, const char *const *drop, const char *name,
                   struct json_object *value, struct ace_error **err)
{
        int r;

        for (; *drop; drop++)
                ace_isolators_remove(l, *drop);
        r = ace_isolators_add(l, name, value, ISOLATOR_SCOPE_APP, err);
        json_object_put(value);
        return r < 0 ? ace_error_wrap(err, "isolator %s", name) : 0;
}

static struct json_object *request_limit(const char *q)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "request", json_object_new_string(q));
        json_object_object_add(o, "limit", json_object_new_string(q));
        return o;
}

static int parse_int(const char *flag, const char *s, long min, long max, long *ret,
                     struct ace_error **err)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < min || v > max)
                return ace_error_make(err, EINVAL,
                                      "invalid --%s \"%s\": want an integer in "
                                      "%ld..%ld",
                                      flag, s, min, max);
        *ret = v;
        return 0;
}

static struct json_object *string_array(char *const *v)
{
        struct json_object *a = json_object_new_array();
        for (; v && *v; v++)
                json_object_array_add(a, json_object_new_string(*v));
        return a;
}

static int apply_caps(const struct run_app *a, struct ace_isolator_list *l, struct ace_error **err)
{
        static const char *const drop[] = {"os/linux/capabilities-retain-set",
                                           "os/linux/capabilities-remove-set", NULL};
        const char *set = a->caps_retain ? a->caps_retain : a->caps_remove;
        _cleanup_strv_free_ char **caps = NULL;
        struct json_object *v;

        if (!set)
                return 0;
        caps = strv_split(set, ",", false);
        if (!caps || !caps[0])
                return ace_error_make(err, EINVAL, "--caps-%s needs at least one capability",
                                      a->caps_retain ? "retain" : "remove");
        v = json_object_new_object();
        json_object_object_add(v, "set", string_array(caps));
        return replace(l, drop, a->caps_retain ? drop[0] : drop[1], v, err);
}

/* --seccomp=mode=retain|remove[,errno=NAME],entry,... */
static int apply_seccomp(const char *s, struct ace_isolator_list *l, struct ace_error **err)
{
        static const char *const drop[] = {"os/linux/seccomp-retain-set",
                                           "os/linux/seccomp-remove-set", NULL};
        _cleanup_strv_free_ char **parts = strv_split(s, ",", false);
        _cleanup_strv_free_ char **set = NULL;
        const char *mode = NULL, *errno_name = NULL;
        struct json_object *v;

        for (char **p = parts; p && *p; p++) {
                if (strncmp(*p, "mode=", 5) == 0 && !mode)
                        mode = *p + 5;
                else if (strncmp(*p, "errno=", 6) == 0 && !errno_name)
                        errno_name = *p + 6;
                else if (strchr(*p, '='))
                        return ace_error_make(err, EINVAL, "invalid --seccomp option \"%s\"", *p);
                else
                        set = strv_push(set, *p);
        }
        if (!mode || (strcmp(mode, "retain") != 0 && strcmp(mode, "remove") != 0))
                return ace_error_make(err, EINVAL,
                                      "invalid --seccomp \"%s\": mode=retain or mode=remove "
                                      "is required",
                                      s);
        if (!set)
                return ace_error_make(err, EINVAL, "invalid --seccomp \"%s\": no syscalls", s);
        /* The schema keeps unknown errno names of images (stage1 refuses them); a flag's is
         * refused here, before the pod exists. */
        if (errno_name && errno_from_name(errno_name) < 0)
                return ace_error_make(err, EINVAL, "invalid --seccomp \"%s\": unknown errno %s", s,
                                      errno_name);
        v = json_object_new_object();
        json_object_object_add(v, "set", string_array(set));
        if (errno_name)
                json_object_object_add(v, "errno", json_object_new_string(errno_name));
        return replace(l, drop, strcmp(mode, "retain") == 0 ? drop[0] : drop[1], v, err);
}

int app_isolators_apply(const struct run_app *a, struct ace_isolator_list *l,
                        struct ace_error **err)
{
        long n;
        int r;

        if (a->memory) {
                int64_t bytes;
                r = quantity_parse(a->memory, QUANTITY_BASE, &bytes, err);
                if (r < 0)
                        return ace_error_wrap(err, "invalid --memory \"%s\"", a->memory);
                if (bytes < MIN_MEMORY)
                        return ace_error_make(err, EINVAL,
                                              "invalid --memory \"%s\": at least %d bytes",
                                              a->memory, MIN_MEMORY);
                r = replace(l, (const char *const[]){"resource/memory", NULL}, "resource/memory",
                            request_limit(a->memory), err);
                if (r < 0)
                        return r;
        }
        if (a->cpu) {
                int64_t milli;
                r = quantity_parse(a->cpu, QUANTITY_MILLI, &milli, err);
                if (r < 0)
                        return ace_error_wrap(err, "invalid --cpu \"%s\"", a->cpu);
                r = replace(l, (const char *const[]){"resource/cpu", NULL}, "resource/cpu",
                            request_limit(a->cpu), err);
                if (r < 0)
                        return r;
        }
        if (a->cpu_shares) {
                if ((r = parse_int("cpu-shares", a->cpu_shares, 2, 262144, &n, err)) < 0 ||
                    (r = replace(l, (const char *const[]){"os/linux/cpu-shares", NULL},
                                 "os/linux/cpu-shares", json_object_new_int64(n), err)) < 0)
                        return r;
        }
        if (a->oom_score_adj) {
                if ((r = parse_int("oom-score-adj", a->oom_score_adj, -1000, 1000, &n, err)) < 0 ||
                    (r = replace(l, (const char *const[]){"os/linux/oom-score-adj", NULL},
                                 "os/linux/oom-score-adj", json_object_new_int64(n), err)) < 0)
                        return r;
        }
        if (a->caps_retain && a->caps_remove)
                return ace_error_make(err, EINVAL,
                                      "cannot use both --caps-retain and --caps-remove on the "
                                      "same image");
        if ((r = apply_caps(a, l, err)) < 0)
                return r;
        if (a->seccomp && (r = apply_seccomp(a->seccomp, l, err)) < 0)
                return r;
        return 0;
}

int app_isolators_apply_pod(const struct run_config *c, struct ace_isolator_list *l,
                            struct ace_error **err)
{
        struct json_object *v;
        long long n;
        int r;

        if (!c->pids_limit)
                return 0;
        errno = 0;
        n = strtoll(c->pids_limit, NULL, 10);
        if (errno || n < 1)
                return ace_error_make(err, EINVAL, "invalid --pids-limit \"%s\"", c->pids_limit);
        v = json_object_new_object();
        json_object_object_add(v, "limit", json_object_new_int64(n));
        ace_isolators_remove(l, "ace/pids");
        r = ace_isolators_add(l, "ace/pids", v, ISOLATOR_SCOPE_POD, err);
        json_object_put(v);
        return r < 0 ? ace_error_wrap(err, "--pids-limit") : 0;
}
