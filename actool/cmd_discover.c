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
#include "actool/discover.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "discovery/discovery.h"
#include "discovery/http.h"

struct discover_flags {
        bool insecure;
        bool json;
        unsigned port;
};

/* Go's runtime.GOARCH for the machine we run on (u filled by uname()). */
static const char *go_arch(const struct utsname *u)
{
        static const struct {
                const char *machine, *goarch;
        } map[] = {
                {"aarch64", "arm64"}, {"armv6l", "arm"},     {"armv7l", "arm"},
                {"i386", "386"},      {"i686", "386"},       {"ppc64", "ppc64"},
                {"ppc64le", "ppc64le"}, {"riscv64", "riscv64"}, {"s390x", "s390x"},
                {"x86_64", "amd64"},
        };
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
                if (strcmp(u->machine, map[i].machine) == 0)
                        return map[i].goarch;
        return u->machine;
}

/* Go flag package syntax: -f, --f, -f=v, --f v; stops at the first non-flag or "--". */
static int parse_flags(int argc, char **argv, struct discover_flags *f, int *ret_first)
{
        int i;

        for (i = 0; i < argc; i++) {
                const char *a = argv[i], *name, *eq;
                size_t len;

                if (strcmp(a, "--") == 0) {
                        i++;
                        break;
                }
                if (a[0] != '-' || a[1] == '\0')
                        break;
                name = a + (a[1] == '-' ? 2 : 1);
                eq = strchr(name, '=');
                len = eq ? (size_t)(eq - name) : strlen(name);
                if (len == 8 && strncmp(name, "insecure", 8) == 0) {
                        f->insecure = !eq || strcmp(eq + 1, "true") == 0 || strcmp(eq + 1, "1") == 0;
                } else if (len == 4 && strncmp(name, "json", 4) == 0) {
                        f->json = !eq || strcmp(eq + 1, "true") == 0 || strcmp(eq + 1, "1") == 0;
                } else if (len == 4 && strncmp(name, "port", 4) == 0) {
                        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
                        char *end;
                        unsigned long p;
                        if (!v) {
                                fprintf(stderr, "flag needs an argument: -port\n");
                                return -1;
                        }
                        errno = 0;
                        p = strtoul(v, &end, 10);
                        if (errno || *end || !*v || p > 65535) {
                                fprintf(stderr,
                                        "invalid value \"%s\" for flag -port: parse error\n", v);
                                return -1;
                        }
                        f->port = (unsigned)p;
                } else {
                        fprintf(stderr, "flag provided but not defined: -%.*s\n", (int)len, name);
                        return -1;
                }
        }
        *ret_first = i;
        return 0;
}

/* A JSON string the way Go's encoding/json writes it (HTML-safe: <, >, & escaped). */
static void json_string(FILE *out, const char *s)
{
        fputc('"', out);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                switch (*p) {
                case '"':
                        fputs("\\\"", out);
                        break;
                case '\\':
                        fputs("\\\\", out);
                        break;
                case '\n':
                        fputs("\\n", out);
                        break;
                case '\r':
                        fputs("\\r", out);
                        break;
                case '\t':
                        fputs("\\t", out);
                        break;
                case '<':
                case '>':
                case '&':
                        fprintf(out, "\\u%04x", *p);
                        break;
                default:
                        if (*p < 0x20)
                                fprintf(out, "\\u%04x", *p);
                        else
                                fputc(*p, out);
                }
        }
        fputc('"', out);
}

static void print_json(const struct discovery_result *eps, const struct discovery_result *keys)
{
        printf("{\n    \"ACIEndpoints\": ");
        if (!eps->n_endpoints) {
                printf("null");
        } else {
                printf("[\n");
                for (size_t i = 0; i < eps->n_endpoints; i++) {
                        printf("        {\n            \"ACI\": ");
                        json_string(stdout, eps->endpoints[i].aci);
                        printf(",\n            \"ASC\": ");
                        json_string(stdout, eps->endpoints[i].asc);
                        printf("\n        }%s\n", i + 1 < eps->n_endpoints ? "," : "");
                }
                printf("    ]");
        }
        printf(",\n    \"PublicKeys\": ");
        if (!strv_length(keys->pubkeys)) {
                printf("null");
        } else {
                printf("[\n");
                for (char **k = keys->pubkeys; *k; k++) {
                        printf("        ");
                        json_string(stdout, *k);
                        printf("%s\n", k[1] ? "," : "");
                }
                printf("    ]");
        }
        printf("\n}\n");
}

static int discover_one(struct http_client *http, const struct discover_flags *f,
                        const char *name)
{
        _cleanup_error_ struct ace_error *err = NULL;
        struct discovery_options o = {.http = http, .port = f->port};
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
                printf("discover public keys walk: prefix: %s error: %s\n",
                       keys.attempts[i].prefix, keys.attempts[i].error);
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

int actool_discover_main(int argc, char **argv)
{
        _cleanup_error_ struct ace_error *err = NULL;
        struct discover_flags f = {0};
        struct http_client *http = NULL;
        struct http_options ho;
        int first, code = 0;

        if (parse_flags(argc, argv, &f, &first) < 0) {
                fprintf(stderr, "Usage: actool discover [--json] [--port] [--insecure] APP...\n");
                return 2;
        }
        if (first >= argc) {
                fprintf(stderr, "discover: at least one name required\n");
                return 1;
        }
        ho = (struct http_options){
                .ca_file = secure_getenv("SSL_CERT_FILE"),
                .insecure_tls = f.insecure,
                .allow_http = f.insecure,
                .max_redirects = -1,
        };
        if (http_client_new(&ho, &http, &err) < 0) {
                fprintf(stderr, "discover: %s\n", ace_error_msg(err));
                return 1;
        }
        for (int i = first; i < argc && code == 0; i++)
                code = discover_one(http, &f, argv[i]);
        http_client_free(http);
        return code;
}
