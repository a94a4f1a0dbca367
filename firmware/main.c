// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * segwd: the gateway daemon.
 *
 *   segwd --replay FILE    classify a capture, JSON lines on stdout
 *   segwd --board          describe the board this build is for
 *   segwd --version
 *
 * Exit status: 0 success; 1 the capture failed midway (truncated or corrupt:
 * every flow read before the fault is still reported); 2 usage error or the
 * capture cannot be opened.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include <linux/capability.h>

#include "core/caps.h"
#include "policy/fw_compile.h"
#include "policy/generation.h"
#include "policy/policy.h"
#include "pipeline/inline.h"
#include "pipeline/report.h"
#include "pipeline/runner.h"
#include "pipeline/zone.h"
#include "mgmt/mgmt_ctl.h"
#include "segw/hal/board.h"
#include "snmp/publish.h"
#include "version.h"

static void usage(FILE *o)
{
	fprintf(o,
		"usage: segwd --replay FILE [options]\n"
		"       segwd --check-policy FILE | --print-policy FILE\n"
		"       segwd --board | --version | --help\n"
		"\n"
		"  --replay FILE              classify a capture (pcap/pcapng): one JSON object\n"
		"                             per flow, then one counters object, on stdout\n"
		"  --workers N                pipeline workers (default 1 for a replay)\n"
		"  --flow-slots N             flow table slots per worker (board default)\n"
		"  --flow-full-policy P       table full: evict (default), drop, pass\n"
		"  --malformed P              malformed packets: drop (default), pass\n"
		"  --timeout CLASS=SECONDS    idle timeout: tcp-syn, tcp-established,\n"
		"                             tcp-closing, tcp-closed, udp, icmp, other\n"
		"  --no-flows                 counters only\n"
		"  --policy FILE              apply a policy: verdicts per flow, counters per rule\n"
		"  --check-policy FILE        validate and compile a policy without applying it:\n"
		"                             exit 0, or FILE:LINE:COL: message lines and exit 1\n"
		"  --print-policy FILE        the policy in canonical form\n"
		"  --apply-policy FILE        compile the policy's L3/L4 part into the kernel\n"
		"                             (our nftables table, one atomic batch) and exit\n"
		"  --mode inline|tap          with --apply-policy: what the kernel does with rules\n"
		"                             it cannot decide (queue them, or accept)\n"
		"  --remove-policy            delete our nftables table (and nothing else)\n"
		"  --inline                   run inline: apply --policy to the kernel and decide\n"
		"                             the flows it queues, until SIGTERM/SIGINT;\n"
		"                             SIGHUP reloads the policy file (kept if bad)\n"
		"  --queue N                  with --inline: the queue number (default 0)\n"
		"  --duration SECONDS         with --inline: stop after this long\n"
		"  --watchdog SECONDS         with --inline/--tap: start the board's watchdog and\n"
		"                             feed it from the packet loop (a stuck worker\n"
		"                             stops the feeding: the watchdog resets)\n"
		"  --status FILE              with --inline: counters snapshot, rewritten each second\n"
		"  --tap PORT                 run on the board port PORT as a mirror: apply --policy\n"
		"                             (tap mode) and write denied flows into the kernel's\n"
		"                             deny sets; --duration and --status as with --inline\n"
		"  --stats-dir DIR            publish the counters for segw-snmp in DIR/segwd.stats\n"
		"                             (each second when running, at the end of a replay)\n");
	fputs(mgmt_ctl_usage(), o);
}

static int parse_u32(const char *s, uint32_t *out, uint32_t min, uint32_t max)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int parse_timeout(const char *arg, uint32_t *t)
{
	static const char *const names[FLOW_TMO__COUNT] = {
		"tcp-syn", "tcp-established", "tcp-closing", "tcp-closed", "udp", "icmp", "other",
	};
	const char *eq = strchr(arg, '=');
	if (!eq)
		return -EINVAL;
	for (int i = 0; i < FLOW_TMO__COUNT; i++)
		if (strlen(names[i]) == (size_t)(eq - arg) && strncmp(arg, names[i], (size_t)(eq - arg)) == 0)
			return parse_u32(eq + 1, &t[i], 1, 7 * 24 * 3600);
	return -EINVAL;
}

/* Read a whole file (policy text) into a NUL-terminated buffer. */
static char *slurp(const char *path, size_t *len, int *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err = errno;
		return NULL;
	}
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n + 1 >= cap) {
			if (cap >= (256u << 20)) {
				free(buf);
				buf = NULL;
				*err = EFBIG;
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				*err = ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
				*err = EIO;
			}
			break;
		}
	}
	fclose(f);
	if (buf) {
		buf[n] = 0;
		*len = n;
	}
	return buf;
}

static int check_policy(const char *path, int print)
{
	size_t len = 0;
	int e = 0;
	char *text = slurp(path, &len, &e);
	if (!text) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(e));
		return 2;
	}
	static char errs[65536];
	struct policy *p = NULL;
	int rc = policy_parse(path, text, len, &p, errs, sizeof(errs), 50);
	free(text);
	if (rc == -EINVAL) {
		fputs(errs, stderr);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "%s: %s\n", path, strerror(-rc));
		return 2;
	}
	rc = policy_compile(p);
	if (rc) {
		fprintf(stderr, "%s: cannot compile: %s\n", path,
			rc == -E2BIG ? "the rules expand to too many entries" : strerror(-rc));
		policy_free(p);
		return 1;
	}
	if (print) {
		policy_print(p, stdout);
	} else {
		uint32_t groups, entries;
		policy_compiled_stats(p, &groups, &entries);
		printf("%s: ok: %u zones, %u sets, %u backends, %u rules; compiled into %u groups, "
		       "%u entries\n",
		       path, p->n_zones, p->n_sets, p->n_backends, p->n_rules, groups, entries);
	}
	policy_free(p);
	return 0;
}

/* Compile @p's L3/L4 part and apply it to the open kernel firewall @fw.
 * The previous ruleset stays in force on any error (the message in @err). */
static int apply_parsed(const struct board_desc *board, struct hal_fw *fw, const struct policy *p,
			const char *path, enum fw_mode mode, uint16_t queue_num, uint32_t generation,
			FILE *msg)
{
	static char errs[65536];
	struct fw_compiled fc;
	int rc = fw_compile(p, board, mode, queue_num, generation, &fc, errs, sizeof(errs));
	if (rc) {
		fprintf(stderr, "%s: %s\n", path, errs[0] ? errs : strerror(-rc));
		return 1;
	}
	struct hal_fw_caps caps = { 0 };
	fw->ops->caps(fw, &caps);
	rc = fw->ops->apply(fw, &fc.rs, errs, sizeof(errs));
	if (rc)
		fprintf(stderr, "%s: not applied, the previous ruleset stays: %s\n", path, errs);
	else
		fprintf(msg,
			"%s: applied %u kernel rules (%u policy rules left to the pipeline, %s), "
			"queue via %s\n",
			path, fc.rs.n_rules, fc.l7_rules, mode == FW_MODE_INLINE ? "queued" : "accepted",
			caps.native_queue ? "nft queue" : "xt NFQUEUE");
	fw_compiled_free(&fc);
	return rc ? 1 : 0;
}

static struct policy *load_policy(const char *path);

/* Compile a policy's L3/L4 part and apply it to the board's kernel firewall
 * (NULL file: remove our table). The previous ruleset stays on any error. */
static int apply_policy(const struct board_desc *board, const char *path, enum fw_mode mode,
			uint16_t queue_num, FILE *msg)
{
	struct hal_fw *fw = board->firewall;
	if (!fw) {
		fprintf(stderr, "segwd: board %s has no kernel firewall\n", board->id);
		return 2;
	}
	int rc = fw->ops->open(fw);
	if (rc) {
		fprintf(stderr, "segwd: cannot open the kernel firewall: %s\n", strerror(-rc));
		return 2;
	}
	if (!path) {
		rc = fw->ops->remove(fw);
		fw->ops->close(fw);
		if (rc)
			fprintf(stderr, "segwd: cannot remove our table: %s\n", strerror(-rc));
		return rc ? 1 : 0;
	}
	struct policy *p = load_policy(path);
	if (!p) {
		fw->ops->close(fw);
		return 1;
	}
	rc = apply_parsed(board, fw, p, path, mode, queue_num, 1, msg);
	policy_free(p);
	fw->ops->close(fw);
	return rc;
}

static volatile sig_atomic_t stop_flag, reload_flag;
static uint32_t watchdog_s; /* --watchdog: 0 off */

/* The shared counters segment (--stats-dir DIR): segw-snmp reads it. */
static const char *stats_dir;
static struct segwd_export *stats_export;

static void export_open(const struct board_desc *board, uint32_t rules, unsigned workers)
{
	if (!stats_dir || stats_export)
		return;
	int rc = segwd_export_open(&stats_export, stats_dir, board, rules,
				   board->pools.flows * workers);
	if (rc)
		fprintf(stderr, "segwd: --stats-dir %s: counters not published: %s\n", stats_dir,
			strerror(-rc));
}

struct export_tick_ctx {
	struct policy_gen_slot *gens;
	const struct hal_port *port;
};

/* inline/tap: publish the counters once a second (inline_cfg.tick_fn) */
static void export_tick(void *arg, const struct stats_snapshot *s, const struct hal_port_stats *ps)
{
	struct export_tick_ctx *x = arg;
	struct policy_gen *g = gen_current(x->gens);
	struct report_port rp = { .name = x->port->name, .index = x->port->index, .st = *ps };
	segwd_export_publish(stats_export, s, g ? &g->zones : NULL, g, &rp, 1);
}
static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_flag = 1;
	else
		stop_flag = 1;
}

/* Inline mode's policy reload (SIGHUP): parse, compile, apply to the kernel,
 * then publish; any failure keeps the running generation, kernel and pipeline
 * both, and says why. */
struct reload_ctx {
	const struct board_desc *board;
	struct hal_fw *fw;
	const char *path;
	uint16_t queue_num;
	struct policy_gen_slot *gens;
	struct policy_gen *old; /* published before; freed once no worker runs it */
	uint32_t next;
	enum fw_mode mode;
};

static void reload_policy(void *arg)
{
	struct reload_ctx *rc = arg;
	if (rc->old && gen_reclaimable(rc->gens, 1, gen_current(rc->gens)->number)) {
		gen_free(rc->old);
		rc->old = NULL;
	}
	struct policy *p = load_policy(rc->path);
	if (!p) {
		segwd_export_push_result(SX_PUSH_REJECTED, gen_current(rc->gens)->number,
					 "reload refused: the policy does not parse or compile");
		fprintf(stderr, "segwd: reload refused, generation %u stays\n",
			gen_current(rc->gens)->number);
		return;
	}
	uint32_t number = rc->next;
	if (apply_parsed(rc->board, rc->fw, p, rc->path, rc->mode, rc->queue_num, number, stderr)) {
		segwd_export_push_result(SX_PUSH_REJECTED, gen_current(rc->gens)->number,
					 "reload refused: the kernel did not take the rules");
		fprintf(stderr, "segwd: reload refused, generation %u stays\n",
			gen_current(rc->gens)->number);
		policy_free(p);
		return;
	}
	static char errs[1024];
	struct policy_gen *g = NULL;
	if (gen_build(&g, p, rc->board, 1, number, errs, sizeof(errs))) {
		fprintf(stderr, "segwd: reload: %s\n", errs);
		return;
	}
	if (rc->old) /* two reloads before the worker moved: keep it simple */
		gen_free(rc->old);
	rc->old = gen_current(rc->gens);
	gen_publish(rc->gens, g);
	rc->next++;
	fprintf(stderr, "segwd: policy generation %u in force\n", number);
	segwd_export_push_result(SX_PUSH_APPLIED, number, "reload applied");
}

/* Load, parse and compile a policy file; NULL with the errors on stderr. */
static struct policy *load_policy(const char *path)
{
	size_t len = 0;
	int e = 0;
	char *text = slurp(path, &len, &e);
	if (!text) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(e));
		return NULL;
	}
	static char errs[65536];
	struct policy *p = NULL;
	int rc = policy_parse(path, text, len, &p, errs, sizeof(errs), 50);
	free(text);
	if (rc) {
		fputs(errs, stderr);
		return NULL;
	}
	rc = policy_compile(p);
	if (rc) {
		fprintf(stderr, "%s: cannot compile: %s\n", path, strerror(-rc));
		policy_free(p);
		return NULL;
	}
	return p;
}

/*
 * Inline mode: the policy's L3/L4 part goes into the kernel (one atomic
 * batch, the previous ruleset stays on failure), flows it cannot decide are
 * queued to us, and we answer each packet until a signal or the duration.
 */
struct tap_ctx {
	struct hal_fw *fw;
	uint32_t timeout_s;
	uint64_t blocked, failed;
};

/* Tap mode: one denied flow into the kernel's deny sets (both directions). */
static int tap_block(void *arg, const struct flow *f)
{
	struct tap_ctx *t = arg;
	struct hal_fw_flow hf;
	memset(&hf, 0, sizeof(hf));
	hf.ipver = f->key.ipver;
	hf.proto = f->key.proto;
	memcpy(hf.a, flow_client_ip(f), 16);
	memcpy(hf.b, flow_server_ip(f), 16);
	hf.pa = flow_client_port(f);
	hf.pb = flow_server_port(f);
	char err[256];
	int rc = t->fw->ops->block(t->fw, &hf, 1, t->timeout_s, err, sizeof(err));
	if (rc) {
		t->failed++;
		fprintf(stderr, "segwd: cannot block flow %llu: %s\n", (unsigned long long)f->id, err);
	} else {
		t->blocked++;
	}
	return rc;
}

/* The control plane's events (console commits, management pushes) become
 * the SNMP segment's push results and notifications. */
static void mgmt_event_to_snmp(void *ctx, enum mgmt_event ev, const char *reason)
{
	(void)ctx;
	enum sx_push_result r = ev == MGMT_EV_PUSH_REJECTED  ? SX_PUSH_REJECTED
				: ev == MGMT_EV_PUSH_REVERTED ? SX_PUSH_REVERTED
				: ev == MGMT_EV_APPLIED       ? SX_PUSH_APPLIED
							      : SX_PUSH_CONFIRM_EXPIRED;
	segwd_export_push_result(r, 0, reason);
}

static int run_inline(const struct board_desc *board, const char *policy_path, uint16_t queue_num,
		      uint32_t duration_s, const char *status_path, int no_flows, const char *tap_port)
{
	if (!policy_path && !mgmt_ctl_enabled()) {
		fprintf(stderr, "segwd: --inline and --tap need --policy FILE\n");
		return 2;
	}
	if (mgmt_ctl_enabled())
		mgmt_ctl_set_event_hook(mgmt_event_to_snmp, NULL);
	struct policy *p = mgmt_ctl_enabled() ? mgmt_ctl_boot(board, &policy_path)
					      : load_policy(policy_path);
	if (!p)
		return 1;
	int fail_open = p->defaults[POLICY_DEF_QUEUE_OVERLOAD] == POLICY_QUEUE_FAIL_OPEN;
	/* the queue listener first: rules that queue to nobody would drop */
	struct hal_port port;
	int rc;
	enum fw_mode mode = tap_port ? FW_MODE_TAP : FW_MODE_INLINE;
	if (tap_port) {
		const struct hal_port *bp = NULL;
		for (unsigned i = 0; i < board->n_ports; i++)
			if (strcmp(board->ports[i].name, tap_port) == 0)
				bp = &board->ports[i];
		if (!bp) {
			fprintf(stderr, "segwd: board %s has no port '%s'\n", board->id, tap_port);
			policy_free(p);
			return 2;
		}
		port = *bp;
		port.data = NULL;
		port.error[0] = 0;
		rc = hal_port_open(&port);
	} else {
		rc = board->inline_port(&port, queue_num, fail_open);
		if (!rc)
			rc = hal_port_open(&port);
	}
	if (rc) {
		fprintf(stderr, "segwd: cannot open %s: %s\n", tap_port ? tap_port : "the queue",
			port.error[0] ? port.error : strerror(-rc));
		policy_free(p);
		return 2;
	}
	struct hal_fw *fw = board->firewall;
	rc = fw ? fw->ops->open(fw) : -ENODEV;
	if (rc) {
		fprintf(stderr, "segwd: cannot open the kernel firewall: %s\n", strerror(-rc));
		hal_port_close(&port);
		policy_free(p);
		return 2;
	}
	rc = apply_parsed(board, fw, p, policy_path, mode, queue_num, 1, stderr);
	if (rc) {
		fw->ops->close(fw);
		hal_port_close(&port);
		policy_free(p);
		return rc;
	}
	static struct policy_gen_slot gens;
	static char errs[1024];
	struct policy_gen *gen = NULL;
	rc = gen_build(&gen, p, board, 1, 1, errs, sizeof(errs));
	if (rc) {
		fprintf(stderr, "segwd: %s: %s\n", policy_path, errs);
		hal_port_close(&port);
		return 2;
	}
	gen_publish(&gens, gen);
	export_open(board, gen->policy->n_rules, 1);
	if (board->watchdog && board->watchdog->ops->boot_reason &&
	    board->watchdog->ops->boot_reason(board->watchdog) == HAL_BOOT_WATCHDOG)
		segwd_export_notify(SX_EV_WATCHDOG_REBOOT, 0, "the last reset was the watchdog's");
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	struct reload_ctx rctx = { .board = board, .fw = fw, .path = policy_path,
				   .queue_num = queue_num, .gens = &gens, .next = 2, .mode = mode };
	struct tap_ctx tctx = { .fw = fw, .timeout_s = 3600 };
	struct mgmt_ctl_env cenv = { .board = board, .fw = fw, .gens = &gens, .mode = mode,
				     .queue_num = queue_num, .reload = &reload_flag,
				     .stop = &stop_flag, .status_path = status_path };
	if (mgmt_ctl_enabled() && mgmt_ctl_start(&cenv)) {
		mgmt_ctl_stop();
		fw->ops->close(fw);
		hal_port_close(&port);
		gen_free(gen);
		return 2;
	}
	struct inline_cfg ic = {
		.board = board,
		.port = &port,
		.wcfg = {
			.flow_slots = board->pools.flows,
			.frag_contexts = board->pools.frag_contexts,
			.frag_bytes = board->pools.frag_bytes,
			.zones = &gen->zones,
			.malformed = gen->policy->defaults[POLICY_DEF_MALFORMED] == POLICY_MALFORMED_PASS
					     ? MALFORMED_PASS
					     : MALFORMED_DROP,
			.full_policy = (enum flow_full_policy)gen->policy->defaults[POLICY_DEF_FLOW_FULL],
		},
		.report = no_flows ? NULL : stdout,
		.gens = &gens,
		.duration_ms = duration_s * 1000u,
		.watchdog = watchdog_s ? board->watchdog : NULL,
		.watchdog_ms = watchdog_s * 1000u,
		.stop = &stop_flag,
		.reload = &reload_flag,
		.reload_fn = mgmt_ctl_enabled() ? mgmt_ctl_reload : reload_policy,
		.reload_ctx = &rctx,
		.block_fn = tap_port ? tap_block : NULL,
		.block_ctx = &tctx,
		.status_path = mgmt_ctl_status_path(status_path),
	};
	if (tap_port)
		fprintf(stderr, "segwd: tap on %s\n", tap_port);
	else
		fprintf(stderr, "segwd: inline on queue %u (%s)\n", queue_num,
			fail_open ? "fail-open" : "fail-closed");
	static struct runner_result res;
	struct export_tick_ctx xtick = { .gens = &gens, .port = &port };
	if (stats_export) {
		ic.tick_fn = export_tick;
		ic.tick_ctx = &xtick;
	}
	rc = inline_run(&ic, &res);
	if (stats_export) {
		export_tick(&xtick, &res.snap, &res.port_stats);
		segwd_export_close(stats_export, 0);
		stats_export = NULL;
	}
	if (mgmt_ctl_enabled())
		mgmt_ctl_stop();
	struct report_port rp = { .name = port.name, .zone = NULL, .index = port.index,
				   .st = res.port_stats };
	fflush(stdout);
	struct policy_gen *cur = gen_current(&gens);
	report_counters_gen(stdout, &res.snap, &cur->zones, &rp, 1, rc ? "error" : "ok",
			    rc ? strerror(-rc) : NULL, cur);
	fflush(stdout);
	hal_port_close(&port);
	fw->ops->close(fw);
	if (rctx.old && rctx.old != cur)
		gen_free(rctx.old);
	if (tap_port)
		fprintf(stderr, "segwd: tap: %llu flows written to the deny sets, %llu failed\n",
			(unsigned long long)tctx.blocked, (unsigned long long)tctx.failed);
	gen_free(cur);
	return rc ? 1 : 0;
}

static void print_board(const struct board_desc *b)
{
	printf("{\"id\":\"%s\",\"name\":\"%s\",\"ports\":[", b->id, b->name);
	for (unsigned i = 0; i < b->n_ports; i++)
		printf("%s{\"name\":\"%s\",\"zone\":\"%s\",\"driver\":\"%s\"}", i ? "," : "",
		       b->ports[i].name, b->ports[i].zone ? b->ports[i].zone : "",
		       b->ports[i].ops->driver);
	printf("],\"zones\":[");
	for (unsigned i = 0; i < b->n_zones; i++)
		printf("%s\"%s\"", i ? "," : "", b->zones[i]);
	printf("],\"pools\":{\"pktbufs\":%u,\"pktbuf_size\":%u,\"flows\":%u,"
	       "\"frag_contexts\":%u,\"frag_bytes\":%u,\"max_workers\":%u},"
	       "\"flow_bytes_per_slot\":%zu}\n",
	       b->pools.pktbufs, b->pools.pktbuf_size, b->pools.flows, b->pools.frag_contexts,
	       b->pools.frag_bytes, b->pools.max_workers, (size_t)FLOW_BYTES_PER_SLOT);
}

int main(int argc, char **argv)
{
	const struct board_desc *board = board_get();
	const char *replay = NULL, *policy_file = NULL, *apply_file = NULL;
	enum fw_mode fw_mode = FW_MODE_INLINE;
	int remove_policy = 0, inline_mode = 0;
	uint32_t queue_num = 0, duration_s = 0;
	const char *status_path = NULL, *tap_port = NULL;
	uint32_t workers = 1, slots = board->pools.flows;
	uint32_t timeouts[FLOW_TMO__COUNT] = { 0 };
	enum flow_full_policy full = FLOW_FULL_EVICT;
	enum malformed_policy malformed = MALFORMED_DROP;
	int no_flows = 0;

	enum { O_REPLAY = 256, O_WORKERS, O_SLOTS, O_FULL, O_MALFORMED, O_TIMEOUT, O_NOFLOWS,
	       O_BOARD, O_VERSION, O_HELP, O_CHECK_POLICY, O_PRINT_POLICY, O_POLICY, O_APPLY,
	       O_MODE, O_REMOVE, O_INLINE, O_QUEUE, O_DURATION, O_STATUS, O_TAP, O_CTL };
	static const struct option opts[] = {
		{ "replay", required_argument, NULL, O_REPLAY },
		{ "workers", required_argument, NULL, O_WORKERS },
		{ "flow-slots", required_argument, NULL, O_SLOTS },
		{ "flow-full-policy", required_argument, NULL, O_FULL },
		{ "malformed", required_argument, NULL, O_MALFORMED },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "no-flows", no_argument, NULL, O_NOFLOWS },
		{ "board", no_argument, NULL, O_BOARD },
		{ "check-policy", required_argument, NULL, O_CHECK_POLICY },
		{ "policy", required_argument, NULL, O_POLICY },
		{ "apply-policy", required_argument, NULL, O_APPLY },
		{ "mode", required_argument, NULL, O_MODE },
		{ "remove-policy", no_argument, NULL, O_REMOVE },
		{ "inline", no_argument, NULL, O_INLINE },
		{ "queue", required_argument, NULL, O_QUEUE },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "watchdog", required_argument, NULL, 'W' },
		{ "status", required_argument, NULL, O_STATUS },
		{ "tap", required_argument, NULL, O_TAP },
		{ "stats-dir", required_argument, NULL, 'S' },
		{ "print-policy", required_argument, NULL, O_PRINT_POLICY },
		{ "version", no_argument, NULL, O_VERSION },
		{ "help", no_argument, NULL, O_HELP },
		{ "store", no_argument, NULL, O_CTL },
		{ "console", no_argument, NULL, O_CTL },
		{ "console-users", required_argument, NULL, O_CTL },
		{ "console-link", required_argument, NULL, O_CTL },
		{ "audit", required_argument, NULL, O_CTL },
		{ "mgmt-listen", required_argument, NULL, O_CTL },
		{ "mgmt-dir", required_argument, NULL, O_CTL },
		{ "appliance-id", required_argument, NULL, O_CTL },
		{ 0 },
	};
	int c;
	int li = 0;
	while ((c = getopt_long(argc, argv, "", opts, &li)) != -1) {
		switch (c) {
		case O_REPLAY: replay = optarg; break;
		case O_WORKERS:
			if (parse_u32(optarg, &workers, 1, board->pools.max_workers)) {
				fprintf(stderr, "segwd: --workers: 1 to %u\n", board->pools.max_workers);
				return 2;
			}
			break;
		case O_SLOTS:
			if (parse_u32(optarg, &slots, 1, 1u << 26)) {
				fprintf(stderr, "segwd: --flow-slots: 1 to %u\n", 1u << 26);
				return 2;
			}
			break;
		case O_FULL:
			if (!strcmp(optarg, "evict")) full = FLOW_FULL_EVICT;
			else if (!strcmp(optarg, "drop")) full = FLOW_FULL_DROP;
			else if (!strcmp(optarg, "pass")) full = FLOW_FULL_PASS;
			else {
				fprintf(stderr, "segwd: --flow-full-policy: evict, drop or pass\n");
				return 2;
			}
			break;
		case O_MALFORMED:
			if (!strcmp(optarg, "drop")) malformed = MALFORMED_DROP;
			else if (!strcmp(optarg, "pass")) malformed = MALFORMED_PASS;
			else {
				fprintf(stderr, "segwd: --malformed: drop or pass\n");
				return 2;
			}
			break;
		case O_TIMEOUT:
			if (parse_timeout(optarg, timeouts)) {
				fprintf(stderr, "segwd: --timeout: CLASS=SECONDS, see --help\n");
				return 2;
			}
			break;
		case O_NOFLOWS: no_flows = 1; break;
		case O_POLICY: policy_file = optarg; break;
		case O_APPLY: apply_file = optarg; break;
		case O_REMOVE: remove_policy = 1; break;
		case O_INLINE: inline_mode = 1; break;
		case O_STATUS: status_path = optarg; break;
		case O_TAP: tap_port = optarg; break;
		case 'S': stats_dir = optarg; break;
		case O_QUEUE:
			if (parse_u32(optarg, &queue_num, 0, 65535)) {
				fprintf(stderr, "segwd: --queue: 0 to 65535\n");
				return 2;
			}
			break;
		case 'W':
			if (parse_u32(optarg, &watchdog_s, 1, 60)) {
				fprintf(stderr, "segwd: --watchdog: 1 to 60 seconds\n");
				return 2;
			}
			break;
		case O_DURATION:
			if (parse_u32(optarg, &duration_s, 1, 86400 * 365)) {
				fprintf(stderr, "segwd: --duration: seconds\n");
				return 2;
			}
			break;
		case O_MODE:
			if (!strcmp(optarg, "inline")) fw_mode = FW_MODE_INLINE;
			else if (!strcmp(optarg, "tap")) fw_mode = FW_MODE_TAP;
			else {
				fprintf(stderr, "segwd: --mode: inline or tap\n");
				return 2;
			}
			break;
		case O_BOARD: print_board(board); return 0;
		case O_CHECK_POLICY: return check_policy(optarg, 0);
		case O_PRINT_POLICY: return check_policy(optarg, 1);
		case O_VERSION: printf("segwd %s (board %s)\n", SEGW_VERSION, board->id); return 0;
		case O_HELP: usage(stdout); return 0;
		case O_CTL:
			if (mgmt_ctl_option(opts[li].name, optarg))
				return 2;
			break;
		default: usage(stderr); return 2;
		}
	}
	/* Least privilege: from here on segwd keeps only what the kernel
	 * enforcement (nftables, the queue: NET_ADMIN), capture (NET_RAW) and
	 * a management listener on a low port (NET_BIND_SERVICE) need. */
	int crc = caps_keep_only(CAPS_BIT(CAP_NET_ADMIN) | CAPS_BIT(CAP_NET_RAW) |
				 CAPS_BIT(CAP_NET_BIND_SERVICE));
	if (crc) {
		fprintf(stderr, "segwd: cannot drop capabilities: %s\n", strerror(-crc));
		return 1;
	}
	if (optind == argc && (apply_file || remove_policy))
		return apply_policy(board, apply_file, fw_mode, 0, stdout);
	if (optind == argc && inline_mode && !replay)
		return run_inline(board, policy_file, (uint16_t)queue_num, duration_s, status_path,
				  no_flows, NULL);
	if (optind == argc && tap_port && !replay)
		return run_inline(board, policy_file, 0, duration_s, status_path, no_flows, tap_port);
	if (optind < argc || !replay) {
		usage(stderr);
		return 2;
	}

	static struct zone_map zones;
	int rc = zone_map_init(&zones, board);
	if (rc) {
		fprintf(stderr, "segwd: board zone table is invalid (%s)\n", strerror(-rc));
		return 2;
	}
	static struct policy_gen_slot gens;
	struct policy_gen *gen = NULL;
	if (policy_file) {
		size_t len = 0;
		int e = 0;
		char *text = slurp(policy_file, &len, &e);
		if (!text) {
			fprintf(stderr, "segwd: %s: cannot read: %s\n", policy_file, strerror(e));
			return 2;
		}
		static char errs[65536];
		struct policy *pol = NULL;
		rc = policy_parse(policy_file, text, len, &pol, errs, sizeof(errs), 50);
		free(text);
		if (rc == 0 && (rc = policy_compile(pol)) != 0)
			snprintf(errs, sizeof(errs), "%s: cannot compile: %s\n", policy_file,
				 strerror(-rc));
		if (rc == 0) {
			rc = gen_build(&gen, pol, board, workers, 1, errs, sizeof(errs));
			pol = NULL;
			if (rc)
				fprintf(stderr, "segwd: %s: ", policy_file);
		}
		if (rc) {
			policy_free(pol);
			fputs(errs, stderr);
			if (errs[0] && errs[strlen(errs) - 1] != '\n')
				fputc('\n', stderr);
			return 2;
		}
		gen_publish(&gens, gen);
	}
	struct hal_port port;
	rc = board->replay_port(&port, replay);
	if (rc == 0)
		rc = hal_port_open(&port);
	if (rc) {
		fprintf(stderr, "segwd: %s: cannot open capture: %s\n", replay,
			port.error[0] ? port.error : strerror(-rc));
		return 2;
	}
	struct runner_cfg rcfg = {
		.board = board,
		.port = &port,
		.workers = workers,
		.report = no_flows ? NULL : stdout,
		.gens = gen ? &gens : NULL,
		.wcfg = {
			.flow_slots = slots,
			.full_policy = full,
			.frag_contexts = board->pools.frag_contexts,
			.frag_bytes = board->pools.frag_bytes,
			.malformed = malformed,
			.zones = &zones,
		},
	};
	memcpy(rcfg.wcfg.timeout_s, timeouts, sizeof(timeouts));
	static struct runner_result res;
	rc = runner_run(&rcfg, &res);
	if (rc == -ENOMEM || rc == -EINVAL) {
		hal_port_close(&port);
		fprintf(stderr, "segwd: cannot start the pipeline: %s\n", strerror(-rc));
		return 2;
	}
	struct report_port rp = { .name = port.name, .zone = port.zone, .index = port.index,
				   .st = res.port_stats };
	fflush(stdout);
	if (rc < 0) {
		report_counters_gen(stdout, &res.snap, gen ? &gen->zones : &zones, &rp, 1, "error",
				res.error, gen);
		fflush(stdout);
		fprintf(stderr, "segwd: %s: capture failed after %llu packets: %s\n", replay,
			(unsigned long long)res.port_stats.rx_packets, res.error);
		hal_port_close(&port);
		return 1;
	}
	report_counters_gen(stdout, &res.snap, gen ? &gen->zones : &zones, &rp, 1, "ok", NULL, gen);
	export_open(board, gen && gen->policy ? gen->policy->n_rules : 0, workers);
	segwd_export_publish(stats_export, &res.snap, gen ? &gen->zones : &zones, gen, &rp, 1);
	segwd_export_close(stats_export, 0);
	stats_export = NULL;
	uint64_t unsupported = res.snap.sum.c[CTR_DEC_LINK_UNSUPPORTED];
	if (unsupported)
		fprintf(stderr, "segwd: %s: %llu frames of a link type not decoded (counted as "
				"decode.link.unsupported)\n",
			replay, (unsigned long long)unsupported);
	hal_port_close(&port);
	gen_free(gen);
	return fflush(stdout) == 0 ? 0 : 1;
}
