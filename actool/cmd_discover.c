/*
 * cmd_discover.c - `actool discover [--insecure] [--json] [--port=N] APP...`, the reference
 * actool 0.8.11's output (reference/appc.md §9):
 *
 *   ACI: <aci url>, ASC: <asc url>         one line per endpoint
 *   PublicKeys: <url>,<url>                 when keys were found
 *   discover endpoints walk: prefix: P error: E      (stdout, for each failed prefix)
 *   discover public keys walk: prefix: P error: E
 *
 * or with --json, Go's json.MarshalIndent(…, "", "    ") of
 * {"ACIEndpoints":[{"ACI":…,"ASC":…}],"PublicKeys":[…]}. os and arch default to the host's in
 * Go's names (linux, amd64/arm64/386...), as the reference's runtime.GOOS/GOARCH. --insecure
 * skips TLS verification and allows the http fallback. The CA roots are the system's, or
 * SSL_CERT_FILE when set (as Go's crypto/x509 does).
 *
 * Deliberate differences: a bad app string exits 1 with a message (the reference panics, exit
 * 2); no APP at all exits 1 (the reference prints the message and exits 0).
 */
#include "actool/actool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "discovery/discovery.h"
#include "discovery/http.h"

struct discover_flags {
        bool insecure;
        bool json;
        int port;
};

static const struct cli_option discover_options[] = {
    {.name = "insecure",
     .type = CLI_BOOL,
     .offset = offsetof(struct discover_flags, insecure),
     .help = "Don't check TLS certificates and allow insecure non-TLS downloads over http"},
    {.name = "json",
     .type = CLI_BOOL,
     .offset = offsetof(struct discover_flags, json),
     .help = "Output result as JSON"},
    {.name = "port",
     .type = CLI_INT,
     .offset = offsetof(struct discover_flags, port),
     .defval = "0",
     .help = "Port to connect to when performing discovery"},
    CLI_END,
};

/* Go's runtime.GOARCH for the machine we run on (u filled by uname()). */
static const char *go_arch(const struct utsname *u)
{
        static const struct {
                const char *machine, *goarch;
        } map[] = {
            {"aarch64", "arm64"},   {"armv6l", "arm"},      {"armv7l", "arm"},
            {"i386", "386"},        {"i686", "386"},        {"ppc64", "ppc64"},
            {"ppc64le", "ppc64le"}, {"riscv64", "riscv64"}, {"s390x", "s390x"},
            {"x86_64", "amd64"},
        };
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
                if (strcmp(u->machine, map[i].machine) == 0)
                        return map[i].goarch;
        return u->machine;
}

/* Go's json.MarshalIndent(v, "", "    "): empty lists are null. */
static void print_json(const struct discovery_result *eps, const struct discovery_result *keys)
{
        _cleanup_json_ struct json_object *o = json_object_new_object();
        _cleanup_free_ char *text = NULL;
        struct json_object *arr = NULL;

        if (eps->n_endpoints) {
                arr = json_object_new_array();
                for (size_t i = 0; i < eps->n_endpoints; i++) {
                        struct json_object *ep = json_object_new_object();
                        json_object_object_add(ep, "ACI",
                                               json_object_new_string(eps->endpoints[i].aci));
                        json_object_object_add(ep, "ASC",
                                               json_object_new_string(eps->endpoints[i].asc));
                        json_object_array_add(arr, ep);
                }
        }
        json_object_object_add(o, "ACIEndpoints", arr);
        arr = NULL;
        if (strv_length(keys->pubkeys)) {
                arr = json_object_new_array();
                for (char **k = keys->pubkeys; *k; k++)
                        json_object_array_add(arr, json_object_new_string(*k));
        }
        json_object_object_add(o, "PublicKeys", arr);
        text = json_to_text(o, JSON_PRETTY);
        printf("%s\n", text);
}

static int discover_one(struct http_client *http, const struct discover_flags *f, const char *name)
{
        _cleanup_error_ struct ace_error *err = NULL;
        struct discovery_options o = {.http = http, .port = (unsigned)f->port};
        struct discovery_app app;
        struct discovery_result eps = {0}, keys = {0};
        struct utsname u;
        int code = 1;

        if (discovery_app_parse(name, &app, &err) < 0) {
                fprintf(stderr, "%s: %s\n", name, ace_error_msg(err));
                return 1;
        }
        if (!discovery_app_label(&app, "os") || !*discovery_app_label(&app, "os"))
                discovery_app_set_label(&app, "os", "linux");
        if (!discovery_app_label(&app, "arch") || !*discovery_app_label(&app, "arch"))
                discovery_app_set_label(&app, "arch", uname(&u) == 0 ? go_arch(&u) : "amd64");
        if (discovery_find_endpoints(&o, &app, &eps, &err) < 0) {
                fprintf(stderr, "error fetching endpoints for %s: %s\n", name, ace_error_msg(err));
                goto out;
        }
        for (size_t i = 0; i < eps.n_attempts; i++)
                printf("discover endpoints walk: prefix: %s error: %s\n", eps.attempts[i].prefix,
                       eps.attempts[i].error);
        if (discovery_find_pubkeys(&o, &app, &keys, &err) < 0) {
                fprintf(stderr, "error fetching public keys for %s: %s\n", name,
                        ace_error_msg(err));
                goto out;
        }
        for (size_t i = 0; i < keys.n_attempts; i++)
                printf("discover public keys walk: prefix: %s error: %s\n", keys.attempts[i].prefix,
                       keys.attempts[i].error);
        if (f->json) {
                print_json(&eps, &keys);
        } else {
                for (size_t i = 0; i < eps.n_endpoints; i++)
                        printf("ACI: %s, ASC: %s\n", eps.endpoints[i].aci, eps.endpoints[i].asc);
                if (strv_length(keys.pubkeys)) {
                        _cleanup_free_ char *joined = strv_join(keys.pubkeys, ",");
                        printf("PublicKeys: %s\n", joined);
                }
        }
        code = 0;
out:
        fflush(stdout);
        discovery_result_clear(&eps);
        discovery_result_clear(&keys);
        discovery_app_clear(&app);
        return code;
}

static int run_discover(void *opts, char **args, bool debug)
{
        _cleanup_error_ struct ace_error *err = NULL;
        struct discover_flags *f = opts;
        struct http_client *http = NULL;
        struct http_options ho;
        int code = 0;

        (void)debug;
        if (f->port < 0 || f->port > 65535)
                return actool_fail("discover", "invalid port %d", f->port);
        if (strv_length(args) == 0)
                return actool_fail("discover", "at least one name required");
        ho = (struct http_options){
            .ca_file = secure_getenv("SSL_CERT_FILE"),
            .insecure_tls = f->insecure,
            .allow_http = f->insecure,
            .max_redirects = -1,
        };
        if (http_client_new(&ho, &http, &err) < 0)
                return actool_fail("discover", "%s", ace_error_msg(err));
        for (char **a = args; *a && code == 0; a++)
                code = discover_one(http, f, *a);
        http_client_free(http);
        return code;
}

const struct actool_command actool_discover = {
    .name = "discover",
    .summary = "Discover the download URLs for one or more app container images",
    .usage = "[--json] [--port] [--insecure] APP...",
    .description = "Discover the download URLs for an app",
    .options = discover_options,
    .opts_size = sizeof(struct discover_flags),
    .run = run_discover,
};
