// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * segw-tlsd: the TLS terminator of the dmz and mobile zones, a process of its
 * own (see docs/tls.md).
 *
 *   segw-tlsd -c FILE [--check] [--self-check-privs]
 */
#include <stdio.h>
#include <string.h>

#include "tls/tls_proxy.h"

static int usage(void)
{
	fprintf(stderr, "usage: segw-tlsd -c CONFIG [--check] [--self-check-privs]\n"
	                "  --check             load configuration, keys and policy, then exit\n"
	                "  --self-check-privs  after dropping privileges, try a raw socket and an\n"
	                "                      nftables request and log the outcome\n"
	                "  signals: HUP reloads, USR1 writes the stats file, TERM/INT stop\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct tls_proxy_opts o = {0};
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && i + 1 < argc)
			o.conf_path = argv[++i];
		else if (!strcmp(argv[i], "--check"))
			o.check_only = 1;
		else if (!strcmp(argv[i], "--self-check-privs"))
			o.self_check_privs = 1;
		else
			return usage();
	}
	if (!o.conf_path)
		return usage();
	return tls_proxy_run(&o) == 0 ? 0 : 1;
}
