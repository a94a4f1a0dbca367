/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_conf: the configuration file of segw-tlsd (one statement per line,
 * `#` starts a comment, words separated by blanks):
 *
 *   listen ADDR:PORT [zone Z] [to Z] [min-version 1.2|1.3]
 *          [ciphers NAME[,NAME...]] [client-auth none|optional|required]
 *          [ca FILE] [crl FILE]
 *   site NAME cert FILE key FILE [backend B] [default]
 *   policy FILE          the segw policy (backends, rules) evaluated per connection
 *   backend-ca FILE      CAs that verify re-encrypted backends (`tls verify`)
 *   backend-name B HOST  name a `tls verify` backend B must prove (default: the
 *                        client's SNI)
 *   ticket-rotate SECONDS   session ticket key rotation period (0: no tickets)
 *   rate-limit N[/s] [burst M]  new connections per second per source address
 *   max-conns N          connection table size
 *   handshake-timeout SECONDS, idle-timeout SECONDS
 *   user NAME            unprivileged user when started as root (default nobody)
 *   stats-file PATH      counters written there every second and at exit
 *   stats-dir DIR|off    shared counters segment DIR/segw-tlsd.stats
 *                        (stats/export.h; default /run/segw)
 *
 * ADDR is an IPv4 address or an IPv6 one in brackets. NAME of a site is an
 * exact server name or "*.suffix". The profile (TLS 1.3 and 1.2, ECDHE,
 * AES-GCM and ChaCha20-Poly1305) can only be narrowed: ciphers are names of
 * that profile (see tls_suite_names), nothing else parses.
 *
 * Owner:      tls_conf_parse fills a caller-owned struct tls_conf.
 * Thread:     any; no state.
 * Allocation: none.
 * Errors:     -EINVAL with "FILE:LINE: message" in @err; a file with any
 *             error is rejected whole.
 */
#ifndef SEGW_TLS_CONF_H
#define SEGW_TLS_CONF_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define TLS_MAX_LISTENERS 8
#define TLS_MAX_SITES     64
#define TLS_PATH_MAX      256
#define TLS_NAME_MAX      256
#define TLS_ZONE_MAX      32

enum tls_client_auth { TLS_AUTH_NONE = 0, TLS_AUTH_OPTIONAL, TLS_AUTH_REQUIRED };

/* The profile: index = bit in suites_mask. */
enum tls_suite {
	TLS_S13_AES128_GCM = 0,
	TLS_S13_AES256_GCM,
	TLS_S13_CHACHA,
	TLS_S12_ECDSA_AES128_GCM,
	TLS_S12_ECDSA_AES256_GCM,
	TLS_S12_ECDSA_CHACHA,
	TLS_S12_RSA_AES128_GCM,
	TLS_S12_RSA_AES256_GCM,
	TLS_S12_RSA_CHACHA,
	TLS_S__COUNT
};

/* tls_suite_name - the IANA name of profile suite @s. */
const char *tls_suite_name(unsigned s);

struct tls_conf_listener {
	struct sockaddr_storage sa;
	socklen_t salen;
	char zone[TLS_ZONE_MAX], to_zone[TLS_ZONE_MAX]; /* "" : first zone / any */
	uint16_t min_version;                           /* 0x0303 or 0x0304 */
	uint32_t suites_mask;                           /* bits of enum tls_suite; never 0 */
	uint8_t client_auth;
	char ca[TLS_PATH_MAX], crl[TLS_PATH_MAX];
};

struct tls_conf_site {
	char name[TLS_NAME_MAX];
	char cert[TLS_PATH_MAX], key[TLS_PATH_MAX];
	char backend[TLS_ZONE_MAX]; /* policy backend for `allow`; "" none */
	uint8_t is_default;
};

struct tls_conf_bname {
	char backend[TLS_ZONE_MAX];
	char host[TLS_NAME_MAX];
};

#define TLS_MAX_BNAMES 32

struct tls_conf {
	unsigned n_listeners, n_sites, n_bnames;
	struct tls_conf_bname bname[TLS_MAX_BNAMES];
	struct tls_conf_listener listener[TLS_MAX_LISTENERS];
	struct tls_conf_site site[TLS_MAX_SITES];
	char policy[TLS_PATH_MAX];
	char backend_ca[TLS_PATH_MAX];
	char user[64];
	char stats_file[TLS_PATH_MAX];
	char stats_dir[TLS_PATH_MAX]; /* "" default, "off" none */
	uint32_t ticket_rotate_s;
	uint32_t rate_per_s, rate_burst;
	uint32_t max_conns;
	uint32_t handshake_timeout_s, idle_timeout_s;
};

/* tls_conf_parse - parse @text (@len bytes) named @file into @c. */
int tls_conf_parse(const char *file, const char *text, size_t len, struct tls_conf *c, char *err,
                   size_t errlen);

/* tls_conf_load - read and parse @path. -errno when unreadable. */
int tls_conf_load(const char *path, struct tls_conf *c, char *err, size_t errlen);

/* tls_site_matches - 1 when server name @sni (any case) falls under site @name. */
int tls_site_matches(const char *name, const char *sni);

#endif
