/* netlink.c - RTM_NEWLINK IFF_UP on "lo" over NETLINK_ROUTE (netlink.h). */
#include "stage1/netlink.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"

int netlink_loopback_up(struct ace_error **err)
{
        struct {
                struct nlmsghdr nh;
                struct ifinfomsg ifi;
        } req = {
            .nh =
                {
                    .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
                    .nlmsg_type = RTM_NEWLINK,
                    .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
                    .nlmsg_seq = 1,
                },
            .ifi = {.ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP},
        };
        struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
        _cleanup_close_ int fd = -EBADF;
        char buf[1024];
        ssize_t n;

        /* Looked up by name rather than assuming index 1, which is only a convention. */
        req.ifi.ifi_index = (int)if_nametoindex("lo");
        if (req.ifi.ifi_index == 0)
                return ace_error_errno(err, errno, "find loopback interface");
        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return ace_error_errno(err, errno, "netlink socket");
        if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return ace_error_errno(err, errno, "netlink send");
        n = TEMP_FAILURE_RETRY(recv(fd, buf, sizeof(buf), 0));
        if (n < 0)
                return ace_error_errno(err, errno, "netlink receive");
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
             h = NLMSG_NEXT(h, n)) {
                if (h->nlmsg_type == NLMSG_ERROR) {
                        struct nlmsgerr *e = NLMSG_DATA(h);
                        if (e->error)
                                return ace_error_errno(err, -e->error, "bring loopback up");
                        return 0;
                }
        }
        return ace_error_make(err, EPROTO, "bring loopback up: no netlink acknowledgement");
}
