/* metadata.c - the pod's addresses and URL for the metadata service (metadata.h). */
#include "stage1/metadata.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/mds_proto.h"
#include "common/xalloc.h"

#define MDS_MARKER "mds-registered"

int metadata_connect(const char *uuid, const char *token, bool host_net,
                     const struct network_state *st, char **ret_url, struct ace_error **err)
{
        const char *host = host_net ? "127.0.0.1" : st->host_ip;
        int port, r;

        if (!*host)
                return ace_error_make(err, EINVAL,
                                      "the metadata service needs a network whose CNI result "
                                      "names a gateway (the host side)");
        r = mds_set_ips(uuid, host_net ? NULL : st->pod_ips, host_net, &port, err);
        if (r < 0)
                return ace_error_wrap(err, "metadata service");
        *ret_url = xasprintf("http://%s:%d/%s", host, port, token);
        return 0;
}

void metadata_disconnect(int podfd, const char *uuid)
{
        _cleanup_error_ struct ace_error *err = NULL;

        if (faccessat(podfd, MDS_MARKER, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                return;
        if (mds_unregister(uuid, &err) < 0) {
                log_warn("%s", ace_error_msg(err));
                return;
        }
        (void)unlinkat(podfd, MDS_MARKER, 0);
}
