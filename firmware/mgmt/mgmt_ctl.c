// SPDX-License-Identifier: GPL-2.0-or-later
/* mgmt_ctl: segwd's control plane (store, console, management push). See mgmt_ctl.h. */
#define _GNU_SOURCE
#include "mgmt/mgmt_ctl.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/pk.h>
#include <psa/crypto.h>

#include "console/console.h"
#include "mgmt/bundle.h"
#include "mgmt/mgmt_show.h"
#include "mgmt/mgmt_tls.h"
#include "stats/counters.h"
#include "store/store.h"

#define CTL_APPLY_WAIT_MS 10000
#define CTL_USERS_MAX 32

static struct {
	int enabled, store, console;
	const char *users_file, *console_link, *audit_path, *listen, *dir, *appliance_id;
} opt;

static const struct board_desc *g_board;
static struct store g_store;
static int g_store_open;
static char g_hostname[64];
static char g_status_tmp[128];
static struct mgmt_ctl_env g_env;
static mgmt_event_fn g_ev_fn;
static void *g_ev_ctx;
static FILE *g_audit;

/* ---- options ------------------------------------------------------------- */

int mgmt_ctl_option(const char *name, const char *arg)
{
	const char **slot = NULL;
	if (!strcmp(name, "store"))
		opt.store = 1;
	else if (!strcmp(name, "console"))
		opt.console = 1;
	else if (!strcmp(name, "console-users"))
		slot = &opt.users_file;
	else if (!strcmp(name, "console-link"))
		slot = &opt.console_link;
	else if (!strcmp(name, "audit"))
		slot = &opt.audit_path;
	else if (!strcmp(name, "mgmt-listen"))
		slot = &opt.listen;
	else if (!strcmp(name, "mgmt-dir"))
		slot = &opt.dir;
	else if (!strcmp(name, "appliance-id"))
		slot = &opt.appliance_id;
	else {
		fprintf(stderr, "segwd: unknown control option --%s\n", name);
		return -EINVAL;
	}
	if (slot) {
		if (!arg || !*arg) {
			fprintf(stderr, "segwd: --%s needs a value\n", name);
			return -EINVAL;
		}
		*slot = arg;
	}
	opt.enabled = 1;
	return 0;
}

int mgmt_ctl_enabled(void)
{
	return opt.enabled;
}

const char *mgmt_ctl_usage(void)
{
	return "  control plane (with --inline or --tap; any of these turns the store on):\n"
	       "  --store                    keep the policy in the board's config store: boot\n"
	       "                             from its running policy (--policy when empty)\n"
	       "  --console                  run the CLI on the board's console (sim: a pty,\n"
	       "                             its path is printed)\n"
	       "  --console-users FILE       console logins: lines 'NAME admin|operator HASH'\n"
	       "  --console-link PATH        a symlink to the console's pty\n"
	       "  --audit FILE               audit lines (default: stderr)\n"
	       "  --mgmt-listen ADDR:PORT    management plane listener (mutual TLS 1.3)\n"
	       "  --mgmt-dir DIR             server.crt server.key ca.crt [client.crt] bundle.pub\n"
	       "  --appliance-id ID          this appliance's id in bundles (default: hostname)\n";
}

void mgmt_ctl_set_event_hook(mgmt_event_fn fn, void *ctx)
{
	g_ev_fn = fn;
	g_ev_ctx = ctx;
}

static void event(enum mgmt_event ev, const char *reason)
{
	static const char *const names[] = { "", "push-rejected", "push-reverted",
					     "commit-confirmed-expired", "policy-applied" };
	fprintf(stderr, "segwd: event %s: %s\n", names[ev], reason);
	if (g_ev_fn)
		g_ev_fn(g_ev_ctx, ev, reason);
}

/* ---- audit ----------------------------------------------------------------- */

static void audit_sink(void *ctx, const struct console_audit_rec *r)
{
	char line[1024];
	(void)ctx;
	console_audit_format(r, line, sizeof(line));
	if (g_audit) {
		fprintf(g_audit, "%s\n", line);
		fflush(g_audit);
	} else {
		fprintf(stderr, "segwd: audit: %s\n", line);
	}
}

static void audit_mgmt(const char *who, const char *cmd, const char *result)
{
	struct console_audit_rec r = { .when = (int64_t)time(NULL), .tty = "mgmt", .who = who,
				       .command = cmd, .result = result };
	audit_sink(NULL, &r);
}

/* ---- files ----------------------------------------------------------------- */

static char *slurp(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *b = malloc(max + 1);
	size_t n = b ? fread(b, 1, max + 1, f) : 0;
	int bad = !b || ferror(f) || n > max;
	fclose(f);
	if (bad) {
		free(b);
		return NULL;
	}
	b[n] = 0;
	*len = n;
	return b;
}

/* ---- activation: the control thread asks, the inline thread does ---------- */

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static struct {
	int pending, taken, done, rc;
	char *text;
	size_t len;
	char err[2048];
} g_req;
static char *g_in_force;      /* inline thread: the text in force */
static size_t g_in_force_len;
static uint32_t g_next_gen = 2;
static struct policy_gen **g_old;
static unsigned g_n_old, g_cap_old;
static pthread_t g_thread;
static int g_thread_on;
static volatile int g_ctl_stop;
static int g_started;

static void reclaim(int all)
{
	struct policy_gen *cur = gen_current(g_env.gens);
	if (!all && !(cur && gen_reclaimable(g_env.gens, 1, cur->number)))
		return;
	for (unsigned i = 0; i < g_n_old; i++)
		if (g_old[i] != cur)
			gen_free(g_old[i]);
	g_n_old = 0;
}

/* @a then @b into @dst (@n bytes), cut to fit: a long error list stays a
 * NUL-terminated message (snprintf's "%s" is what -Wformat-truncation flags). */
static void msg2(char *dst, size_t n, const char *a, const char *b)
{
	size_t o = 0;
	if (!n)
		return;
	for (const char *s = a; s && *s && o + 1 < n; s++)
		dst[o++] = *s;
	for (const char *s = b; s && *s && o + 1 < n; s++)
		dst[o++] = *s;
	dst[o] = 0;
}

/* Inline thread: parse, compile, kernel, publish. Nothing changes on error. */
static int apply_now(const char *text, size_t len, char *err, size_t errlen)
{
	static char errs[65536];
	struct policy *p = NULL;
	err[0] = 0;
	int rc = policy_parse("policy", text, len, &p, errs, sizeof(errs), 20);
	if (rc) {
		msg2(err, errlen, rc == -EINVAL ? errs : strerror(-rc), NULL);
		return rc;
	}
	rc = policy_compile(p);
	if (rc) {
		snprintf(err, errlen, "policy: cannot compile: %s",
			 rc == -E2BIG ? "the rules expand to too many entries" : strerror(-rc));
		policy_free(p);
		return rc;
	}
	uint32_t number = g_next_gen;
	struct policy_gen *g = NULL;
	rc = gen_build(&g, p, g_env.board, 1, number, errs, sizeof(errs));
	if (rc) {
		msg2(err, errlen, "policy: ", errs);
		return rc;
	}
	struct fw_compiled fc;
	if (g_env.fw) {
		rc = fw_compile(g->policy, g_env.board, g_env.mode, g_env.queue_num, number, &fc, errs,
				sizeof(errs));
		if (rc) {
			msg2(err, errlen, "policy: ", errs[0] ? errs : strerror(-rc));
			gen_free(g);
			return rc;
		}
		rc = g_env.fw->ops->apply(g_env.fw, &fc.rs, errs, sizeof(errs));
		fw_compiled_free(&fc);
		if (rc) {
			msg2(err, errlen, "the kernel refused the ruleset, the previous one stays: ",
			     errs);
			gen_free(g);
			return rc;
		}
	}
	reclaim(0);
	if (g_n_old == g_cap_old) {
		unsigned nc = g_cap_old ? 2 * g_cap_old : 8;
		struct policy_gen **n = realloc(g_old, nc * sizeof(struct policy_gen *));
		if (n) {
			g_old = n;
			g_cap_old = nc;
		}
	}
	struct policy_gen *old = gen_current(g_env.gens);
	if (old && g_n_old < g_cap_old)
		g_old[g_n_old++] = old; /* else leaked: only when out of memory */
	gen_publish(g_env.gens, g);
	g_next_gen++;
	char *copy = malloc(len + 1);
	if (copy) {
		memcpy(copy, text, len);
		copy[len] = 0;
		free(g_in_force);
		g_in_force = copy;
		g_in_force_len = len;
	}
	fprintf(stderr, "segwd: policy generation %u in force\n", number);
	return 0;
}

void mgmt_ctl_reload(void *ctx)
{
	(void)ctx;
	pthread_mutex_lock(&g_mu);
	int mine = g_req.pending && !g_req.taken;
	if (mine)
		g_req.taken = 1;
	pthread_mutex_unlock(&g_mu);
	if (!mine) { /* SIGHUP: the policy in force again (the store is the source) */
		if (g_in_force) {
			char err[2048];
			if (apply_now(g_in_force, g_in_force_len, err, sizeof(err)))
				fprintf(stderr, "segwd: reload refused: %s\n", err);
		}
		return;
	}
	char err[2048];
	int rc = apply_now(g_req.text, g_req.len, err, sizeof(err));
	if (rc == 0)
		event(MGMT_EV_APPLIED, "the new policy is in force");
	pthread_mutex_lock(&g_mu);
	g_req.rc = rc;
	msg2(g_req.err, sizeof(g_req.err), err, NULL);
	g_req.done = 1;
	pthread_cond_broadcast(&g_cv);
	pthread_mutex_unlock(&g_mu);
}

/* Store hook (control thread): ask the inline thread and wait for it. */
static int activate(void *ctx, const char *text, size_t len, char *err, size_t errlen)
{
	(void)ctx;
	if (!g_started)
		return 0; /* at boot: segwd applies the policy it starts with itself */
	char *copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = 0;
	pthread_mutex_lock(&g_mu);
	g_req.text = copy;
	g_req.len = len;
	g_req.pending = 1;
	g_req.taken = g_req.done = 0;
	g_req.rc = 0;
	g_req.err[0] = 0;
	*g_env.reload = 1;
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += CTL_APPLY_WAIT_MS / 1000;
	int rc;
	while (!g_req.done) {
		if (!g_req.taken && pthread_cond_timedwait(&g_cv, &g_mu, &dl) == ETIMEDOUT &&
		    !g_req.taken)
			break;
		if (g_req.taken && !g_req.done)
			pthread_cond_wait(&g_cv, &g_mu);
	}
	if (g_req.done) {
		rc = g_req.rc;
		msg2(err, errlen, g_req.err, NULL);
	} else {
		rc = -ETIMEDOUT;
		snprintf(err, errlen, "the data plane did not take the policy in time");
	}
	g_req.pending = 0;
	g_req.text = NULL;
	pthread_mutex_unlock(&g_mu);
	free(copy);
	return rc;
}

/* ---- boot ------------------------------------------------------------------ */

static void pending_expired_event(uint32_t pend_number, const char *reason)
{
	const struct store_entry *e = store_history_find(&g_store, pend_number);
	event(e && e->how == STORE_HOW_MGMT ? MGMT_EV_PUSH_REVERTED : MGMT_EV_CONFIRM_EXPIRED,
	      reason);
}

struct policy *mgmt_ctl_boot(const struct board_desc *board, const char **path)
{
	g_board = board;
	if (gethostname(g_hostname, sizeof(g_hostname) - 1) != 0 || !g_hostname[0])
		snprintf(g_hostname, sizeof(g_hostname), "segw");
	if (!opt.appliance_id)
		opt.appliance_id = g_hostname;
	if (opt.audit_path && !(g_audit = fopen(opt.audit_path, "a"))) {
		fprintf(stderr, "segwd: %s: cannot open the audit file\n", opt.audit_path);
		return NULL;
	}
	struct hal_storage *st = board->storage;
	int rc = st ? st->ops->open(st) : -ENODEV;
	if (!rc && (rc = store_open(&g_store, st, NULL, NULL)) != 0)
		st->ops->close(st);
	if (rc) {
		fprintf(stderr, "segwd: cannot open the configuration store: %s\n", strerror(-rc));
		return NULL;
	}
	g_store_open = 1;
	rc = store_load(&g_store);
	if (rc && rc != -EBADMSG) {
		fprintf(stderr, "segwd: cannot load the configuration store: %s\n", strerror(-rc));
		return NULL;
	}
	if (store_message(&g_store)[0])
		fprintf(stderr, "segwd: store: %s\n", store_message(&g_store));
	int64_t deadline;
	uint32_t prev;
	if (store_pending(&g_store, &deadline, &prev) && (int64_t)time(NULL) >= deadline) {
		uint32_t pend = g_store.cur.pend_number, num = 0;
		rc = store_revert_pending(&g_store, (int64_t)time(NULL), &num);
		char why[160];
		snprintf(why, sizeof(why), "commit %u was not confirmed before the deadline: "
			 "reverted at boot to commit %u (now %u)", pend, prev, num);
		if (rc)
			fprintf(stderr, "segwd: boot revert failed: %s\n", store_message(&g_store));
		else
			pending_expired_event(pend, why);
	}
	size_t len = 0;
	const char *text = store_running(&g_store, &len);
	char *owned = NULL;
	static char name[64];
	if (len) {
		snprintf(name, sizeof(name), "store:commit-%u", store_running_number(&g_store));
		*path = name;
	} else if (*path) {
		owned = slurp(*path, 64u << 20, &len);
		if (!owned) {
			fprintf(stderr, "%s: cannot read\n", *path);
			return NULL;
		}
		text = owned;
		char comment[200];
		snprintf(comment, sizeof(comment), "boot: from %.150s", *path);
		struct store_commit_info ci = { .who = "boot", .comment = comment,
						.how = STORE_HOW_BOOT, .when = (int64_t)time(NULL) };
		if (store_commit(&g_store, text, len, &ci, NULL) != 0)
			fprintf(stderr, "segwd: %s not recorded in the store: %s\n", *path,
				store_message(&g_store));
	} else {
		fprintf(stderr, "segwd: the configuration store is empty and no --policy given\n");
		return NULL;
	}
	static char errs[65536];
	struct policy *p = NULL;
	rc = policy_parse(*path, text, len, &p, errs, sizeof(errs), 50);
	if (rc == 0 && (rc = policy_compile(p)) != 0) {
		snprintf(errs, sizeof(errs), "%s: cannot compile: %s\n", *path, strerror(-rc));
		policy_free(p);
		p = NULL;
	}
	if (rc)
		fputs(errs, stderr);
	if (p) {
		g_in_force = malloc(len + 1);
		if (g_in_force) {
			memcpy(g_in_force, text, len);
			g_in_force[len] = 0;
			g_in_force_len = len;
		}
	}
	free(owned);
	return p;
}

const char *mgmt_ctl_status_path(const char *given)
{
	if (given || !opt.enabled)
		return given;
	if (!g_status_tmp[0])
		snprintf(g_status_tmp, sizeof(g_status_tmp), "/tmp/segwd-status.%ld.json",
			 (long)getpid());
	return g_status_tmp;
}

/* ---- management requests ------------------------------------------------ */

static mbedtls_pk_context g_bundle_key;
static int g_have_key;
static struct mgmt_tls *g_tls;
static struct {
	uint64_t version;
	uint32_t commit;
	const char *state; /* "none", "pending", "confirmed", "reverted", "rejected" */
	char reason[400];
} g_push = { 0, 0, "none", "" };

/* One line for the reply: newlines become "; ", quotes become '. */
static void one_line(char *dst, size_t n, const char *src)
{
	size_t o = 0;
	for (const char *s = src; *s && o + 3 < n; s++) {
		if (*s == '\n') {
			if (s[1]) {
				dst[o++] = ';';
				dst[o++] = ' ';
			}
		} else {
			dst[o++] = *s == '"' ? '\'' : (*s < 0x20 || *s > 0x7e) ? '?' : *s;
		}
	}
	dst[o] = 0;
}

static void reject(char *reply, size_t rl, const char *who, uint64_t version, const char *why)
{
	char r[400];
	one_line(r, sizeof(r), why);
	snprintf(reply, rl, "rejected version=%llu reason=\"%s\"", (unsigned long long)version, r);
	if (version) {
		g_push.version = version;
		g_push.commit = 0;
		g_push.state = "rejected";
		snprintf(g_push.reason, sizeof(g_push.reason), "%s", r);
	}
	char cmd[480];
	snprintf(cmd, sizeof(cmd), "push version %llu: rejected: %s", (unsigned long long)version, r);
	audit_mgmt(who, cmd, "denied");
	event(MGMT_EV_PUSH_REJECTED, r);
}

static void who_from_peer(const char *peer, char *who, size_t n)
{
	const char *cn = strstr(peer, "CN=");
	const char *v = cn ? cn + 3 : peer;
	size_t l = strcspn(v, ",");
	if (l > STORE_WHO_MAX - 5)
		l = STORE_WHO_MAX - 5;
	snprintf(who, n, "mgmt:%.*s", (int)l, v);
}

static void do_push(const char *who, const uint8_t *body, size_t n, char *reply, size_t rl)
{
	struct bundle b;
	char err[512];
	if (!g_have_key) {
		reject(reply, rl, who, 0, "no management key configured (bundle.pub)");
		return;
	}
	int rc = bundle_parse(body ? body : (const uint8_t *)"", n, &g_bundle_key, &b, err,
			      sizeof(err));
	if (rc) {
		reject(reply, rl, who, 0, err);
		return;
	}
	if (strcmp(b.board, g_board->id) != 0) {
		snprintf(err, sizeof(err), "wrong target: bundle is for board %s, this is %s",
			 b.board, g_board->id);
		reject(reply, rl, who, b.version, err);
		return;
	}
	if (!bundle_targets(b.target, opt.appliance_id)) {
		snprintf(err, sizeof(err), "wrong target: bundle is for %s, this is %s", b.target,
			 opt.appliance_id);
		reject(reply, rl, who, b.version, err);
		return;
	}
	uint64_t last = store_mgmt_version(&g_store);
	if (b.version <= last) {
		snprintf(err, sizeof(err), "old version: %llu is not newer than %llu",
			 (unsigned long long)b.version, (unsigned long long)last);
		reject(reply, rl, who, b.version, err);
		return;
	}
	char comment[STORE_COMMENT_MAX + 1];
	snprintf(comment, sizeof(comment), "bundle v%llu%s%s", (unsigned long long)b.version,
		 b.comment[0] ? ": " : "", b.comment);
	struct store_commit_info ci = { .who = who, .comment = comment, .how = STORE_HOW_MGMT,
					.when = (int64_t)time(NULL), .confirm_s = b.window_s,
					.mgmt_version = b.version };
	uint32_t num = 0;
	rc = store_commit(&g_store, b.policy, b.policy_len, &ci, &num);
	if (rc) {
		reject(reply, rl, who, b.version, store_message(&g_store)[0] ? store_message(&g_store)
									     : strerror(-rc));
		return;
	}
	g_push.version = b.version;
	g_push.commit = num;
	g_push.state = b.window_s ? "pending" : "confirmed";
	g_push.reason[0] = 0;
	snprintf(reply, rl, "applied version=%llu commit=%u window=%u",
		 (unsigned long long)b.version, num, b.window_s);
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "push version %llu: applied as commit %u, window %u s",
		 (unsigned long long)b.version, num, b.window_s);
	audit_mgmt(who, cmd, "ok");
}

static void do_confirm(const char *who, uint64_t version, char *reply, size_t rl)
{
	int64_t dl;
	if (g_push.version != version || strcmp(g_push.state, "pending") != 0 ||
	    !store_pending(&g_store, &dl, NULL) || g_store.cur.pend_number != g_push.commit) {
		snprintf(reply, rl, "rejected version=%llu reason=\"no push of version %llu awaits "
			 "confirmation (state %s)\"",
			 (unsigned long long)version, (unsigned long long)version,
			 g_push.version == version ? g_push.state : "unknown");
		audit_mgmt(who, "confirm: nothing to confirm", "error");
		return;
	}
	int rc = store_confirm(&g_store);
	if (rc) {
		char r[300];
		one_line(r, sizeof(r), store_message(&g_store));
		snprintf(reply, rl, "rejected version=%llu reason=\"%s\"", (unsigned long long)version,
			 r);
		audit_mgmt(who, "confirm", "failed");
		return;
	}
	g_push.state = "confirmed";
	snprintf(reply, rl, "confirmed version=%llu commit=%u", (unsigned long long)version,
		 g_push.commit);
	char cmd[120];
	snprintf(cmd, sizeof(cmd), "confirm version %llu (commit %u)", (unsigned long long)version,
		 g_push.commit);
	audit_mgmt(who, cmd, "ok");
}

/* A whole decimal number, nothing else. */
static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

static void handle(void *ctx, const char *peer, const char *line, const uint8_t *body,
		   size_t body_len, char *reply, size_t rl)
{
	(void)ctx;
	char who[STORE_WHO_MAX + 1];
	who_from_peer(peer, who, sizeof(who));
	uint64_t v;
	if (strncmp(line, "PUSH ", 5) == 0) {
		do_push(who, body, body_len, reply, rl);
	} else if (strncmp(line, "CONFIRM ", 8) == 0 && parse_u64(line + 8, &v) == 0) {
		do_confirm(who, v, reply, rl);
	} else if (strcmp(line, "STATUS") == 0) {
		int64_t dl = 0;
		int pend = store_pending(&g_store, &dl, NULL);
		snprintf(reply, rl, "status version=%llu state=%s commit=%u running=%u%s%s%s",
			 (unsigned long long)g_push.version, g_push.state, g_push.commit,
			 store_running_number(&g_store), pend ? " pending" : "",
			 g_push.reason[0] ? " reason=\"" : "", g_push.reason[0] ? g_push.reason : "");
		if (g_push.reason[0])
			strncat(reply, "\"", rl - strlen(reply) - 1);
		struct mgmt_tls_counters n;
		mgmt_tls_counters(g_tls, &n);
		size_t used = strlen(reply);
		snprintf(reply + used, rl - used,
			 " tls.accepted=%llu tls.served=%llu tls.handshake_failed=%llu "
			 "tls.peer_rejected=%llu tls.timeouts=%llu tls.cut=%llu tls.bad_request=%llu "
			 "tls.too_large=%llu tls.busy=%llu",
			 (unsigned long long)n.accepted, (unsigned long long)n.served,
			 (unsigned long long)n.handshake_failed, (unsigned long long)n.peer_rejected,
			 (unsigned long long)n.timeouts, (unsigned long long)n.cut,
			 (unsigned long long)n.bad_request, (unsigned long long)n.too_large,
			 (unsigned long long)n.refused_busy);
	} else {
		snprintf(reply, rl, "rejected version=0 reason=\"unknown request\"");
		audit_mgmt(who, "unknown request", "error");
	}
}

/* ---- the control thread ------------------------------------------------- */

static struct console_user g_users[CTL_USERS_MAX];
static unsigned g_n_users;
static char *g_users_text;

static int load_users(const char *path)
{
	size_t len;
	g_users_text = slurp(path, 1u << 20, &len);
	if (!g_users_text) {
		fprintf(stderr, "segwd: %s: cannot read the console users\n", path);
		return -ENOENT;
	}
	char *save = NULL;
	unsigned ln = 0;
	for (char *l = strtok_r(g_users_text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		ln++;
		if (*l == '#' || !*l)
			continue;
		char *s2 = NULL;
		char *name = strtok_r(l, " \t", &s2), *role = strtok_r(NULL, " \t", &s2),
		     *hash = strtok_r(NULL, " \t\r", &s2);
		if (!name || !role || !hash || g_n_users == CTL_USERS_MAX ||
		    (strcmp(role, "admin") && strcmp(role, "operator"))) {
			fprintf(stderr, "segwd: %s:%u: expected 'NAME admin|operator HASH'\n", path,
				ln);
			return -EINVAL;
		}
		g_users[g_n_users++] = (struct console_user){
			.name = name, .hash = hash,
			.role = strcmp(role, "admin") ? CONSOLE_ROLE_OPERATOR : CONSOLE_ROLE_ADMIN
		};
	}
	return 0;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct console_cfg g_ccfg;
static struct console_port *g_con;

static void *ctl_main(void *arg)
{
	(void)arg;
	while (!g_ctl_stop && !*g_env.stop) {
		struct pollfd pf[1 + MGMT_TLS_MAX_CONNS + 1];
		unsigned n = 0;
		int tmo = 200;
		if (g_con) {
			int fd = console_port_pollfd(g_con, &tmo);
			if (fd >= 0)
				pf[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		}
		if (g_tls)
			n += mgmt_tls_pollfds(g_tls, pf + n, MGMT_TLS_MAX_CONNS + 1);
		poll(pf, n, tmo);
		int64_t deadline = 0;
		uint32_t prev = 0;
		int was = store_pending(&g_store, &deadline, &prev);
		uint32_t pend = g_store.cur.pend_number;
		if (g_con)
			console_port_step(g_con);
		else if (was && (int64_t)time(NULL) >= deadline)
			store_revert_pending(&g_store, (int64_t)time(NULL), NULL);
		if (was && !store_pending(&g_store, NULL, NULL) && store_history_count(&g_store) &&
		    store_history(&g_store, 0)->how == STORE_HOW_REVERT) {
			char why[200];
			snprintf(why, sizeof(why), "commit %u not confirmed in time: reverted to "
				 "commit %u (running is now commit %u)",
				 pend, prev, store_running_number(&g_store));
			if (g_push.commit == pend && strcmp(g_push.state, "pending") == 0) {
				g_push.state = "reverted";
				snprintf(g_push.reason, sizeof(g_push.reason), "%s", why);
			}
			pending_expired_event(pend, why);
		} else if (was && !store_pending(&g_store, NULL, NULL) && g_push.commit == pend &&
			   strcmp(g_push.state, "pending") == 0) {
			/* confirmed at the console ('confirm', or a later commit) */
			g_push.state = "confirmed";
		}
		if (g_tls)
			mgmt_tls_step(g_tls, mono_ms(), handle, NULL);
	}
	return NULL;
}

int mgmt_ctl_start(const struct mgmt_ctl_env *env)
{
	g_env = *env;
	g_next_gen = gen_current(env->gens) ? gen_current(env->gens)->number + 1 : 1;
	store_set_activate(&g_store, activate, NULL);
	if (opt.listen) {
		char err[512];
		if (!opt.dir) {
			fprintf(stderr, "segwd: --mgmt-listen needs --mgmt-dir\n");
			return -EINVAL;
		}
		char path[4096];
		snprintf(path, sizeof(path), "%s/bundle.pub", opt.dir);
		mbedtls_pk_init(&g_bundle_key);
		if (psa_crypto_init() != PSA_SUCCESS ||
		    mbedtls_pk_parse_public_keyfile(&g_bundle_key, path) != 0) {
			fprintf(stderr, "segwd: %s: missing or not a public key\n", path);
			return -ENOENT;
		}
		g_have_key = 1;
		int rc = mgmt_tls_open(&g_tls, opt.dir, opt.listen, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "segwd: management listener: %s\n", err);
			return rc;
		}
		fprintf(stderr, "segwd: management plane on %s (port %d), appliance %s\n",
			opt.listen, mgmt_tls_port(g_tls), opt.appliance_id);
	}
	if (opt.console) {
		if (!g_board->console) {
			fprintf(stderr, "segwd: board %s has no console\n", g_board->id);
			return -ENODEV;
		}
		if (opt.users_file && load_users(opt.users_file))
			return -EINVAL;
		if (!g_n_users)
			fprintf(stderr, "segwd: no console users (--console-users): nobody can log in\n");
		g_ccfg = (struct console_cfg){
			.users = g_users, .n_users = g_n_users, .hostname = opt.appliance_id,
			.audit = audit_sink, .counters = mgmt_show_counters,
			.counters_ctx = NULL,
			.show_interfaces = mgmt_show_interfaces, .show_flows = mgmt_show_flows,
			.show_ctx = NULL,
		};
		mgmt_show_init(g_board, mgmt_ctl_status_path(env->status_path));
		int rc = console_port_open(&g_con, g_board->console, &g_store, &g_ccfg);
		if (rc) {
			fprintf(stderr, "segwd: cannot open the console: %s\n", strerror(-rc));
			return rc;
		}
		const char *path = g_board->console->ops->path(g_board->console);
		fprintf(stderr, "segwd: console on %s\n", path ? path : "?");
		if (opt.console_link && path) {
			unlink(opt.console_link);
			if (symlink(path, opt.console_link) != 0)
				fprintf(stderr, "segwd: cannot link %s: %s\n", opt.console_link,
					strerror(errno));
		}
	}
	g_started = 1;
	if (pthread_create(&g_thread, NULL, ctl_main, NULL) != 0) {
		fprintf(stderr, "segwd: cannot start the control thread\n");
		return -EAGAIN;
	}
	g_thread_on = 1;
	return 0;
}

void mgmt_ctl_stop(void)
{
	g_ctl_stop = 1;
	/* The control thread may wait for an activation the inline loop will
	 * never serve now: answer it. */
	pthread_mutex_lock(&g_mu);
	if (g_req.pending && !g_req.done) {
		g_req.rc = -ECANCELED;
		snprintf(g_req.err, sizeof(g_req.err), "segwd is stopping");
		g_req.done = 1;
		pthread_cond_broadcast(&g_cv);
	}
	pthread_mutex_unlock(&g_mu);
	if (g_thread_on)
		pthread_join(g_thread, NULL);
	g_thread_on = 0;
	if (g_con)
		console_port_close(g_con);
	g_con = NULL;
	if (opt.console_link)
		unlink(opt.console_link);
	mgmt_tls_close(g_tls);
	g_tls = NULL;
	if (g_have_key)
		mbedtls_pk_free(&g_bundle_key);
	g_have_key = 0;
	if (g_env.gens)
		reclaim(1);
	free(g_old);
	g_old = NULL;
	g_n_old = g_cap_old = 0;
	free(g_in_force);
	g_in_force = NULL;
	if (g_store_open) {
		store_close(&g_store);
		g_board->storage->ops->close(g_board->storage);
		g_store_open = 0;
	}
	if (g_status_tmp[0]) {
		unlink(g_status_tmp);
		char tmp[160];
		snprintf(tmp, sizeof(tmp), "%s.tmp", g_status_tmp);
		unlink(tmp);
	}
	free(g_users_text);
	g_users_text = NULL;
	if (g_audit)
		fclose(g_audit);
	g_audit = NULL;
}
