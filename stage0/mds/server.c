/* server.c - `ace metadata-service`'s main loop (mds.h). */
#include "stage0/mds/mds.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "common/log.h"
#include "common/sd_notify.h"
#include "stage0/mds/hmac.h"

/* Every connection is an fd: allow as many as the hard limit lets us. */
static void raise_fd_limit(void)
{
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void)setrlimit(RLIMIT_NOFILE, &rl);
        }
}

int mds_serve(const struct mds_config *cfg, struct ace_error **err)
{
        unsigned char key[MDS_HMAC_KEY_BYTES];
        struct mds_listeners l = {.tcp = -1, .control = -1};
        struct mds_registry *reg = NULL;
        struct mds_control *control = NULL;
        struct mds_public *pub = NULL;
        sigset_t mask;
        int r, sig;

        /* Blocked before any thread exists, so every thread inherits the mask and the
         * signals reach sigwait() below. SIGPIPE: a client gone mid-reply is not fatal. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        raise_fd_limit();
        if ((r = mds_hmac_key_load(cfg->data_dir, key, err)) < 0)
                return ace_error_wrap(err, "HMAC key");
        if ((r = mds_listeners_open(cfg, &l, err)) < 0)
                goto out;
        reg = mds_registry_new(l.port);
        if ((r = mds_control_start(l.control, reg, &control, err)) < 0 ||
            (r = mds_public_start(l.tcp, reg, key, &pub, err)) < 0)
                goto out;
        log_info("metadata service listening on port %d, registration on %s", l.port,
                 l.control_path_created ? l.control_path_created : "a passed socket");
        (void)sd_notify_send("READY=1", NULL);
        while (sigwait(&mask, &sig) != 0)
                ;
        log_info("metadata service exiting on signal %d", sig);
        r = 0;
out:
        mds_public_stop(pub);
        mds_control_stop(control);
        mds_registry_free(reg);
        if (l.tcp >= 0 || l.control >= 0)
                mds_listeners_close(&l);
        OPENSSL_cleanse(key, sizeof(key));
        return r;
}
