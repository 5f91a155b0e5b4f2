/*
 * https_server.h - a real HTTPS server for functional tests: nginx (Debian's nginx-light) in
 * the test's own network namespace, with a CA and a server certificate made by openssl.
 *
 * https_server_netns() moves the calling test process into fresh network and mount
 * namespaces: loopback up (127.0.0.0/8, so 127.0.0.2 is a second host), /etc/hosts replaced
 * (bind mount, private to the namespace) by one mapping example.test -> 127.0.0.1 and
 * other.test -> 127.0.0.2, proxy variables removed. Child processes (ace, actool) inherit it.
 *
 * https_server_start() then runs nginx in the foreground as a single process (no daemon, no
 * master/worker split, PR_SET_PDEATHSIG so it dies with the test) with:
 *   - https://example.test (127.0.0.1:443): document root `docroot`; a request with the query
 *     "ac-discovery=1" for /PATH serves docroot/_discovery/PATH/index.html (404 if absent), so a
 *     discovery page for a prefix is a file; `extra` is inserted into this server block
 *     (fault locations: redirects, auth, limit_rate, 202...);
 *   - https://other.test (127.0.0.2:443): the same document root, its own access log;
 *   - http://example.test (127.0.0.1:80): plaintext, the same document root and discovery
 *     pages, its own access log (tests assert it receives 0 requests).
 * Access logs have one line per request: `<addr> "<request>" <status> <bytes>
 * "<Authorization>" "<If-None-Match>" <host>`.
 * The CA certificate (ca_cert) is handed to ace through an http.d caBundles config file
 * (https_server_write_ace_config) or SSL_CERT_FILE (actool, the reference actool).
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct https_server {
        char *dir;        /* temp prefix: config, certificates, logs */
        char *docroot;    /* files served */
        char *ca_cert;    /* PEM of the CA that signed the server certificate */
        char *access_log; /* https://example.test */
        char *other_log;  /* https://other.test */
        char *http_log;   /* http://example.test */
        pid_t pid;
        unsigned syncs; /* marker requests sent */
};

/* Enters private network + mount namespaces with the test hosts (see above). Root only. */
void https_server_netns(void);

/* Makes certificates and config and starts nginx; returns once it accepts connections. */
void https_server_start(struct https_server *s, const char *extra);
/* Stops nginx and removes everything it made. */
void https_server_stop(struct https_server *s);

/* A file in the document root (creating directories). */
void https_server_put(struct https_server *s, const char *relpath, const void *data, size_t len);
/* A discovery page for `prefix` (e.g. "example.test/app") with the given <meta> tags. */
void https_server_put_discovery(struct https_server *s, const char *prefix, const char *metas);
/* Writes <config_dir>/http.d/test-ca.json trusting the server CA (and the given stall
 * timeout, e.g. "2s", or NULL for the default). */
void https_server_write_ace_config(struct https_server *s, const char *config_dir,
                                   const char *stall_timeout);
/* htpasswd file at <dir>/htpasswd for user:password (for auth_basic in `extra`). */
void https_server_htpasswd(struct https_server *s, const char *user, const char *password);
/* Number of lines of one of the server's access logs containing needle, after making sure
 * every request served so far has been logged (nginx logs a request after answering it, so a
 * marker request is sent to each listener and awaited first). */
size_t https_server_count(struct https_server *s, const char *log, const char *needle);
