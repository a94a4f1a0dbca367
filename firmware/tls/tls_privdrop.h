/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_privdrop: least privilege for segw-tlsd once its sockets are bound.
 *
 * As root: supplementary groups cleared, gid and uid switched (real, effective
 * and saved) to @user's, every capability dropped from the bounding,
 * permitted, effective, inheritable and ambient sets. Always: no_new_privs.
 * Not root: no_new_privs and an empty bounding set as far as allowed.
 *
 * Owner/Thread: call once, from the only thread, before serving.
 * Allocation:   none kept.
 * Errors:       -ENOENT unknown user, -EPERM/-errno when a step fails (the
 *               caller must then exit: it never serves half-dropped).
 */
#ifndef SEGW_TLS_PRIVDROP_H
#define SEGW_TLS_PRIVDROP_H

int tls_privdrop(const char *user);

/*
 * tls_privcheck - what the dropped process can still do: bit 0 set when a
 * raw IPv4 socket opens, bit 1 when an nftables request over
 * NETLINK_NETFILTER is accepted by the kernel (not refused with EPERM).
 * 0 means both are denied.
 */
int tls_privcheck(void);

#endif
