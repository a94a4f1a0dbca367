/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * export: a counters segment shared between processes.
 *
 * One process (segwd, segw-tlsd, ...) writes a segment: a file on tmpfs
 * (default /run/segw/<process>.stats) holding tables of named rows of
 * 64-bit counter columns, a few scalars, and a small ring of events.
 * Readers (segw-snmp, the console) map it read-only and copy it out.
 *
 * Layout (little-endian host order, every field naturally aligned):
 *   struct sx_header  (SX_HEADER_SIZE bytes): magic, version, seqlock,
 *                     epoch, process, version string, scalars, table
 *                     descriptors, event ring
 *   table data        per table: max_rows rows of struct sx_row followed by
 *                     n_cols uint64_t columns, rows sorted by key, strictly
 *                     increasing (readers find a key by binary search)
 *
 * Consistency: the writer bumps `seq` to odd, writes, bumps it to even
 * (release). A reader copies the whole segment and keeps the copy only if
 * `seq` was even and unchanged across the copy; it retries a bounded number
 * of times. The writer never waits for readers. Events have their own
 * per-entry sequence so that appending one never waits for a publish.
 *
 * Restarts: `epoch_ns` is the wall time the writer's counters started from
 * zero; a reader that sees it change knows the counters restarted
 * (ifCounterDiscontinuityTime). A segment replaced by a bigger one (more
 * rules) is a new file renamed over the old one; the old one is marked
 * `stale`, and readers reopen the path.
 *
 * Owner:      struct sx_writer: the publishing process; struct sx_reader:
 *             each reader. struct sx_view points into a reader's copy.
 * Thread:     sx_begin/sx_row/sx_commit from one thread; sx_event from any
 *             thread of the writing process (serialised by a mutex of the
 *             writer, never shared with readers). A reader is one thread's.
 * Allocation: sx_create maps the file; sx_reader_refresh copies into a
 *             buffer it owns (grown as needed). Nothing on the packet path.
 * Errors:     negative errno values: -EINVAL bad argument, -ENOSPC more rows
 *             than the table holds, -EBADMSG a segment that is not valid,
 *             -EAGAIN the writer kept it busy through every retry, -ENOENT
 *             no segment at that path, and what open/mmap/ftruncate return.
 */
#ifndef SEGW_STATS_EXPORT_H
#define SEGW_STATS_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#define SX_MAGIC "SEGWSTAT"
#define SX_VERSION 1u
#define SX_HEADER_SIZE 16384u
#define SX_MAX_TABLES 16u
#define SX_MAX_COLS 8u
#define SX_NAME_LEN 32u     /* table and column names, NUL included */
#define SX_ROW_NAME_LEN 48u /* row names, NUL included */
#define SX_MAX_SCALARS 32u
#define SX_EVENTS 64u       /* event ring entries (power of two) */
#define SX_EVENT_TEXT 96u
#define SX_DEFAULT_DIR "/run/segw"

/* Event types (notifications). Values are the SEGW-MIB's, do not renumber. */
enum sx_event_type {
	SX_EV_POLICY_REJECTED = 1,   /* arg: generation kept in force */
	SX_EV_POLICY_REVERTED = 2,   /* arg: generation reverted to */
	SX_EV_CONFIRM_EXPIRED = 3,   /* commit confirmed expired; arg: generation */
	SX_EV_LINK_DOWN = 4,         /* arg: port index (ifIndex - 1) */
	SX_EV_LINK_UP = 5,           /* arg: port index */
	SX_EV_FLOW_TABLE_NEAR_FULL = 6, /* arg: percent in use */
	SX_EV_WATCHDOG_REBOOT = 7,   /* the last reset was the watchdog's */
	SX_EV_POLICY_APPLIED = 8,    /* arg: generation now in force */
};

/* Last policy push result (scalar "policy.last_push_result"). */
enum sx_push_result {
	SX_PUSH_NONE = 1,
	SX_PUSH_APPLIED = 2,
	SX_PUSH_REJECTED = 3,
	SX_PUSH_REVERTED = 4,
	SX_PUSH_CONFIRM_EXPIRED = 5,
};

struct sx_row {
	uint64_t key;                 /* stable id (ifIndex, rule id, ...) */
	char name[SX_ROW_NAME_LEN];   /* NUL-terminated */
	/* followed by n_cols uint64_t columns */
};

struct sx_table_desc {
	char name[SX_NAME_LEN];
	char col[SX_MAX_COLS][SX_NAME_LEN];
	uint32_t n_cols;
	uint32_t row_size;  /* sizeof(struct sx_row) + 8 * n_cols */
	uint32_t max_rows;
	uint32_t n_rows;    /* rows in use (under the seqlock) */
	uint64_t offset;    /* of row 0 from the start of the segment */
};

struct sx_scalar {
	char name[SX_NAME_LEN];
	uint64_t value;
};

struct sx_event {
	uint64_t seq;      /* 1, 2, ...: the entry's number; 0 while written */
	uint64_t time_ns;  /* wall clock */
	uint32_t type;     /* enum sx_event_type */
	uint32_t arg;
	char text[SX_EVENT_TEXT];
};

struct sx_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;
	uint64_t file_size;
	uint32_t seq;          /* seqlock: odd while the writer writes */
	uint32_t stale;        /* 1: replaced by a newer file at the same path */
	uint64_t epoch_ns;     /* wall time the counters last started from zero */
	uint64_t published_ns; /* wall time of the last commit */
	uint64_t publishes;    /* commits since epoch */
	uint32_t pid;
	uint32_t n_tables;
	uint32_t n_scalars;
	uint32_t pad;
	char process[SX_NAME_LEN];
	char version_str[SX_NAME_LEN];
	char note[128];        /* e.g. the last policy push message */
	struct sx_scalar scalar[SX_MAX_SCALARS];
	struct sx_table_desc table[SX_MAX_TABLES];
	uint64_t ev_head;      /* events appended since epoch */
	struct sx_event ev[SX_EVENTS];
};

_Static_assert(sizeof(struct sx_header) <= SX_HEADER_SIZE, "segment header too big");

/* ---- writer ---------------------------------------------------------------- */

struct sx_table_spec {
	const char *name;
	const char *const *cols; /* n_cols column names */
	unsigned n_cols;
	uint32_t max_rows;
};

struct sx_writer;

/*
 * sx_create - create (replace) the segment @dir/@process.stats with these
 * tables, counters starting now (a new epoch). @dir NULL: SX_DEFAULT_DIR
 * (created when missing). The file is readable by everyone, writable by us.
 */
int sx_create(struct sx_writer **out, const char *dir, const char *process, const char *version,
	      const struct sx_table_spec *tables, unsigned n_tables);
/* sx_close - unmap; @unlink_file: remove the file (a clean stop). */
void sx_close(struct sx_writer *w, int unlink_file);
/* sx_path - the file's path. */
const char *sx_path(const struct sx_writer *w);

/* sx_begin - start a publish (seq odd). Rows and scalars may then be set. */
void sx_begin(struct sx_writer *w);
/*
 * sx_set_rows - table @t holds @n rows from now (written with sx_row).
 * -ENOSPC when @n exceeds its capacity: call sx_grow first.
 */
int sx_set_rows(struct sx_writer *w, unsigned t, uint32_t n);
/* sx_row - row @i of table @t (NULL out of range); set key, name, columns. */
struct sx_row *sx_row(struct sx_writer *w, unsigned t, uint32_t i);
static inline uint64_t *sx_cols(struct sx_row *r) { return (uint64_t *)(r + 1); }
/* sx_set_scalar - named scalar (created on first use); -ENOSPC when full. */
int sx_set_scalar(struct sx_writer *w, const char *name, uint64_t value);
void sx_set_note(struct sx_writer *w, const char *text);
/* sx_commit - end a publish (seq even); rows must be sorted by key (-EINVAL,
 * and the table is emptied, when they are not). */
int sx_commit(struct sx_writer *w);
/*
 * sx_grow - give table @t room for @max_rows rows: a new file with the same
 * contents is renamed over the old one (marked stale). Not inside
 * sx_begin/sx_commit.
 */
int sx_grow(struct sx_writer *w, unsigned t, uint32_t max_rows);
/* sx_restart - the counters start from zero again: a new epoch. */
void sx_restart(struct sx_writer *w);
/* sx_event - append an event (any thread of the writer). */
void sx_event(struct sx_writer *w, enum sx_event_type type, uint32_t arg, const char *text);

/* ---- reader ---------------------------------------------------------------- */

/* A validated copy of a segment (points into the buffer given to sx_parse). */
struct sx_view {
	const struct sx_header *h;
	const uint8_t *base;
	size_t len;
};

/*
 * sx_parse - validate @len bytes at @buf (8-byte aligned) as a segment:
 * magic, version, sizes, tables inside the buffer, names terminated, keys
 * strictly increasing, seq even. 0 and @out set, or -EBADMSG.
 */
int sx_parse(const void *buf, size_t len, struct sx_view *out);
/* sx_table - index of the table named @name, or -ENOENT. */
int sx_table(const struct sx_view *v, const char *name);
static inline uint32_t sx_rows(const struct sx_view *v, unsigned t) { return v->h->table[t].n_rows; }
static inline const struct sx_row *sx_row_at(const struct sx_view *v, unsigned t, uint32_t i)
{
	const struct sx_table_desc *d = &v->h->table[t];
	return (const struct sx_row *)(v->base + d->offset + (uint64_t)i * d->row_size);
}
static inline const uint64_t *sx_row_cols(const struct sx_row *r)
{
	return (const uint64_t *)(r + 1);
}
/* sx_find_ge - index of the first row of table @t whose key >= @key
 * (sx_rows() when none): O(log n). */
uint32_t sx_find_ge(const struct sx_view *v, unsigned t, uint64_t key);
/* sx_scalar - value of scalar @name into @out: 0 or -ENOENT. */
int sx_scalar(const struct sx_view *v, const char *name, uint64_t *out);
/* sx_events_since - copy up to @max events newer than @after (by seq) into
 * @out, oldest first; returns the count. Events overwritten before they were
 * read are lost (the caller sees a gap in seq). */
unsigned sx_events_since(const struct sx_view *v, uint64_t after, struct sx_event *out,
			 unsigned max);

struct sx_reader;

/* sx_reader_open - a reader of the segment at @path (it may not exist yet). */
int sx_reader_open(struct sx_reader **out, const char *path);
void sx_reader_close(struct sx_reader *r);
/*
 * sx_reader_refresh - take a consistent copy of the segment now (reopening
 * the path when the file was replaced or the writer restarted). 0 and @view
 * set, -ENOENT (no segment), -EAGAIN (writer busy through every retry: the
 * previous copy stays valid), -EBADMSG.
 */
int sx_reader_refresh(struct sx_reader *r, struct sx_view *view);

#endif
