/*
 * isolators_internal.h - the value callbacks of each isolator family, for the registry in
 * isolator.c. Not for use outside schema/.
 */
#pragma once

#include "schema/isolator.h"

/* isolators_resource.c */
int isolator_cpu_parse(struct json_object *v, void *value, const char *path,
                       struct ace_error **err);
int isolator_memory_parse(struct json_object *v, void *value, const char *path,
                          struct ace_error **err);
/* block-bandwidth, block-iops, network-bandwidth: default true, limit only */
int isolator_limit_only_parse(struct json_object *v, void *value, const char *path,
                              struct ace_error **err);
struct json_object *isolator_cpu_emit(const void *value);
struct json_object *isolator_resource_emit(const void *value);
void isolator_resource_done(void *value);
int isolator_pids_parse(struct json_object *v, void *value, const char *path,
                        struct ace_error **err);
struct json_object *isolator_pids_emit(const void *value);
void isolator_pids_done(void *value);

/* isolators_linux.c */
int isolator_capabilities_parse(struct json_object *v, void *value, const char *path,
                                struct ace_error **err);
struct json_object *isolator_capabilities_emit(const void *value);
void isolator_capabilities_done(void *value);
int isolator_seccomp_parse(struct json_object *v, void *value, const char *path,
                           struct ace_error **err);
struct json_object *isolator_seccomp_emit(const void *value);
void isolator_seccomp_done(void *value);
int isolator_bool_parse(struct json_object *v, void *value, const char *path,
                        struct ace_error **err);
struct json_object *isolator_bool_emit(const void *value);
int isolator_oom_score_adj_parse(struct json_object *v, void *value, const char *path,
                                 struct ace_error **err);
int isolator_cpu_shares_parse(struct json_object *v, void *value, const char *path,
                              struct ace_error **err);
struct json_object *isolator_int_emit(const void *value);
void isolator_nothing_done(void *value);
int isolator_selinux_parse(struct json_object *v, void *value, const char *path,
                           struct ace_error **err);
struct json_object *isolator_selinux_emit(const void *value);
void isolator_selinux_done(void *value);
int isolator_apparmor_parse(struct json_object *v, void *value, const char *path,
                            struct ace_error **err);
struct json_object *isolator_apparmor_emit(const void *value);
void isolator_apparmor_done(void *value);

/* isolators_unix.c */
int isolator_sysctl_parse(struct json_object *v, void *value, const char *path,
                          struct ace_error **err);
struct json_object *isolator_sysctl_emit(const void *value);
void isolator_sysctl_done(void *value);
