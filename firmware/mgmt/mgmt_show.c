// SPDX-License-Identifier: GPL-2.0-or-later
/* mgmt_show: live views from segwd's status file. See mgmt_show.h. */
#include "mgmt/mgmt_show.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stats/counters.h"

static const struct board_desc *g_board;
static const char *g_path;

void mgmt_show_init(const struct board_desc *board, const char *status_path)
{
	g_board = board;
	g_path = status_path;
}

static char *read_status(int *err)
{
	FILE *f = g_path ? fopen(g_path, "rb") : NULL;
	if (!f) {
		*err = -ENOENT;
		return NULL;
	}
	size_t cap = 1u << 16, n = 0;
	char *b = malloc(cap);
	while (b) {
		size_t r = fread(b + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
		if (n + 1 == cap) {
			if (cap >= (16u << 20))
				break;
			char *nb = realloc(b, cap * 2);
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
	if (!b) {
		*err = -ENOMEM;
		return NULL;
	}
	b[n] = 0;
	return b;
}

/* The object that follows "KEY":{ in @json, as [*s, *e) (braces excluded). */
static int object(const char *json, const char *key, const char **s, const char **e)
{
	char pat[80];
	snprintf(pat, sizeof(pat), "\"%s\":{", key);
	const char *p = strstr(json, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	int depth = 1;
	const char *q = p;
	for (; *q && depth; q++) {
		if (*q == '{')
			depth++;
		else if (*q == '}')
			depth--;
	}
	if (depth)
		return -1;
	*s = p;
	*e = q - 1;
	return 0;
}

static unsigned long long value_in(const char *s, const char *e, const char *name, int *found)
{
	char pat[96];
	snprintf(pat, sizeof(pat), "\"%s\":", name);
	size_t pl = strlen(pat);
	*found = 0;
	for (const char *p = s; p && p < e; p++) {
		p = strstr(p, pat);
		if (!p || p >= e)
			break;
		if (p == s || p[-1] == '{' || p[-1] == ',') {
			*found = 1;
			return strtoull(p + pl, NULL, 10);
		}
	}
	return 0;
}

unsigned long long mgmt_show_counter_from(const char *json, const char *name, int *found)
{
	const char *s, *e;
	*found = 0;
	if (object(json, "counters", &s, &e))
		return 0;
	return value_in(s, e, name, found);
}

int mgmt_show_counters(void *ctx, struct stats_snapshot *out)
{
	(void)ctx;
	int err = 0;
	char *j = read_status(&err);
	if (!j)
		return err;
	memset(out, 0, sizeof(*out));
	int found;
	for (unsigned i = 0; i < CTR__COUNT; i++)
		out->sum.c[i] = mgmt_show_counter_from(j, stats_ctr_name(i), &found);
	const char *p = strstr(j, "\"flows_active\":");
	if (p)
		out->sum.flows_active = strtoull(p + 15, NULL, 10);
	free(j);
	return 0;
}

/* Print each "NAME":{flat object} entry of the object KEY as one line. */
static void entries(FILE *out, const char *j, const char *key)
{
	const char *s, *e;
	if (object(j, key, &s, &e)) {
		fprintf(out, "  (none)\n");
		return;
	}
	const char *p = s;
	while (p < e) {
		const char *q = strchr(p, '"');
		if (!q || q >= e)
			break;
		const char *qe = strchr(q + 1, '"');
		const char *ob = qe ? strchr(qe, '{') : NULL;
		const char *cb = ob ? strchr(ob, '}') : NULL;
		if (!cb || cb > e)
			break;
		fprintf(out, "  %-24.*s", (int)(qe - q - 1), q + 1);
		for (const char *c = ob + 1; c < cb; c++) {
			if (*c == '"')
				continue;
			fputc(*c == ',' ? ' ' : *c == ':' ? '=' : *c, out);
		}
		fputc('\n', out);
		p = cb + 1;
	}
}

int mgmt_show_interfaces(void *ctx, FILE *out)
{
	(void)ctx;
	if (g_board) {
		fprintf(out, "Board %s ports:\n", g_board->id);
		for (unsigned i = 0; i < g_board->n_ports; i++)
			fprintf(out, "  %-10s zone %-10s driver %s\n", g_board->ports[i].name,
				g_board->ports[i].zone ? g_board->ports[i].zone : "-",
				g_board->ports[i].ops->driver);
	}
	int err = 0;
	char *j = read_status(&err);
	if (!j) {
		fprintf(out, "Data plane: no status yet\n");
		return 0;
	}
	fprintf(out, "Data plane (live, rewritten every second):\n");
	entries(out, j, "ports");
	free(j);
	return 0;
}

int mgmt_show_flows(void *ctx, FILE *out)
{
	(void)ctx;
	int err = 0;
	char *j = read_status(&err);
	if (!j)
		return err;
	const char *p = strstr(j, "\"flows_active\":");
	const char *g = strstr(j, "\"policy_generation\":");
	fprintf(out, "Active flows: %llu   policy generation: %llu\n",
		p ? strtoull(p + 15, NULL, 10) : 0ULL, g ? strtoull(g + 20, NULL, 10) : 0ULL);
	int f1, f2;
	const char *s, *e;
	if (object(j, "counters", &s, &e) == 0)
		fprintf(out, "Flows created: %llu   ended idle: %llu   ended closed: %llu\n",
			value_in(s, e, "flow.created", &f1),
			value_in(s, e, "flow.ended.idle_timeout", &f2),
			value_in(s, e, "flow.ended.tcp_closed", &f2));
	fprintf(out, "Per zone pair:\n");
	entries(out, j, "zone_pairs");
	free(j);
	return 0;
}
