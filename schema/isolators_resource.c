/*
 * isolators_resource.c - the resource isolators (spec/ace.md "Resource Isolators") and ace's own
 * pod-level ace/pids.
 *
 * Stricter than the reference, which checks only the "default" flag: at least one of request
 * and limit must be given (a resource isolator without either limits nothing), request may not
 * exceed limit (the request is the guaranteed minimum), and the block/network isolators need a
 * limit, since it is their only parameter.
 */
#include <errno.h>
#include <string.h>

#include "common/json.h"
#include "schema/isolators_internal.h"

static int parse_base(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        return quantity_parse_json(v, QUANTITY_BASE, dst, path, err);
}

static int parse_milli(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        return quantity_parse_json(v, QUANTITY_MILLI, dst, path, err);
}

static struct json_object *emit_base(const void *src, bool present)
{
        const struct quantity *q = src;
        return present || q->json ? quantity_to_json(q, QUANTITY_BASE) : NULL;
}

static struct json_object *emit_milli(const void *src, bool present)
{
        const struct quantity *q = src;
        return present || q->json ? quantity_to_json(q, QUANTITY_MILLI) : NULL;
}

/* Field order as the reference marshals resourceValue: default, request, limit. */
static const struct json_field base_fields[] = {
    {"default", json_field_parse_bool, json_field_emit_bool,
     offsetof(struct isolator_resource, is_default), 0},
    {"request", parse_base, emit_base, offsetof(struct isolator_resource, request), 0},
    {"limit", parse_base, emit_base, offsetof(struct isolator_resource, limit), 0},
};
static const struct json_table base_table =
    JSON_TABLE("resource isolator value", struct isolator_resource, base_fields);

static const struct json_field milli_fields[] = {
    {"default", json_field_parse_bool, json_field_emit_bool,
     offsetof(struct isolator_resource, is_default), 0},
    {"request", parse_milli, emit_milli, offsetof(struct isolator_resource, request), 0},
    {"limit", parse_milli, emit_milli, offsetof(struct isolator_resource, limit), 0},
};
static const struct json_table milli_table =
    JSON_TABLE("resource isolator value", struct isolator_resource, milli_fields);

static int bind_resource(struct json_object *v, const struct json_table *t,
                         struct isolator_resource *r, const char *path, struct ace_error **err)
{
        int ret = json_bind(v, t, r, path, err);

        if (ret < 0)
                return ret;
        r->has_request = json_meta_is_present(&r->meta, t, "request");
        r->has_limit = json_meta_is_present(&r->meta, t, "limit");
        return 0;
}

/* cpu and memory: default must be false; request and/or limit, request <= limit */
static int request_limit_check(const struct isolator_resource *r, const char *path,
                               struct ace_error **err)
{
        if (r->is_default)
                return json_path_error(err, path, "default must be false");
        if (!r->has_request && !r->has_limit)
                return json_path_error(err, path, "request or limit must be set");
        if (r->has_request && r->has_limit && r->request.value > r->limit.value)
                return json_path_error(err, path, "request (%lld) exceeds limit (%lld)",
                                       (long long)r->request.value, (long long)r->limit.value);
        return 0;
}

int isolator_cpu_parse(struct json_object *v, void *value, const char *path, struct ace_error **err)
{
        int r = bind_resource(v, &milli_table, value, path, err);
        return r < 0 ? r : request_limit_check(value, path, err);
}

int isolator_memory_parse(struct json_object *v, void *value, const char *path,
                          struct ace_error **err)
{
        int r = bind_resource(v, &base_table, value, path, err);
        return r < 0 ? r : request_limit_check(value, path, err);
}

int isolator_limit_only_parse(struct json_object *v, void *value, const char *path,
                              struct ace_error **err)
{
        struct isolator_resource *res = value;
        int r = bind_resource(v, &base_table, res, path, err);

        if (r < 0)
                return r;
        if (!res->is_default)
                return json_path_error(err, path, "default must be true");
        if (res->has_request)
                return json_path_error(err, path,
                                       "request not supported by this resource, must be empty");
        if (!res->has_limit)
                return json_path_error(err, path, "limit must be set");
        return 0;
}

struct json_object *isolator_cpu_emit(const void *value)
{
        return json_unbind(&milli_table, value);
}

struct json_object *isolator_resource_emit(const void *value)
{
        return json_unbind(&base_table, value);
}

void isolator_resource_done(void *value)
{
        struct isolator_resource *r = value;

        quantity_done(&r->request);
        quantity_done(&r->limit);
        json_meta_clear(&r->meta);
}

/* ---- ace/pids ----------------------------------------------------------------------------------
 */

static const struct json_field pids_fields[] = {
    {"limit", json_field_parse_uint64, json_field_emit_uint64,
     offsetof(struct isolator_pids, limit), JSON_MANDATORY},
};
static const struct json_table pids_table =
    JSON_TABLE("ace/pids value", struct isolator_pids, pids_fields);

int isolator_pids_parse(struct json_object *v, void *value, const char *path,
                        struct ace_error **err)
{
        struct isolator_pids *p = value;
        int r = json_bind(v, &pids_table, p, path, err);

        if (r < 0)
                return r;
        if (p->limit < 1)
                return json_path_error(err, path, "limit must be at least 1");
        return 0;
}

struct json_object *isolator_pids_emit(const void *value)
{
        return json_unbind(&pids_table, value);
}

void isolator_pids_done(void *value)
{
        json_meta_clear(&((struct isolator_pids *)value)->meta);
}
