// SPDX-License-Identifier: GPL-2.0-or-later
/* tls_privdrop: switch to an unprivileged user, drop capabilities, no_new_privs. */
#include "tls/tls_privdrop.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int caps_clear(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	return syscall(SYS_capset, &hdr, data) == 0 ? 0 : -errno;
}

int tls_privdrop(const char *user)
{
	int last = 40;
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam(user ? user : "nobody");
		if (!pw)
			return -ENOENT;
		if (pw->pw_uid == 0)
			return -EPERM; /* dropping to root is no drop */
		uid_t uid = pw->pw_uid;
		gid_t gid = pw->pw_gid;
		/* The bounding set needs CAP_SETPCAP: empty it while still root. */
		for (int c = 0; c <= last; c++)
			if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL)
				return -errno;
		if (setgroups(0, NULL) != 0)
			return -errno;
		if (syscall(SYS_setresgid, gid, gid, gid) != 0)
			return -errno;
		if (syscall(SYS_setresuid, uid, uid, uid) != 0)
			return -errno;
		if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid)
			return -EPERM;
		if (syscall(SYS_setresuid, 0, 0, 0) == 0)
			return -EPERM; /* the way back must be closed */
	}
	int r = caps_clear();
	if (r && geteuid() == 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -errno;
	return 0;
}

static int nft_accepted(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0)
		return 0;
	struct {
		struct nlmsghdr nh;
		struct nfgenmsg nf;
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK;
	req.nh.nlmsg_seq = 1;
	req.nf.nfgen_family = AF_UNSPEC;
	req.nf.version = NFNETLINK_V0;
	struct sockaddr_nl kern = {.nl_family = AF_NETLINK};
	int accepted = 0;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kern, sizeof(kern)) < 0) {
		accepted = errno == EPERM ? 0 : 1;
		close(fd);
		return accepted;
	}
	struct timeval tv = {.tv_sec = 2};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	char buf[8192];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	if (n >= (ssize_t)sizeof(struct nlmsghdr)) {
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;
		accepted = 1;
		if (nh->nlmsg_type == NLMSG_ERROR &&
		    n >= (ssize_t)(sizeof(*nh) + sizeof(struct nlmsgerr))) {
			struct nlmsgerr *e = (struct nlmsgerr *)NLMSG_DATA(nh);
			if (e->error == -EPERM)
				accepted = 0;
		}
	}
	close(fd);
	return accepted;
}

int tls_privcheck(void)
{
	int res = 0;
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd >= 0) {
		res |= 1;
		close(fd);
	}
	if (nft_accepted())
		res |= 2;
	return res;
}
