/* cni.c - CNI plugin execution and results (cni.h). */
#include "stage1/cni.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage1/netconf.h"

#define CNI_PLUGIN_PATH_ENV "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Sorted. `ipMasq: true` needs the namespace whatever the plugin (cni_conf_ipmasq). */
const char *const cni_netns_free_plugins[] = {
    "bandwidth", "bridge",  "firewall", "ipvlan", "loopback",
    "macvlan",   "portmap", "ptp",      "tuning", "vlan",
};
const size_t n_cni_netns_free_plugins = ARRAY_SIZE(cni_netns_free_plugins);

bool cni_plugin_netns_free(const char *type)
{
        for (size_t i = 0; i < n_cni_netns_free_plugins; i++)
                if (strcmp(cni_netns_free_plugins[i], type) == 0)
                        return true;
        return false;
}

int cni_find_plugin(const char *cni_path, const char *type, char **ret, struct ace_error **err)
{
        _cleanup_strv_free_ char **dirs = strv_split(cni_path, ":", false);

        for (size_t i = 0; dirs && dirs[i]; i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", dirs[i], type);
                struct stat st;
                if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0) {
                        *ret = TAKE_PTR(p);
                        return 0;
                }
        }
        return ace_error_make(err, ENOENT, "CNI plugin \"%s\" not found in %s", type, cni_path);
}

static const char *conf_string(struct json_object *o, const char *key)
{
        struct json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static struct json_object *plugins_of(struct json_object *conf)
{
        struct json_object *p = NULL;

        json_object_object_get_ex(conf, "plugins", &p);
        return p;
}

static bool wants_capability(struct json_object *plugin, const char *cap)
{
        struct json_object *caps, *v;

        return json_object_object_get_ex(plugin, "capabilities", &caps) &&
               json_object_object_get_ex(caps, cap, &v) && json_object_get_boolean(v);
}

struct json_object *cni_plugin_conf(const struct cni_net *net, size_t i,
                                    struct json_object *prev_result)
{
        struct json_object *plugin = json_object_array_get_idx(plugins_of(net->conf), i);
        struct json_object *out = NULL, *rc;

        (void)json_object_deep_copy(plugin, &out, NULL);
        json_object_object_add(out, "name", json_object_new_string(conf_string(net->conf, "name")));
        json_object_object_add(out, "cniVersion",
                               json_object_new_string(conf_string(net->conf, "cniVersion")));
        if (prev_result)
                json_object_object_add(out, "prevResult", json_object_get(prev_result));
        if (net->port_mappings && wants_capability(plugin, "portMappings")) {
                if (!json_object_object_get_ex(out, "runtimeConfig", &rc) ||
                    !json_object_is_type(rc, json_type_object)) {
                        rc = json_object_new_object();
                        json_object_object_add(out, "runtimeConfig", rc);
                }
                json_object_object_add(rc, "portMappings", json_object_get(net->port_mappings));
        }
        return out;
}

bool cni_conf_ipmasq(struct json_object *conf)
{
        struct json_object *plugins = plugins_of(conf), *v;

        for (size_t i = 0; plugins && i < json_object_array_length(plugins); i++)
                if (json_object_object_get_ex(json_object_array_get_idx(plugins, i), "ipMasq",
                                              &v) &&
                    json_object_get_boolean(v))
                        return true;
        return false;
}

/* ---- exec ---------------------------------------------------------------------------------- */

static int memfd_with(const char *name, const char *data, struct ace_error **err)
{
        _cleanup_close_ int fd = memfd_create(name, MFD_CLOEXEC);
        int r;

        if (fd < 0)
                return ace_error_errno(err, errno, "memfd_create");
        if (data && ((r = fs_write_all(fd, data, strlen(data), err)) < 0))
                return r;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return ace_error_errno(err, errno, "lseek");
        return TAKE_FD(fd);
}

static char *read_back(int fd)
{
        char *buf = NULL;

        if (lseek(fd, 0, SEEK_SET) < 0 ||
            fs_read_fd(fd, "plugin output", CNI_RESULT_MAX, &buf, NULL, NULL) < 0)
                return xstrdup("");
        return buf;
}

/* The message of a failed plugin: its CNI error object, else its stderr, else its status. */
static int plugin_error(const char *type, const char *out, const char *errout, int status,
                        struct ace_error **err)
{
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_free_ char *e = xstrdup(errout);
        const char *msg, *details;
        size_t n = strlen(e);

        while (n && (e[n - 1] == '\n' || e[n - 1] == ' '))
                e[--n] = 0;
        if (json_parse_object(out, strlen(out), ACE_JSON_MAX_DEPTH, &o, NULL) >= 0 &&
            (msg = conf_string(o, "msg"))) {
                details = conf_string(o, "details");
                return ace_error_make(err, EIO, "plugin %s: %s%s%s", type, msg,
                                      details && *details ? ": " : "", details ? details : "");
        }
        if (*e)
                return ace_error_make(err, EIO, "plugin %s: %s", type, e);
        return ace_error_make(err, EIO, "plugin %s exited with status %d", type, status);
}

static char **plugin_env(const struct cni_runtime *rt, const char *command, const char *ifname,
                         const char *args)
{
        char **env = NULL;

        env = strv_push(env, CNI_PLUGIN_PATH_ENV);
        env = strv_push_take(env, xasprintf("CNI_COMMAND=%s", command));
        env = strv_push_take(env, xasprintf("CNI_CONTAINERID=%s", rt->container_id));
        env = strv_push_take(env, xasprintf("CNI_NETNS=%s", rt->netns));
        env = strv_push_take(env, xasprintf("CNI_IFNAME=%s", ifname));
        env = strv_push_take(env, xasprintf("CNI_PATH=%s", rt->cni_path));
        /* Every plugin of the chain sees the user's arguments; by the CNI_ARGS convention
         * IgnoreUnknown=1 lets those not meant for it (IP= is host-local's) pass. */
        if (args && strstr(args, "IgnoreUnknown="))
                env = strv_push_take(env, xasprintf("CNI_ARGS=%s", args));
        else if (args)
                env = strv_push_take(env, xasprintf("CNI_ARGS=IgnoreUnknown=1;%s", args));
        return env;
}

static int spawn_plugin(const char *path, char **env, int in, int out, int errfd, pid_t *ret_pid,
                        struct ace_error **err)
{
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none, all;
        char *argv[] = {(char *)path, NULL};
        int r;

        sigemptyset(&none);
        sigfillset(&all);
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
        posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, errfd, STDERR_FILENO);
        posix_spawnattr_init(&attr);
        /* The relay blocks the signals it waits for; a plugin must start with none blocked and
         * every disposition at its default. */
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        r = posix_spawn(ret_pid, path, &fa, &attr, argv, env);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        if (r != 0)
                return ace_error_errno(err, r, "execute CNI plugin %s", path);
        return 0;
}

/* Runs one plugin; *ret_out gets its stdout on success. */
static int run_plugin(const struct cni_runtime *rt, const char *command, const char *ifname,
                      const char *args, struct json_object *plugin_conf, char **ret_out,
                      struct ace_error **err)
{
        const char *type = conf_string(plugin_conf, "type");
        _cleanup_free_ char *path = NULL, *in_text = NULL, *out = NULL, *errout = NULL;
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_close_ int in = -EBADF, outfd = -EBADF, errfd = -EBADF;
        int wstatus, r;
        pid_t pid;

        if ((r = cni_find_plugin(rt->cni_path, type, &path, err)) < 0)
                return r;
        in_text = json_to_text(plugin_conf, JSON_COMPACT);
        if ((in = memfd_with("cni-stdin", in_text, err)) < 0 ||
            (outfd = memfd_with("cni-stdout", NULL, err)) < 0 ||
            (errfd = memfd_with("cni-stderr", NULL, err)) < 0)
                return -EIO;
        env = plugin_env(rt, command, ifname, args);
        log_debug("CNI %s %s (%s) on %s", command, type, ifname, rt->netns);
        if ((r = spawn_plugin(path, env, in, outfd, errfd, &pid, err)) < 0)
                return r;
        if (TEMP_FAILURE_RETRY(waitpid(pid, &wstatus, 0)) < 0)
                return ace_error_errno(err, errno, "wait for CNI plugin %s", type);
        out = read_back(outfd);
        if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
                errout = read_back(errfd);
                return plugin_error(
                    type, out, errout,
                    WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus), err);
        }
        *ret_out = TAKE_PTR(out);
        return 0;
}

int cni_add(const struct cni_runtime *rt, const struct cni_net *net, struct json_object **ret,
            struct ace_error **err)
{
        struct json_object *plugins = plugins_of(net->conf);
        bool chain = net_version_cmp(conf_string(net->conf, "cniVersion"), "0.3.0") >= 0;
        _cleanup_json_ struct json_object *prev = NULL;
        size_t n = json_object_array_length(plugins);
        int r;

        for (size_t i = 0; i < n; i++) {
                _cleanup_json_ struct json_object *pc =
                    cni_plugin_conf(net, i, chain ? prev : NULL);
                _cleanup_free_ char *out = NULL;
                struct json_object *result = NULL;

                if ((r = run_plugin(rt, "ADD", net->ifname, net->args, pc, &out, err)) < 0)
                        return r;
                if (json_parse_object(out, strlen(out), ACE_JSON_MAX_DEPTH, &result, err) < 0)
                        return ace_error_wrap(err, "result of CNI plugin %s",
                                              conf_string(pc, "type"));
                json_object_put(prev);
                prev = result;
        }
        *ret = TAKE_PTR(prev);
        return 0;
}

int cni_del(const struct cni_runtime *rt, const struct cni_net *net,
            struct json_object *prev_result, struct ace_error **err)
{
        struct json_object *plugins = plugins_of(net->conf);
        bool pass_prev = net_version_cmp(conf_string(net->conf, "cniVersion"), "0.4.0") >= 0;
        size_t n = json_object_array_length(plugins);
        int first = 0;

        for (size_t i = n; i-- > 0;) {
                _cleanup_json_ struct json_object *pc =
                    cni_plugin_conf(net, i, pass_prev ? prev_result : NULL);
                _cleanup_error_ struct ace_error *e = NULL;
                _cleanup_free_ char *out = NULL;
                int r = run_plugin(rt, "DEL", net->ifname, net->args, pc, &out, &e);

                if (r < 0 && !first) {
                        first = r;
                        if (err)
                                *err = TAKE_PTR(e);
                } else if (r < 0) {
                        log_warn("%s", ace_error_msg(e));
                }
        }
        return first;
}

/* ---- results ------------------------------------------------------------------------------- */

static int split_cidr(const char *cidr, struct cni_ip4 *ret, struct ace_error **err)
{
        _cleanup_free_ char *a = xstrdup(cidr);
        char *slash = strchr(a, '/'), *end;
        struct in_addr addr, mask;
        long prefix;

        if (!slash)
                return ace_error_make(err, EINVAL, "address %s has no prefix length", cidr);
        *slash = 0;
        errno = 0;
        prefix = strtol(slash + 1, &end, 10);
        if (errno || *end || prefix < 0 || prefix > 32 || inet_pton(AF_INET, a, &addr) != 1)
                return ace_error_make(err, EINVAL, "bad IPv4 address %s", cidr);
        mask.s_addr = htonl(prefix ? ~0U << (32 - prefix) : 0);
        snprintf(ret->address, sizeof(ret->address), "%s", a);
        inet_ntop(AF_INET, &mask, ret->mask, sizeof(ret->mask));
        ret->prefix = (unsigned)prefix;
        return 0;
}

static void set_gateway(struct cni_ip4 *ret, const char *gw)
{
        struct in_addr a;

        if (gw && inet_pton(AF_INET, gw, &a) == 1)
                snprintf(ret->gateway, sizeof(ret->gateway), "%s", gw);
}

int cni_result_ip4(struct json_object *result, struct cni_ip4 *ret, struct ace_error **err)
{
        struct json_object *ips, *ip4;

        *ret = (struct cni_ip4){0};
        if (json_object_object_get_ex(result, "ips", &ips) &&
            json_object_is_type(ips, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(ips); i++) {
                        struct json_object *e = json_object_array_get_idx(ips, i);
                        const char *addr = conf_string(e, "address");
                        if (!addr || !strchr(addr, '.') || strchr(addr, ':'))
                                continue;
                        if (split_cidr(addr, ret, err) < 0)
                                return -EINVAL;
                        set_gateway(ret, conf_string(e, "gateway"));
                        return 0;
                }
        }
        if (json_object_object_get_ex(result, "ip4", &ip4) && conf_string(ip4, "ip")) {
                if (split_cidr(conf_string(ip4, "ip"), ret, err) < 0)
                        return -EINVAL;
                set_gateway(ret, conf_string(ip4, "gateway"));
                return 0;
        }
        return ace_error_make(err, ENOENT, "the CNI result has no IPv4 address");
}

struct json_object *cni_result_dns(struct json_object *result)
{
        static const char *const keys[] = {"domain", "nameservers", "options", "search"};
        struct json_object *dns, *v;

        if (!json_object_object_get_ex(result, "dns", &dns) ||
            !json_object_is_type(dns, json_type_object))
                return NULL;
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
                if (!json_object_object_get_ex(dns, keys[i], &v))
                        continue;
                if ((json_object_is_type(v, json_type_string) && *json_object_get_string(v)) ||
                    (json_object_is_type(v, json_type_array) && json_object_array_length(v)))
                        return dns;
        }
        return NULL;
}
