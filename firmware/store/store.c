// SPDX-License-Identifier: GPL-2.0-or-later
/* store: the configuration store; contract and format in store.h. */
#include "store/store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "store/store_codec.h"
#include "store/store_diff.h"

static const char *const how_names[STORE_HOW__COUNT] = { "console", "mgmt", "rollback", "boot",
							 "revert" };

const char *store_how_name(unsigned how)
{
	return how < STORE_HOW__COUNT ? how_names[how] : "?";
}

static void msg_set(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void msg_set(struct store *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->msg, sizeof(s->msg), fmt, ap);
	va_end(ap);
}

static void msg_add(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void msg_add(struct store *s, const char *fmt, ...)
{
	size_t l = strlen(s->msg);
	va_list ap;
	if (l >= sizeof(s->msg) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(s->msg + l, sizeof(s->msg) - l, fmt, ap);
	va_end(ap);
}

int store_open(struct store *s, struct hal_storage *st, const char *part_a, const char *part_b)
{
	struct hal_partition p[2];

	memset(s, 0, sizeof(*s));
	s->st = st;
	s->part[0] = part_a ? part_a : "config_a";
	s->part[1] = part_b ? part_b : "config_b";
	s->active = -1;
	s->cap = STORE_PAYLOAD_MAX;
	for (int i = 0; i < 2; i++) {
		int rc = st->ops->partition(st, s->part[i], &p[i]);
		if (rc) {
			msg_set(s, "storage %s: no partition %s", st->name ? st->name : "?",
				s->part[i]);
			return rc;
		}
		if (p[i].size < STORE_HDR_SIZE + 1024) {
			msg_set(s, "partition %s: %llu bytes is too small", s->part[i],
				(unsigned long long)p[i].size);
			return -ENOSPC;
		}
		if (p[i].size - STORE_HDR_SIZE < s->cap)
			s->cap = p[i].size - STORE_HDR_SIZE;
		s->erase_block[i] = p[i].erase_block;
	}
	return 0;
}

void store_close(struct store *s)
{
	store_state_free(&s->cur);
	s->st = NULL;
}

const char *store_message(const struct store *s)
{
	return s->msg;
}

/* read_record - 0 and the decoded state of partition @i; 1 when blank. */
static int read_record(struct store *s, int i, struct store_state *out, uint64_t *seq)
{
	uint8_t hdr[STORE_HDR_SIZE];
	const char *why = "?";
	uint32_t len, crc;
	int rc = s->st->ops->read(s->st, s->part[i], 0, hdr, sizeof(hdr));

	if (rc) {
		msg_add(s, "%s: read error %d; ", s->part[i], rc);
		return rc;
	}
	rc = store_codec_check_header(hdr, s->cap, seq, &len, &crc, &why);
	if (rc == 1)
		return 1;
	if (rc) {
		msg_add(s, "%s: %s; ", s->part[i], why);
		return rc;
	}
	if (*seq > s->seq)
		s->seq = *seq; /* never reuse a sequence number seen */
	uint8_t *p = malloc(len ? len : 1);
	if (!p)
		return -ENOMEM;
	rc = s->st->ops->read(s->st, s->part[i], STORE_HDR_SIZE, p, len);
	if (rc) {
		msg_add(s, "%s: read error %d; ", s->part[i], rc);
	} else if (store_crc32(p, len) != crc) {
		msg_add(s, "%s: record %llu payload CRC mismatch; ", s->part[i],
			(unsigned long long)*seq);
		rc = -EBADMSG;
	} else {
		rc = store_codec_decode(p, len, s->cap, out, &why);
		if (rc == -EBADMSG)
			msg_add(s, "%s: record %llu: %s; ", s->part[i], (unsigned long long)*seq,
				why);
	}
	free(p);
	return rc;
}

int store_load(struct store *s)
{
	struct store_state st[2];
	uint64_t seq[2] = { 0, 0 };
	int rc[2], best = -1;

	store_state_free(&s->cur);
	s->msg[0] = 0;
	s->active = -1;
	s->damaged = 0;
	s->seq = 0;
	for (int i = 0; i < 2; i++) {
		memset(&st[i], 0, sizeof(st[i]));
		rc[i] = read_record(s, i, &st[i], &seq[i]);
		if (rc[i] == 0 && (best < 0 || seq[i] > seq[best]))
			best = i;
	}
	for (int i = 0; i < 2; i++)
		if (i != best && rc[i] == 0)
			store_state_free(&st[i]);
	if (best >= 0) {
		s->cur = st[best];
		s->active = best;
		if (s->msg[0])
			msg_add(s, "using %s record %llu", s->part[best],
				(unsigned long long)seq[best]);
		return 0;
	}
	for (int i = 0; i < 2; i++)
		if (rc[i] != 1 && rc[i] != -EBADMSG) {
			msg_add(s, "stored configuration not readable");
			return rc[i];
		}
	if (rc[0] == 1 || rc[1] == 1) {
		/* No valid record, at least one blank partition: a blank store,
		 * or its first save was interrupted (the old state is empty).
		 * The next save goes to the blank partition: the other one's
		 * bytes stay as they are. */
		s->active = rc[0] == 1 ? 1 : 0;
		if (s->msg[0])
			msg_add(s, "no complete record yet: running is empty");
		return 0;
	}
	s->damaged = 1;
	msg_add(s, "no valid stored configuration: running is empty; nothing was overwritten "
		   "(store reset accepts the loss)");
	return -EBADMSG;
}

/*
 * save - make @next the stored state: write it into the partition that does
 * not hold the newest durable record. *kept gets the number of history
 * entries that fit. On error nothing durable changed from the caller's view
 * (the active partition was not touched).
 */
static int save(struct store *s, const struct store_state *next, uint32_t *kept)
{
	struct hal_storage *st = s->st;
	struct store_buf b;
	int t = s->active == 0 ? 1 : 0;
	uint8_t hdr[STORE_HDR_SIZE];
	int rc;

	store_buf_init(&b, 2 * (size_t)STORE_PAYLOAD_MAX + (1u << 16));
	rc = store_codec_encode(next, s->cap, &b, kept);
	if (rc == -ENOSPC) {
		msg_set(s, "configuration does not fit the %llu-byte partition: nothing changed",
			(unsigned long long)s->cap);
		goto out;
	}
	if (rc)
		goto out;
	uint64_t seq = s->seq + 1;
	uint64_t rlen = STORE_HDR_SIZE + (uint64_t)b.len, eb = s->erase_block[t];
	uint64_t elen = eb ? (rlen + eb - 1) / eb * eb : rlen;
	struct hal_partition pinfo;
	rc = st->ops->partition(st, s->part[t], &pinfo);
	if (!rc && elen > pinfo.size)
		elen = pinfo.size;
	s->seq = seq; /* consumed even if the save fails: never reused */
	store_codec_header(hdr, seq, b.p, (uint32_t)b.len);
	/* Order: erase, payload, header, sync. Until the sync returns, this
	 * partition may hold anything; the active one is not touched. */
	if (!rc)
		rc = st->ops->erase(st, s->part[t], 0, elen);
	if (!rc && b.len)
		rc = st->ops->write(st, s->part[t], STORE_HDR_SIZE, b.p, b.len);
	if (!rc)
		rc = st->ops->write(st, s->part[t], 0, hdr, sizeof(hdr));
	if (!rc)
		rc = st->ops->sync(st);
	if (!rc) { /* read back: a flash that lies is caught here */
		uint8_t *v = malloc(rlen);
		if (!v)
			rc = -ENOMEM;
		else
			rc = st->ops->read(st, s->part[t], 0, v, rlen);
		if (!rc && (memcmp(v, hdr, sizeof(hdr)) != 0 ||
			    (b.len && memcmp(v + STORE_HDR_SIZE, b.p, b.len) != 0)))
			rc = -EIO;
		free(v);
	}
	if (rc) {
		msg_set(s, "writing %s failed (%d): the stored configuration is unchanged",
			s->part[t], rc);
		goto out;
	}
	s->active = t;
	if (*kept < next->n && *kept < STORE_HISTORY_MIN)
		msg_set(s, "history trimmed to %u commits to fit the %llu-byte partition "
			   "(the oldest %u dropped)",
			*kept, (unsigned long long)s->cap, next->n - *kept);
out:
	store_buf_free(&b);
	return rc;
}

static char *dup_n(const char *p, size_t len)
{
	char *d = malloc(len + 1);
	if (d) {
		if (len)
			memcpy(d, p, len);
		d[len] = 0;
	}
	return d;
}

static int check_info(struct store *s, const struct store_commit_info *ci)
{
	if (!ci || !ci->who || strlen(ci->who) > STORE_WHO_MAX ||
	    (ci->comment && strlen(ci->comment) > STORE_COMMENT_MAX) ||
	    (unsigned)ci->how >= STORE_HOW__COUNT) {
		msg_set(s, "commit: who (at most %d bytes), comment (at most %d) or how invalid",
			STORE_WHO_MAX, STORE_COMMENT_MAX);
		return -EINVAL;
	}
	if (s->damaged) {
		msg_set(s, "stored configuration damaged: refusing to overwrite it "
			   "(store reset accepts the loss)");
		return -EBADMSG;
	}
	return 0;
}

/*
 * apply - save the current state plus a new newest entry (@text, @ci) and
 * the pending change @pend (0 clear, 1 set/extend, -1 unchanged, and no new
 * entry when @text is NULL). On success the in-memory state becomes it.
 */
static int apply(struct store *s, const char *text, size_t len, const struct store_commit_info *ci,
		 int pend, uint32_t *number)
{
	struct store_state next = s->cur; /* shallow: entries shared until commit */
	struct store_entry ne;
	char *prev_text = NULL;
	uint32_t kept = 0, i;
	int rc;

	memset(&ne, 0, sizeof(ne));
	if (text) {
		if (len > s->cap) {
			msg_set(s, "configuration of %zu bytes exceeds the partition's %llu",
				len, (unsigned long long)s->cap);
			return -ENOSPC;
		}
		ne.number = s->cur.n ? s->cur.history[0].number + 1 : 1;
		if (ne.number == 0) {
			msg_set(s, "commit numbers exhausted");
			return -EOVERFLOW;
		}
		ne.when = ci->when;
		ne.how = (uint8_t)ci->how;
		ne.who = dup_n(ci->who, strlen(ci->who));
		ne.comment = dup_n(ci->comment ? ci->comment : "",
				   ci->comment ? strlen(ci->comment) : 0);
		ne.text = dup_n(text, len);
		ne.text_len = len;
		if (!ne.who || !ne.comment || !ne.text) {
			store_entry_free(&ne);
			return -ENOMEM;
		}
		uint32_t n = s->cur.n < STORE_HISTORY_MAX ? s->cur.n : STORE_HISTORY_MAX - 1;
		memmove(&next.history[1], &s->cur.history[0], n * sizeof(next.history[0]));
		next.history[0] = ne;
		next.n = n + 1;
	}
	if (pend == 0) {
		next.pending = 0;
		next.prev_text = NULL;
		next.prev_len = 0;
		next.pend_prev = next.pend_number = 0;
		next.deadline = 0;
	} else if (pend == 1) {
		if (!s->cur.pending) { /* keep the original previous when extending */
			const struct store_entry *r = s->cur.n ? &s->cur.history[0] : NULL;
			prev_text = dup_n(r ? r->text : "", r ? r->text_len : 0);
			if (!prev_text) {
				store_entry_free(&ne);
				return -ENOMEM;
			}
			next.prev_text = prev_text;
			next.prev_len = r ? r->text_len : 0;
			next.pend_prev = r ? r->number : 0;
		}
		next.pending = 1;
		next.pend_number = ne.number;
		next.deadline = ci->when + (int64_t)ci->confirm_s;
	}
	if (ci && ci->mgmt_version > next.mgmt_version)
		next.mgmt_version = ci->mgmt_version;
	if (text && s->activate) {
		char err[sizeof(s->msg)];
		err[0] = 0;
		rc = s->activate(s->activate_ctx, text, len, err, sizeof(err));
		if (rc) {
			msg_set(s, "%s", err[0] ? err : "the policy could not be put in force");
			store_entry_free(&ne);
			free(prev_text);
			return rc < 0 ? rc : -EINVAL;
		}
	}
	rc = save(s, &next, &kept);
	if (rc) {
		if (text && s->activate) { /* put the old running back in force */
			char err[256];
			const struct store_entry *r = s->cur.n ? &s->cur.history[0] : NULL;
			s->activate(s->activate_ctx, r ? r->text : "", r ? r->text_len : 0, err,
				    sizeof(err));
		}
		store_entry_free(&ne);
		free(prev_text);
		return rc;
	}
	/* Commit in memory: free what the new state no longer references. */
	if (text) {
		uint32_t old_kept = kept ? kept - 1 : 0; /* old entries now at 1..kept-1 */
		for (i = old_kept; i < s->cur.n; i++)
			store_entry_free(&s->cur.history[i]);
	} else {
		for (i = kept; i < s->cur.n; i++)
			store_entry_free(&s->cur.history[i]);
	}
	if (s->cur.prev_text != next.prev_text)
		free(s->cur.prev_text);
	next.n = kept;
	s->cur = next;
	if (number)
		*number = text ? ne.number : 0;
	return 0;
}

/* validate - running must always be a policy this firmware accepts. */
static int validate(struct store *s, const char *name, const char *text, size_t len)
{
	struct policy *p = NULL;
	char err[1536];
	int rc = policy_parse(name, text, len, &p, err, sizeof(err), 20);

	if (rc) {
		msg_set(s, "%s", rc == -EINVAL ? err : "out of memory parsing the policy");
		return rc;
	}
	policy_free(p);
	return 0;
}

int store_commit(struct store *s, const char *text, size_t len, const struct store_commit_info *ci,
		 uint32_t *number)
{
	int rc = check_info(s, ci);

	if (!rc)
		rc = validate(s, "candidate", text, len);
	if (rc)
		return rc;
	s->msg[0] = 0;
	return apply(s, text, len, ci, ci->confirm_s ? 1 : 0, number);
}

int store_rollback(struct store *s, uint32_t number, const struct store_commit_info *ci,
		   uint32_t *new_number)
{
	const struct store_entry *e = store_history_find(s, number);
	int rc = check_info(s, ci);

	if (rc)
		return rc;
	if (!e) {
		msg_set(s, "rollback: no commit %u in the history", number);
		return -ENOENT;
	}
	char name[32];
	snprintf(name, sizeof(name), "commit-%u", number);
	rc = validate(s, name, e->text, e->text_len);
	if (rc)
		return rc;
	/* Copy: apply() may drop @e from the history. */
	char *t = dup_n(e->text, e->text_len);
	size_t len = e->text_len;
	if (!t)
		return -ENOMEM;
	s->msg[0] = 0;
	rc = apply(s, t, len, ci, ci->confirm_s ? 1 : 0, new_number);
	free(t);
	return rc;
}

int store_confirm(struct store *s)
{
	if (!s->cur.pending) {
		msg_set(s, "no commit awaits confirmation");
		return -ENOENT;
	}
	s->msg[0] = 0;
	return apply(s, NULL, 0, NULL, 0, NULL);
}

int store_pending(const struct store *s, int64_t *deadline, uint32_t *previous)
{
	if (!s->cur.pending)
		return 0;
	if (deadline)
		*deadline = s->cur.deadline;
	if (previous)
		*previous = s->cur.pend_prev;
	return 1;
}

int store_revert_pending(struct store *s, int64_t now, uint32_t *new_number)
{
	char comment[STORE_COMMENT_MAX + 1];

	if (!s->cur.pending) {
		msg_set(s, "no commit awaits confirmation");
		return -ENOENT;
	}
	if (now < s->cur.deadline)
		return -EAGAIN;
	snprintf(comment, sizeof(comment), "commit %u not confirmed by %lld: back to %u",
		 s->cur.pend_number, (long long)s->cur.deadline, s->cur.pend_prev);
	struct store_commit_info ci = { .who = "store", .comment = comment,
					.how = STORE_HOW_REVERT, .when = now };
	int rc = check_info(s, &ci);
	if (rc)
		return rc;
	char *t = dup_n(s->cur.prev_text, s->cur.prev_len);
	size_t len = s->cur.prev_len;
	if (!t)
		return -ENOMEM;
	s->msg[0] = 0;
	rc = apply(s, t, len, &ci, 0, new_number);
	free(t);
	return rc;
}

int store_reset(struct store *s)
{
	uint32_t kept;
	struct store_state empty;

	memset(&empty, 0, sizeof(empty));
	store_state_free(&s->cur);
	s->damaged = 0;
	s->msg[0] = 0;
	return save(s, &empty, &kept);
}

const char *store_running(const struct store *s, size_t *len)
{
	if (len)
		*len = s->cur.n ? s->cur.history[0].text_len : 0;
	return s->cur.n ? s->cur.history[0].text : "";
}

uint32_t store_running_number(const struct store *s)
{
	return s->cur.n ? s->cur.history[0].number : 0;
}

void store_set_activate(struct store *s, store_activate_fn fn, void *ctx)
{
	s->activate = fn;
	s->activate_ctx = ctx;
}

uint64_t store_mgmt_version(const struct store *s)
{
	return s->cur.mgmt_version;
}

unsigned store_history_count(const struct store *s)
{
	return s->cur.n;
}

const struct store_entry *store_history(const struct store *s, unsigned i)
{
	return i < s->cur.n ? &s->cur.history[i] : NULL;
}

const struct store_entry *store_history_find(const struct store *s, uint32_t number)
{
	for (uint32_t i = 0; i < s->cur.n; i++)
		if (s->cur.history[i].number == number)
			return &s->cur.history[i];
	return NULL;
}

int store_candidate_begin(const struct store *s, struct store_candidate *c)
{
	size_t len;
	const char *t = store_running(s, &len);

	c->text = dup_n(t, len);
	if (!c->text)
		return -ENOMEM;
	c->len = len;
	c->base = store_running_number(s);
	return 0;
}

int store_candidate_set(struct store_candidate *c, const char *text, size_t len)
{
	char *t = dup_n(text, len);
	if (!t)
		return -ENOMEM;
	free(c->text);
	c->text = t;
	c->len = len;
	return 0;
}

void store_candidate_free(struct store_candidate *c)
{
	free(c->text);
	memset(c, 0, sizeof(*c));
}

int store_candidate_compare(const struct store *s, const struct store_candidate *c, FILE *out)
{
	size_t len;
	const char *t = store_running(s, &len);
	return store_compare(t, len, c->text, c->len, out);
}

int store_candidate_commit(struct store *s, struct store_candidate *c,
			   const struct store_commit_info *ci, uint32_t *number)
{
	uint32_t n = 0;

	if (c->base != store_running_number(s)) {
		msg_set(s, "running changed (now commit %u) since this candidate began from %u",
			store_running_number(s), c->base);
		return -ESTALE;
	}
	int rc = store_commit(s, c->text, c->len, ci, &n);
	if (!rc) {
		c->base = n;
		if (number)
			*number = n;
	}
	return rc;
}
