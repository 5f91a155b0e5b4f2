/*
 * cmd_metadata_service.c - `ace metadata-service [--listen-port=18112]`: the appc metadata
 * service for pods started with --mds-register (stage0/mds/mds.h). Runs in the foreground;
 * takes its sockets from systemd when socket-activated (Documentation/metadata-service.md).
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "common/mds_proto.h"
#include "stage0/cli.h"
#include "stage0/mds/mds.h"

struct mds_opts {
        char *listen_port;
};

static void mds_opts_free(void *p)
{
        free(((struct mds_opts *)p)->listen_port);
}

static const struct cli_option mds_options[] = {
    {.name = "listen-port",
     .type = CLI_STRING,
     .offset = offsetof(struct mds_opts, listen_port),
     .argname = "PORT",
     .help = "TCP port of the metadata API (unless socket-activated)",
     .defval = "18112"},
    CLI_END,
};

static int run_mds(struct ace_global *g, void *opts, char **args)
{
        struct mds_opts *o = opts;
        _cleanup_error_ struct ace_error *e = NULL;
        struct mds_config cfg = {
            .data_dir = g->dir, .socket_path = mds_socket_path(), .port = MDS_DEFAULT_PORT};
        char *end;

        if (args[0]) {
                log_error("metadata-service takes no arguments");
                return ACE_EXIT_FAILURE;
        }
        log_set_level(g->debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
        if (o->listen_port) {
                long p = strtol(o->listen_port, &end, 10);
                if (*end || p <= 0 || p > 65535) {
                        log_error("--listen-port=%s: not a port number", o->listen_port);
                        return ACE_EXIT_FAILURE;
                }
                cfg.port = (int)p;
        }
        if (mds_serve(&cfg, &e) < 0) {
                log_error_ace(e);
                return ACE_EXIT_FAILURE;
        }
        return 0;
}

const struct cli_command cmd_metadata_service = {
    .name = "metadata-service",
    .summary = "Run the metadata service",
    .usage = "[--listen-port=PORT]",
    .options = mds_options,
    .opts_size = sizeof(struct mds_opts),
    .opts_free = mds_opts_free,
    .run = run_mds,
    .flags = CMD_ROOT,
};
