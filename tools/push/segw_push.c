// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * segw-push: the management plane's host tool. Signs a policy into a bundle
 * and pushes it to one or many appliances in parallel over mutual TLS 1.3,
 * optionally confirms it, and prints one result row per appliance.
 *
 *   segw-push sign --key MGMT.key --board BOARD --target ID[,ID...]|'*'
 *                  --version N [--window S] [--comment TEXT] -o BUNDLE POLICY
 *   segw-push push    TLS-OPTIONS (--bundle BUNDLE | SIGN-OPTIONS POLICY)
 *                     [--confirm] [--wait] APPLIANCE...
 *   segw-push confirm TLS-OPTIONS --version N APPLIANCE...
 *   segw-push status  TLS-OPTIONS APPLIANCE...
 *
 * TLS-OPTIONS: --cert CLIENT.crt --cert-key CLIENT.key --ca CA.crt
 *              [--timeout SECONDS] (each connection, default 15)
 * APPLIANCE:   ID@HOST:PORT; ID is the name the appliance's certificate must
 *              carry and the row label.
 * --confirm:   after every push was answered, confirm those applied.
 * --wait:      without --confirm, watch each applied push until its window
 *              ends and report confirmed or reverted.
 * --cut-after N (testing): send only the first N bytes of the request, then
 *              drop the connection.
 *
 * Exit status: 0 every appliance applied/confirmed (status: answered);
 * 1 any rejected, reverted or unreachable; 2 usage or local file errors.
 * Key generation: docs/mgmt.md (openssl).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <psa/crypto.h>

#include "mgmt/bundle.h"

#define MAX_TARGETS 256

static mbedtls_entropy_context g_ent;
static mbedtls_ctr_drbg_context g_drbg;
static pthread_mutex_t g_rng_mu = PTHREAD_MUTEX_INITIALIZER;

static int rng(void *ctx, unsigned char *out, size_t n)
{
	(void)ctx;
	pthread_mutex_lock(&g_rng_mu);
	int r = mbedtls_ctr_drbg_random(&g_drbg, out, n);
	pthread_mutex_unlock(&g_rng_mu);
	return r;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = malloc(cap);
	while (b) {
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
		if (n == cap) {
			if (cap > (64u << 20)) {
				free(b);
				b = NULL;
				break;
			}
			uint8_t *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (b)
		*len = n;
	return b;
}

struct tls_opts {
	const char *cert, *key, *ca;
	unsigned timeout_s;
	long cut_after;
	mbedtls_x509_crt crt, cacrt;
	mbedtls_pk_context pk;
	mbedtls_ssl_config conf;
};

struct target {
	char id[128], host[128], port[16];
	const struct tls_opts *t;
	const char *req;   /* request line + body */
	size_t req_len;
	char reply[1100];
	char result[32], detail[1024];
	int ok;
	unsigned long long version;
};

static void usage(FILE *o)
{
	fputs("usage: segw-push sign --key MGMT.key --board BOARD --target IDS --version N\n"
	      "                      [--window S] [--comment TEXT] -o BUNDLE POLICY\n"
	      "       segw-push push --cert C --cert-key K --ca CA (--bundle B | SIGN-OPTIONS POLICY)\n"
	      "                      [--confirm] [--wait] ID@HOST:PORT...\n"
	      "       segw-push confirm --cert C --cert-key K --ca CA --version N ID@HOST:PORT...\n"
	      "       segw-push status --cert C --cert-key K --ca CA ID@HOST:PORT...\n",
	      o);
}

static int tls_setup(struct tls_opts *t)
{
	mbedtls_x509_crt_init(&t->crt);
	mbedtls_x509_crt_init(&t->cacrt);
	mbedtls_pk_init(&t->pk);
	mbedtls_ssl_config_init(&t->conf);
	if (!t->cert || !t->key || !t->ca) {
		fprintf(stderr, "segw-push: --cert, --cert-key and --ca are needed\n");
		return -1;
	}
	if (mbedtls_x509_crt_parse_file(&t->crt, t->cert) != 0) {
		fprintf(stderr, "segw-push: %s: not a certificate\n", t->cert);
		return -1;
	}
	if (mbedtls_pk_parse_keyfile(&t->pk, t->key, NULL, rng, NULL) != 0) {
		fprintf(stderr, "segw-push: %s: not a private key\n", t->key);
		return -1;
	}
	if (mbedtls_x509_crt_parse_file(&t->cacrt, t->ca) != 0) {
		fprintf(stderr, "segw-push: %s: not a certificate\n", t->ca);
		return -1;
	}
	if (mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
					MBEDTLS_SSL_PRESET_DEFAULT) != 0 ||
	    mbedtls_ssl_conf_own_cert(&t->conf, &t->crt, &t->pk) != 0) {
		fprintf(stderr, "segw-push: TLS configuration refused the client certificate\n");
		return -1;
	}
	mbedtls_ssl_conf_min_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_3);
	mbedtls_ssl_conf_max_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_3);
	mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_ca_chain(&t->conf, &t->cacrt, NULL);
	mbedtls_ssl_conf_rng(&t->conf, rng, NULL);
	mbedtls_ssl_conf_read_timeout(&t->conf, t->timeout_s * 1000u);
	return 0;
}

static void set_result(struct target *g, const char *res, const char *fmt, const char *arg)
{
	snprintf(g->result, sizeof(g->result), "%s", res);
	snprintf(g->detail, sizeof(g->detail), fmt, arg);
}

/* One request, one reply line into g->reply. 0, or -1 with the result set. */
static int exchange(struct target *g, const char *req, size_t req_len)
{
	mbedtls_net_context net;
	mbedtls_ssl_context ssl;
	char err[200];
	int rc = -1;
	mbedtls_net_init(&net);
	mbedtls_ssl_init(&ssl);
	g->reply[0] = 0;
	if (mbedtls_net_connect(&net, g->host, g->port, MBEDTLS_NET_PROTO_TCP) != 0) {
		set_result(g, "unreachable", "cannot connect to %s", g->host);
		goto out;
	}
	struct timeval tv = { .tv_sec = g->t->timeout_s };
	setsockopt(net.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (mbedtls_ssl_setup(&ssl, &g->t->conf) != 0 || mbedtls_ssl_set_hostname(&ssl, g->id) != 0) {
		set_result(g, "error", "%s", "TLS setup failed");
		goto out;
	}
	mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, mbedtls_net_recv, mbedtls_net_recv_timeout);
	int r = mbedtls_ssl_handshake(&ssl);
	if (r != 0) {
		mbedtls_strerror(r, err, sizeof(err));
		set_result(g, "tls-failed", "handshake: %s", err);
		goto out;
	}
	size_t send_n = req_len;
	if (g->t->cut_after >= 0 && (size_t)g->t->cut_after < send_n)
		send_n = (size_t)g->t->cut_after;
	for (size_t off = 0; off < send_n;) {
		r = mbedtls_ssl_write(&ssl, (const unsigned char *)req + off, send_n - off);
		if (r == MBEDTLS_ERR_SSL_WANT_WRITE || r == MBEDTLS_ERR_SSL_WANT_READ)
			continue;
		if (r <= 0) {
			mbedtls_strerror(r, err, sizeof(err));
			set_result(g, "tls-failed", "send: %s", err);
			goto out;
		}
		off += (size_t)r;
	}
	if (send_n < req_len) { /* testing: drop the connection mid-request */
		set_result(g, "cut", "connection dropped after %s bytes", "the first");
		goto out;
	}
	size_t n = 0;
	for (;;) {
		r = mbedtls_ssl_read(&ssl, (unsigned char *)g->reply + n, sizeof(g->reply) - 1 - n);
		if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE ||
		    r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
			continue;
		if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
			break;
		if (r < 0) {
			mbedtls_strerror(r, err, sizeof(err));
			set_result(g, "tls-failed", "%s (is this client's certificate accepted?)", err);
			goto out;
		}
		n += (size_t)r;
		g->reply[n] = 0;
		if (memchr(g->reply, '\n', n) || n + 1 >= sizeof(g->reply))
			break;
	}
	g->reply[n] = 0;
	char *nl = strchr(g->reply, '\n');
	if (nl)
		*nl = 0;
	if (!g->reply[0]) {
		set_result(g, "no-answer", "%s", "the appliance closed without answering");
		goto out;
	}
	mbedtls_ssl_close_notify(&ssl);
	rc = 0;
out:
	mbedtls_ssl_free(&ssl);
	mbedtls_net_free(&net);
	return rc;
}

/* Split a reply "WORD key=value ..." into result and detail. */
static void take_reply(struct target *g)
{
	char *sp = strchr(g->reply, ' ');
	size_t wl = sp ? (size_t)(sp - g->reply) : strlen(g->reply);
	snprintf(g->result, sizeof(g->result), "%.*s", (int)wl, g->reply);
	snprintf(g->detail, sizeof(g->detail), "%s", sp ? sp + 1 : "");
	g->ok = !strcmp(g->result, "applied") || !strcmp(g->result, "confirmed") ||
		!strcmp(g->result, "status");
}

static void *run_one(void *arg)
{
	struct target *g = arg;
	if (exchange(g, g->req, g->req_len) == 0)
		take_reply(g);
	return NULL;
}

static int parse_target(const char *s, struct target *g)
{
	const char *at = strchr(s, '@');
	const char *colon = at ? strrchr(at, ':') : NULL;
	if (!at || !colon || at == s || colon == at + 1 || !colon[1] ||
	    (size_t)(at - s) >= sizeof(g->id) || (size_t)(colon - at - 1) >= sizeof(g->host) ||
	    strlen(colon + 1) >= sizeof(g->port))
		return -1;
	memset(g, 0, sizeof(*g));
	memcpy(g->id, s, (size_t)(at - s));
	const char *h = at + 1;
	size_t hl = (size_t)(colon - h);
	if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	memcpy(g->host, h, hl);
	snprintf(g->port, sizeof(g->port), "%s", colon + 1);
	return 0;
}

/* Run @req on every target in parallel. */
static void run_all(struct target *v, unsigned n, const char *req, size_t len)
{
	pthread_t th[MAX_TARGETS];
	int started[MAX_TARGETS];
	for (unsigned i = 0; i < n; i++) {
		v[i].req = req;
		v[i].req_len = len;
		v[i].ok = 0;
		started[i] = pthread_create(&th[i], NULL, run_one, &v[i]) == 0;
		if (!started[i])
			run_one(&v[i]);
	}
	for (unsigned i = 0; i < n; i++)
		if (started[i])
			pthread_join(th[i], NULL);
}

static void table(const struct target *v, unsigned n)
{
	printf("%-24s %-12s %s\n", "APPLIANCE", "RESULT", "DETAIL");
	for (unsigned i = 0; i < n; i++)
		printf("%-24s %-12s %s\n", v[i].id, v[i].result, v[i].detail);
	fflush(stdout);
}

static unsigned long long field_u(const char *s, const char *key)
{
	char pat[40];
	snprintf(pat, sizeof(pat), "%s=", key);
	const char *p = strstr(s, pat);
	return p ? strtoull(p + strlen(pat), NULL, 10) : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	struct bundle b;
	memset(&b, 0, sizeof(b));
	const char *sign_key = NULL, *outp = NULL, *bundle_path = NULL;
	int confirm = 0, wait = 0, have_version = 0;
	struct tls_opts t = { .timeout_s = 15, .cut_after = -1 };
	enum { O_KEY = 256, O_BOARD, O_TARGET, O_VERSION, O_WINDOW, O_COMMENT, O_CERT, O_CKEY,
	       O_CA, O_TIMEOUT, O_BUNDLE, O_CONFIRM, O_WAIT, O_CUT };
	static const struct option opts[] = {
		{ "key", required_argument, NULL, O_KEY },
		{ "board", required_argument, NULL, O_BOARD },
		{ "target", required_argument, NULL, O_TARGET },
		{ "version", required_argument, NULL, O_VERSION },
		{ "window", required_argument, NULL, O_WINDOW },
		{ "comment", required_argument, NULL, O_COMMENT },
		{ "cert", required_argument, NULL, O_CERT },
		{ "cert-key", required_argument, NULL, O_CKEY },
		{ "ca", required_argument, NULL, O_CA },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "bundle", required_argument, NULL, O_BUNDLE },
		{ "confirm", no_argument, NULL, O_CONFIRM },
		{ "wait", no_argument, NULL, O_WAIT },
		{ "cut-after", required_argument, NULL, O_CUT },
		{ 0 },
	};
	int c;
	optind = 2;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case O_KEY: sign_key = optarg; break;
		case O_BOARD: snprintf(b.board, sizeof(b.board), "%s", optarg); break;
		case O_TARGET: snprintf(b.target, sizeof(b.target), "%s", optarg); break;
		case O_VERSION: b.version = strtoull(optarg, NULL, 10); have_version = 1; break;
		case O_WINDOW: b.window_s = (uint32_t)strtoul(optarg, NULL, 10); break;
		case O_COMMENT: snprintf(b.comment, sizeof(b.comment), "%s", optarg); break;
		case O_CERT: t.cert = optarg; break;
		case O_CKEY: t.key = optarg; break;
		case O_CA: t.ca = optarg; break;
		case O_TIMEOUT: t.timeout_s = (unsigned)strtoul(optarg, NULL, 10); break;
		case O_BUNDLE: bundle_path = optarg; break;
		case O_CONFIRM: confirm = 1; break;
		case O_WAIT: wait = 1; break;
		case O_CUT: t.cut_after = strtol(optarg, NULL, 10); break;
		case 'o': outp = optarg; break;
		default: usage(stderr); return 2;
		}
	}
	if (t.timeout_s == 0)
		t.timeout_s = 15;
	mbedtls_entropy_init(&g_ent);
	mbedtls_ctr_drbg_init(&g_drbg);
	if (psa_crypto_init() != PSA_SUCCESS ||
	    mbedtls_ctr_drbg_seed(&g_drbg, mbedtls_entropy_func, &g_ent,
				  (const unsigned char *)"segw-push", 9) != 0) {
		fprintf(stderr, "segw-push: cannot seed the random generator\n");
		return 2;
	}

	uint8_t *bundle = NULL;
	size_t blen = 0;
	int is_sign = !strcmp(cmd, "sign"), is_push = !strcmp(cmd, "push");
	if (is_sign || (is_push && !bundle_path)) {
		if (optind >= argc || !sign_key || !b.board[0] || !b.target[0] || !have_version ||
		    (is_sign && !outp)) {
			usage(stderr);
			return 2;
		}
		const char *policy_path = argv[optind++];
		size_t plen;
		uint8_t *pol = slurp(policy_path, &plen);
		if (!pol) {
			fprintf(stderr, "segw-push: %s: cannot read\n", policy_path);
			return 2;
		}
		mbedtls_pk_context sk;
		mbedtls_pk_init(&sk);
		if (mbedtls_pk_parse_keyfile(&sk, sign_key, NULL, rng, NULL) != 0) {
			fprintf(stderr, "segw-push: %s: not a private key\n", sign_key);
			return 2;
		}
		b.policy = (const char *)pol;
		b.policy_len = plen;
		int r = bundle_build(&b, &sk, rng, NULL, &bundle, &blen);
		mbedtls_pk_free(&sk);
		free(pol);
		if (r) {
			fprintf(stderr, "segw-push: cannot sign: %s\n",
				r == -EINVAL ? "a field is out of range or the key is not ECDSA P-256"
					     : strerror(-r));
			return 2;
		}
		if (is_sign) {
			FILE *f = fopen(outp, "wb");
			if (!f || fwrite(bundle, 1, blen, f) != blen || fclose(f) != 0) {
				fprintf(stderr, "segw-push: %s: cannot write\n", outp);
				return 2;
			}
			printf("%s: bundle version %llu for %s on %s, %zu bytes\n", outp,
			       (unsigned long long)b.version, b.target, b.board, blen);
			free(bundle);
			return 0;
		}
	} else if (is_push) {
		bundle = slurp(bundle_path, &blen);
		if (!bundle) {
			fprintf(stderr, "segw-push: %s: cannot read\n", bundle_path);
			return 2;
		}
		const char *v = strstr((const char *)bundle, "\nversion ");
		b.version = v && (size_t)((const uint8_t *)v - bundle) < blen ? strtoull(v + 9, NULL, 10)
									   : 0;
	} else if (strcmp(cmd, "confirm") && strcmp(cmd, "status")) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(cmd, "confirm") && !have_version) {
		fprintf(stderr, "segw-push: confirm needs --version N\n");
		return 2;
	}

	unsigned n = (unsigned)(argc - optind);
	if (n == 0 || n > MAX_TARGETS) {
		fprintf(stderr, "segw-push: 1 to %d appliances (ID@HOST:PORT)\n", MAX_TARGETS);
		return 2;
	}
	struct target *v = calloc(n, sizeof(*v));
	if (!v || tls_setup(&t))
		return 2;
	for (unsigned i = 0; i < n; i++) {
		if (parse_target(argv[optind + i], &v[i])) {
			fprintf(stderr, "segw-push: %s: expected ID@HOST:PORT\n", argv[optind + i]);
			return 2;
		}
		v[i].t = &t;
	}
	char *req = NULL;
	size_t rlen = 0;
	if (is_push) {
		req = malloc(blen + 64);
		if (!req)
			return 2;
		int hn = snprintf(req, 64, "PUSH %zu\n", blen);
		memcpy(req + hn, bundle, blen);
		rlen = (size_t)hn + blen;
	} else if (!strcmp(cmd, "confirm")) {
		req = malloc(64);
		rlen = (size_t)snprintf(req, 64, "CONFIRM %llu\n", (unsigned long long)b.version);
	} else {
		req = strdup("STATUS\n");
		rlen = 7;
	}
	run_all(v, n, req, rlen);
	if (is_push && (confirm || wait)) {
		/* the second round only for those applied with a window */
		struct target *w = calloc(n, sizeof(*w));
		unsigned k = 0, idx[MAX_TARGETS];
		unsigned long long maxwin = 0;
		for (unsigned i = 0; i < n; i++)
			if (!strcmp(v[i].result, "applied") && field_u(v[i].detail, "window") > 0) {
				w[k] = v[i];
				idx[k++] = i;
				if (field_u(v[i].detail, "window") > maxwin)
					maxwin = field_u(v[i].detail, "window");
			}
		if (confirm && k) {
			char creq[64];
			size_t cl = (size_t)snprintf(creq, sizeof(creq), "CONFIRM %llu\n",
						     (unsigned long long)b.version);
			run_all(w, k, creq, cl);
		} else if (wait && k) {
			time_t end = time(NULL) + (time_t)maxwin + 10;
			unsigned left = k;
			while (left && time(NULL) < end) {
				sleep(1);
				run_all(w, k, "STATUS\n", 7);
				left = 0;
				for (unsigned j = 0; j < k; j++)
					if (strstr(w[j].detail, "state=pending"))
						left++;
			}
			for (unsigned j = 0; j < k; j++) {
				const char *st = strstr(w[j].detail, "state=");
				if (st) {
					size_t l = strcspn(st + 6, " ");
					snprintf(w[j].result, sizeof(w[j].result), "%.*s", (int)l,
						 st + 6);
					w[j].ok = !strcmp(w[j].result, "confirmed");
				}
			}
		}
		for (unsigned j = 0; j < k; j++)
			v[idx[j]] = w[j];
		free(w);
	}
	table(v, n);
	int bad = 0;
	for (unsigned i = 0; i < n; i++)
		if (!v[i].ok)
			bad = 1;
	free(req);
	free(bundle);
	free(v);
	mbedtls_ssl_config_free(&t.conf);
	mbedtls_x509_crt_free(&t.crt);
	mbedtls_x509_crt_free(&t.cacrt);
	mbedtls_pk_free(&t.pk);
	mbedtls_ctr_drbg_free(&g_drbg);
	mbedtls_entropy_free(&g_ent);
	mbedtls_psa_crypto_free();
	return bad ? 1 : 0;
}
