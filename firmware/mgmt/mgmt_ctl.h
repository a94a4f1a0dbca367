/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mgmt_ctl: segwd's control plane. It owns the configuration store (on the
 * board's storage), the serial console (the board's console device) and the
 * management-plane listener (mgmt_tls.h), and puts every policy they commit
 * in force through the same path as a SIGHUP reload: compile, the kernel's
 * table (one atomic batch), then a new generation published to the workers.
 *
 *   boot:  mgmt_ctl_boot() opens and loads the store, reverts a commit
 *          confirmed whose deadline passed while the box was off, and gives
 *          the policy to start with: the stored running policy, or the
 *          --policy file when the store is empty (recorded as commit 1,
 *          how = boot).
 *   run:   mgmt_ctl_start() starts the control thread (console + listener);
 *          the inline thread calls mgmt_ctl_reload() (as its reload hook):
 *          it serves the control thread's activation requests (and SIGHUP:
 *          the policy in force is applied again).
 *   stop:  mgmt_ctl_stop() after the inline loop returned.
 *
 * A commit (console: commit, commit confirmed, rollback, the revert of an
 * expired commit confirmed; mgmt: push, revert) goes: parse (store) ->
 * compile + kernel + publish (activation, in the inline thread) -> save. A
 * policy that fails any step is refused with its reason, and nothing
 * changes: kernel, workers and store keep the running policy.
 *
 * Owner:      one control plane per process (module state is static).
 * Thread:     mgmt_ctl_option/boot/start/stop from main; mgmt_ctl_reload from
 *             the inline thread; everything else runs in the control thread.
 * Allocation: at boot/start; per request (policy texts, TLS connections).
 * Errors:     messages on stderr (segwd's log); negative errno returns.
 */
#ifndef SEGW_MGMT_CTL_H
#define SEGW_MGMT_CTL_H

#include <signal.h>
#include <stdint.h>

#include "policy/fw_compile.h"
#include "policy/generation.h"
#include "policy/policy.h"
#include "segw/hal/board.h"

/*
 * mgmt_ctl_option - one of segwd's control-plane options (long name without
 * "--", @arg NULL for flags): store, console, console-users, console-link,
 * audit, mgmt-listen, mgmt-dir, appliance-id. 0, or -EINVAL (message on
 * stderr).
 */
int mgmt_ctl_option(const char *name, const char *arg);
/* mgmt_ctl_enabled - 1 when any option asked for the control plane. */
int mgmt_ctl_enabled(void);
/* mgmt_ctl_usage - the options' help lines. */
const char *mgmt_ctl_usage(void);

/*
 * mgmt_ctl_boot - open the store and return the compiled policy to start
 * with (see above), NULL with the reason on stderr. *@path is set to the
 * policy's name for messages ("store:commit-N" or the file).
 */
struct policy *mgmt_ctl_boot(const struct board_desc *board, const char **path);

/* What the control plane needs of the running inline loop. */
struct mgmt_ctl_env {
	const struct board_desc *board;
	struct hal_fw *fw;              /* opened; used from the inline thread only */
	struct policy_gen_slot *gens;   /* the published generation */
	enum fw_mode mode;
	uint16_t queue_num;
	volatile sig_atomic_t *reload;  /* the inline loop's reload flag */
	volatile sig_atomic_t *stop;    /* segwd stopping */
	const char *status_path;        /* --status FILE or NULL */
};

/* mgmt_ctl_start - start the control thread. 0, or -errno (message on stderr). */
int mgmt_ctl_start(const struct mgmt_ctl_env *env);
/* mgmt_ctl_reload - the inline loop's reload hook (ctx unused). */
void mgmt_ctl_reload(void *ctx);
/* mgmt_ctl_status_path - the counters status file the console reads: @given,
 * or a private one when the control plane runs and none was given. */
const char *mgmt_ctl_status_path(const char *given);
/* mgmt_ctl_stop - stop the thread, free old generations (not the current). */
void mgmt_ctl_stop(void);

/*
 * Events for notifications (SNMP): called with a one-line reason in the
 * control thread (and, for a commit confirmed found expired at boot, in
 * segwd's main thread during mgmt_ctl_boot()). Set the hook before
 * mgmt_ctl_boot(); it must not block for long (it runs in the control loop).
 */
enum mgmt_event {
	MGMT_EV_PUSH_REJECTED = 1,   /* a bundle was refused (reason) */
	MGMT_EV_PUSH_REVERTED,       /* a pushed bundle was not confirmed in time */
	MGMT_EV_CONFIRM_EXPIRED,     /* a console commit confirmed was not confirmed */
	MGMT_EV_APPLIED,             /* a policy (push, commit, rollback, revert) is in
				      * force (in the inline thread) */
};
typedef void (*mgmt_event_fn)(void *ctx, enum mgmt_event ev, const char *reason);
void mgmt_ctl_set_event_hook(mgmt_event_fn fn, void *ctx);

#endif
