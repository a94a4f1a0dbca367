/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store: the configuration store. It keeps the `running` policy text, a
 * numbered history of commits (who, when, how, comment, text), the pending
 * confirmation of a `commit confirmed`, and helps editing sessions with
 * in-memory candidates and a line `compare`.
 *
 * On the board's storage (hal storage), two partitions (A/B: "config_a",
 * "config_b" on every board) each hold at most one record:
 *
 *   header (48 bytes, little-endian)       payload (payload_len bytes)
 *   0  u32 magic "SGCF" (0x46434753)       TLVs: u16 tag, u16 flags, u32 len,
 *   4  u16 format version (1)                    value (len bytes)
 *   6  u16 header size (48)                tag 2 PENDING (at most one)
 *   8  u64 sequence number                 tag 1 ENTRY, newest first; the
 *   16 u32 payload_len                           first is `running` in full,
 *   20 u32 payload CRC-32                        each older one a line delta
 *   24 u32 flags (0)                             against the entry before it
 *   28 16 bytes reserved (0)               an unknown tag is skipped unless
 *   44 u32 header CRC-32 of bytes 0..43          its flags bit 0 ("critical")
 *                                          tag 3 MGMT: u64 newest bundle version
 *
 * A save writes the whole new state into the partition NOT holding the
 * newest valid record: erase, payload, header, sync, read back and compare.
 * Only then is the new record the newest (highest sequence number among the
 * records whose header CRC, payload CRC and decoding are all good). The other
 * partition is never touched during a save, so losing power at any instant
 * leaves its record (the old state) intact; the new record is either complete
 * (it is found, with the higher sequence) or fails a CRC (it is ignored).
 * Load picks the newest valid record and never writes. firmware/store/README.md
 * has the full argument and the capacity figures.
 *
 * History: the newest STORE_HISTORY_MAX commits are kept. Older entries are
 * stored as line deltas, so the space they take is the size of the changes:
 * STORE_HISTORY_MIN (50) commits fit when running + 49 average deltas fit the
 * partition (README.md gives figures). If they do not, the oldest entries
 * are dropped to fit and store_message() says so ("history trimmed to N
 * commits"): never silently. A text that does not fit alone is refused with
 * -ENOSPC and a message (nothing changed).
 *
 * Commit confirmed: store_commit() with confirm_s > 0 records the deadline
 * and the text running before it; store_confirm() ends the window;
 * store_revert_pending() after the deadline makes that previous text running
 * again as a new commit (how = revert). A plain commit (or rollback) while a
 * confirmation is pending confirms it; another commit confirmed extends the
 * window and keeps the original previous text. The pending state is stored:
 * after a reboot inside the window the caller calls store_revert_pending()
 * with the current time (it reverts at once when the deadline has passed).
 *
 * Owner:      the caller owns struct store and the hal storage (opened
 *             before store_open(), closed after store_close()); the store
 *             owns its history; returned pointers are valid until the next
 *             call that changes the store.
 * Thread:     control thread only; not thread-safe.
 * Allocation: load and commit allocate (texts, the encoded record); a
 *             candidate owns a copy of its text.
 * Errors:     negative errno; store_message() says why in words.
 *             -EINVAL  invalid policy text (its FILE:LINE:COL errors are in
 *                      store_message()) or bad arguments (who/comment too
 *                      long, unknown how)
 *             -ENOSPC  the new running text alone does not fit a partition
 *             -EBADMSG stored records damaged: both invalid, not blank
 *                      (load; commits are refused until store_reset())
 *             -ENOENT  no such history entry / nothing pending / partition
 *             -EAGAIN  confirm window not yet expired
 *             -ESTALE  a candidate based on a running config since replaced
 *             -EIO etc. from the storage: the store is unchanged (the save
 *                      may or may not have become durable; reload to know)
 */
#ifndef SEGW_STORE_STORE_H
#define SEGW_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "segw/hal/storage.h"

#define STORE_HISTORY_MIN 50
#define STORE_HISTORY_MAX 64
#define STORE_WHO_MAX 64      /* bytes, without NUL */
#define STORE_COMMENT_MAX 256 /* bytes, without NUL */
#define STORE_PAYLOAD_MAX (16u << 20)
#define STORE_HDR_SIZE 48
#define STORE_MAGIC 0x46434753u
#define STORE_FORMAT 1

enum store_how {
	STORE_HOW_CONSOLE = 0,
	STORE_HOW_MGMT,
	STORE_HOW_ROLLBACK,
	STORE_HOW_BOOT,
	STORE_HOW_REVERT,
	STORE_HOW__COUNT
};

/* One commit. text is NUL-terminated, text_len excludes the NUL. */
struct store_entry {
	uint32_t number;
	int64_t when; /* epoch seconds */
	uint8_t how;  /* enum store_how */
	char *who;
	char *comment;
	char *text;
	size_t text_len;
};

/* The stored state: history newest first, history[0] is running. */
struct store_state {
	uint32_t n;
	struct store_entry history[STORE_HISTORY_MAX];
	int pending;
	int64_t deadline;        /* epoch seconds */
	uint32_t pend_number;    /* the unconfirmed commit */
	uint32_t pend_prev;      /* number running before it, 0: none */
	char *prev_text;         /* its text (kept even if history drops it) */
	size_t prev_len;
	uint64_t mgmt_version;   /* newest management bundle version committed, 0 none */
};

/*
 * Activation hook (store_set_activate): called with the text about to become
 * running (commit, rollback, revert) after it parsed and BEFORE it is saved;
 * it makes the text the policy in force (compile, kernel, workers). A non-zero
 * return refuses the commit (nothing saved; the hook writes why into @err,
 * which becomes store_message()). When the save then fails, the hook is
 * called again with the previous running text to put it back in force.
 */
typedef int (*store_activate_fn)(void *ctx, const char *text, size_t len, char *err,
				 size_t errlen);

struct store {
	struct hal_storage *st;
	const char *part[2];
	uint64_t cap;            /* payload bytes a record may have */
	uint32_t erase_block[2];
	int active;              /* partition a save must not touch (newest record), -1 */
	uint64_t seq;            /* highest sequence number seen */
	int damaged;
	struct store_state cur;
	char msg[2048];
	store_activate_fn activate; /* NULL: none (store_set_activate) */
	void *activate_ctx;
};

/* What a commit records. when: epoch seconds (the caller's clock). */
struct store_commit_info {
	const char *who;
	const char *comment; /* may be NULL */
	enum store_how how;
	int64_t when;
	uint32_t confirm_s;  /* > 0: commit confirmed, window in seconds */
	uint64_t mgmt_version; /* > 0: record it as the newest bundle version */
};

/*
 * store_open - bind @s to partitions @part_a and @part_b (NULL: "config_a",
 * "config_b") of the opened storage @st. Does not read. 0, -ENOENT (no such
 * partition), -ENOSPC (a partition smaller than a header + 1 KiB).
 */
int store_open(struct store *s, struct hal_storage *st, const char *part_a, const char *part_b);
/*
 * store_load - read the newest valid record. 0 (also for a blank store:
 * empty running, no history; also when one record was damaged and the other
 * used: store_message() says so), -EBADMSG (both damaged: empty state,
 * message), -EIO/-ENOMEM.
 */
int store_load(struct store *s);
void store_close(struct store *s);
/* store_message - why the last call failed, or what load noticed; "" if nothing. */
const char *store_message(const struct store *s);

/* store_running - the running text (NUL-terminated, "" when none), its length in *len. */
const char *store_running(const struct store *s, size_t *len);
/* store_running_number - the commit number of running, 0 when none. */
uint32_t store_running_number(const struct store *s);

/*
 * store_commit - validate @text with policy_parse() and make it running as a
 * new history entry. *number (if not NULL) gets its number. 0 or an error
 * above; on error nothing changed.
 */
int store_commit(struct store *s, const char *text, size_t len, const struct store_commit_info *ci,
		 uint32_t *number);
/* store_rollback - make history entry @number running as a new commit (how from @ci). */
int store_rollback(struct store *s, uint32_t number, const struct store_commit_info *ci,
		   uint32_t *new_number);
/* store_confirm - end a commit-confirmed window. 0, -ENOENT if none pending. */
int store_confirm(struct store *s);
/* store_pending - 1 and the deadline/previous number if a confirmation is pending, else 0. */
int store_pending(const struct store *s, int64_t *deadline, uint32_t *previous);
/*
 * store_revert_pending - if the window expired (@now >= deadline), commit the
 * previous text again (how = revert, who "store"). 0, -ENOENT (nothing
 * pending), -EAGAIN (not expired yet), storage errors.
 */
int store_revert_pending(struct store *s, int64_t now, uint32_t *new_number);
/* store_reset - after -EBADMSG: accept the loss, start an empty store (saved). */
int store_reset(struct store *s);

/* store_set_activate - install the activation hook (NULL removes it). */
void store_set_activate(struct store *s, store_activate_fn fn, void *ctx);
/* store_mgmt_version - the newest management bundle version committed, 0 none. */
uint64_t store_mgmt_version(const struct store *s);

unsigned store_history_count(const struct store *s);
/* store_history - entry @i, 0 newest (running); NULL past the end. */
const struct store_entry *store_history(const struct store *s, unsigned i);
/* store_history_find - entry numbered @number, NULL if not kept. */
const struct store_entry *store_history_find(const struct store *s, uint32_t number);
const char *store_how_name(unsigned how);

/* An editing session's candidate: a private copy of a text, and the running
 * commit number it started from. */
struct store_candidate {
	char *text;
	size_t len;
	uint32_t base;
};

/* store_candidate_begin - a candidate holding a copy of running. 0, -ENOMEM. */
int store_candidate_begin(const struct store *s, struct store_candidate *c);
/* store_candidate_set - replace the candidate's text by a copy of @text. 0, -ENOMEM. */
int store_candidate_set(struct store_candidate *c, const char *text, size_t len);
void store_candidate_free(struct store_candidate *c);
/* store_candidate_compare - running -> candidate, as store_compare() (store_diff.h). */
int store_candidate_compare(const struct store *s, const struct store_candidate *c, FILE *out);
/*
 * store_candidate_commit - commit the candidate; -ESTALE (nothing changed)
 * when running was replaced since the candidate began: compare, then
 * begin again or store_commit() explicitly. On success the candidate's base
 * becomes the new running number.
 */
int store_candidate_commit(struct store *s, struct store_candidate *c,
			   const struct store_commit_info *ci, uint32_t *number);

#endif
