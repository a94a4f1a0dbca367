// SPDX-License-Identifier: GPL-2.0-or-later
/* tls_counters: names and file output of the terminator's counters. */
#include "tls/tls_counters.h"

#include "stats/export.h"
#include "version.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct tls_counters tls_counters_global;

static const char *const names[TLS_C__COUNT] = {
#define X(id, name) name,
    TLS_COUNTERS(X)
#undef X
};

const char *tls_counter_name(unsigned id)
{
	return id < TLS_C__COUNT ? names[id] : NULL;
}

int tls_counters_foreach(const struct tls_counters *c,
                         int (*fn)(const char *name, uint64_t value, void *arg), void *arg)
{
	for (unsigned i = 0; i < TLS_C__COUNT; i++) {
		int r = fn(names[i], c->v[i], arg);
		if (r)
			return r;
	}
	return 0;
}

static int put_line(const char *name, uint64_t value, void *arg)
{
	return fprintf((FILE *)arg, "%s %llu\n", name, (unsigned long long)value) < 0 ? -EIO : 0;
}

int tls_counters_write_file(const struct tls_counters *c, const char *path)
{
	char tmp[4096];
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -errno;
	int r = tls_counters_foreach(c, put_line, f);
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) != 0)
		r = -errno;
	if (r)
		remove(tmp);
	return r;
}

int tls_counters_export_open(struct sx_writer **w, const char *dir)
{
	static const char *const cols[] = {"value"};
	const struct sx_table_spec t = {
	    .name = "tls", .n_cols = 1, .cols = cols, .max_rows = TLS_C__COUNT};
	return sx_create(w, dir, "segw-tlsd", SEGW_VERSION, &t, 1);
}

int tls_counters_publish(struct sx_writer *w, const struct tls_counters *c)
{
	if (!w)
		return -EINVAL;
	sx_begin(w);
	int r = sx_set_rows(w, 0, TLS_C__COUNT);
	for (unsigned i = 0; r == 0 && i < TLS_C__COUNT; i++) {
		struct sx_row *row = sx_row(w, 0, i);
		if (!row) {
			r = -ENOSPC;
			break;
		}
		row->key = i + 1u;
		snprintf(row->name, sizeof(row->name), "%s", names[i]);
		sx_cols(row)[0] = c->v[i];
	}
	int rc = sx_commit(w);
	return r ? r : rc;
}
