// SPDX-License-Identifier: GPL-2.0-or-later
/* store_diff: see store_diff.h. */
#include "store/store_diff.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct line {
	const char *p;
	size_t len;
	uint32_t h;
};

enum { ED_EQ = 0, ED_DEL, ED_ADD };

struct edit {
	uint8_t op;
	uint32_t a, b; /* line index in old (EQ, DEL) and new (EQ, ADD) */
};

struct edits {
	struct edit *v;
	size_t n, cap;
};

static uint32_t line_hash(const char *p, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)p[i]) * 16777619u;
	return h;
}

/* split - the lines of @t; *out NULL when there are none. */
static int split(const char *t, size_t len, struct line **out, size_t *n)
{
	size_t count = 0, i, k = 0, start = 0;

	*out = NULL;
	*n = 0;
	for (i = 0; i < len; i++)
		if (t[i] == '\n')
			count++;
	if (len && t[len - 1] != '\n')
		count++;
	if (!count)
		return 0;
	struct line *v = calloc(count, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		if (t[i] == '\n' || i == len - 1) {
			v[k].p = t + start;
			v[k].len = i + 1 - start;
			v[k].h = line_hash(v[k].p, v[k].len);
			k++;
			start = i + 1;
		}
	}
	*out = v;
	*n = k;
	return 0;
}

static int line_eq(const struct line *x, const struct line *y)
{
	return x->h == y->h && x->len == y->len && memcmp(x->p, y->p, x->len) == 0;
}

static int push(struct edits *e, uint8_t op, size_t a, size_t b)
{
	if (e->n == e->cap) {
		size_t nc = e->cap ? e->cap * 2 : 64;
		struct edit *nv = realloc(e->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		e->v = nv;
		e->cap = nc;
	}
	e->v[e->n++] = (struct edit){ .op = op, .a = (uint32_t)a, .b = (uint32_t)b };
	return 0;
}

/* diff - the edit script turning @a into @b (deletions before additions). */
static int diff(const struct line *a, size_t na, const struct line *b, size_t nb,
		struct edits *e)
{
	size_t pre = 0, suf = 0, i, j;
	int rc = 0;

	while (pre < na && pre < nb && line_eq(&a[pre], &b[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre && line_eq(&a[na - 1 - suf], &b[nb - 1 - suf]))
		suf++;
	for (i = 0; i < pre && !rc; i++)
		rc = push(e, ED_EQ, i, i);
	size_t n = na - pre - suf, m = nb - pre - suf;
	const struct line *ma = a ? a + pre : NULL, *mb = b ? b + pre : NULL; /* no lines: NULL */
	uint16_t *L = NULL;

	if (n && m && n + 1 <= STORE_DIFF_CELLS / (m + 1))
		L = malloc((n + 1) * (m + 1) * sizeof(*L));
	if (L) {
		/* L[i][j]: LCS length of ma[i..] and mb[j..]; at most min(n, m),
		 * which the cell bound keeps below 65536. */
		size_t w = m + 1;
		for (i = n + 1; i-- > 0;)
			for (j = m + 1; j-- > 0;) {
				uint16_t v;
				if (i == n || j == m)
					v = 0;
				else if (line_eq(&ma[i], &mb[j]))
					v = (uint16_t)(L[(i + 1) * w + j + 1] + 1);
				else
					v = L[(i + 1) * w + j] >= L[i * w + j + 1] ? L[(i + 1) * w + j]
										 : L[i * w + j + 1];
				L[i * w + j] = v;
			}
		i = 0;
		j = 0;
		while ((i < n || j < m) && !rc) {
			if (i < n && j < m && line_eq(&ma[i], &mb[j]) &&
			    L[i * w + j] == L[(i + 1) * w + j + 1] + 1) {
				rc = push(e, ED_EQ, pre + i, pre + j);
				i++;
				j++;
			} else if (i < n && (j == m || L[(i + 1) * w + j] >= L[i * w + j + 1])) {
				rc = push(e, ED_DEL, pre + i, pre + j);
				i++;
			} else {
				rc = push(e, ED_ADD, pre + i, pre + j);
				j++;
			}
		}
		free(L);
	} else {
		for (i = 0; i < n && !rc; i++)
			rc = push(e, ED_DEL, pre + i, pre);
		for (j = 0; j < m && !rc; j++)
			rc = push(e, ED_ADD, pre + n, pre + j);
	}
	for (i = 0; i < suf && !rc; i++)
		rc = push(e, ED_EQ, na - suf + i, nb - suf + i);
	return rc;
}

static int diff_texts(const char *a, size_t alen, const char *b, size_t blen, struct line **la,
		      size_t *na, struct line **lb, size_t *nb, struct edits *e)
{
	int rc;

	memset(e, 0, sizeof(*e));
	*lb = NULL;
	rc = split(a, alen, la, na);
	if (!rc)
		rc = split(b, blen, lb, nb);
	if (!rc)
		rc = diff(*la, *na, *lb, *nb, e);
	if (rc) {
		free(*la);
		free(*lb);
		free(e->v);
		*la = *lb = NULL;
		e->v = NULL;
	}
	return rc;
}

static void put_line(FILE *out, char tag, const struct line *l)
{
	fputc(tag, out);
	fwrite(l->p, 1, l->len, out);
	if (!l->len || l->p[l->len - 1] != '\n')
		fputc('\n', out);
}

int store_compare(const char *old, size_t old_len, const char *new_text, size_t new_len,
		  FILE *out)
{
	const size_t ctx = 3;
	struct line *la, *lb;
	size_t na, nb, k, changed = 0;
	struct edits e;
	int rc = diff_texts(old, old_len, new_text, new_len, &la, &na, &lb, &nb, &e);

	if (rc)
		return rc;
	for (k = 0; k < e.n;) {
		if (e.v[k].op == ED_EQ) {
			k++;
			continue;
		}
		/* A hunk: from ctx lines before this change to ctx lines after
		 * the last change that is at most 2*ctx equal lines further. */
		size_t first = k >= ctx ? k - ctx : 0, last = k, q;
		for (q = k; q < e.n; q++) {
			if (e.v[q].op != ED_EQ) {
				last = q;
				continue;
			}
			if (q - last > 2 * ctx)
				break;
		}
		size_t end = last + ctx + 1 < e.n ? last + ctx + 1 : e.n;
		size_t ac = 0, bc = 0;
		for (q = first; q < end; q++) {
			ac += e.v[q].op != ED_ADD;
			bc += e.v[q].op != ED_DEL;
		}
		/* Unified convention: an empty side's start is the line before. */
		fprintf(out, "@@ -%zu,%zu +%zu,%zu @@\n", (size_t)e.v[first].a + (ac != 0), ac,
			(size_t)e.v[first].b + (bc != 0), bc);
		for (q = first; q < end; q++) {
			const struct edit *d = &e.v[q];
			if (d->op == ED_EQ)
				put_line(out, ' ', &la[d->a]);
			else if (d->op == ED_DEL)
				put_line(out, '-', &la[d->a]);
			else
				put_line(out, '+', &lb[d->b]);
			changed += d->op != ED_EQ;
		}
		k = end;
	}
	free(la);
	free(lb);
	free(e.v);
	return changed > INT32_MAX ? INT32_MAX : (int)changed;
}

int store_delta_encode(const char *base, size_t base_len, const char *target, size_t target_len,
		       struct store_buf *out)
{
	struct line *la, *lb;
	size_t na, nb, k;
	struct edits e;
	int rc = diff_texts(base, base_len, target, target_len, &la, &na, &lb, &nb, &e);

	if (rc)
		return rc;
	for (k = 0; k < e.n;) {
		uint8_t op = e.v[k].op;
		size_t q = k;
		while (q < e.n && e.v[q].op == op && q - k < UINT32_MAX)
			q++;
		if (op == ED_ADD) {
			/* Added lines are consecutive in the target: one insert. */
			const char *p = lb[e.v[k].b].p;
			size_t len = (size_t)(lb[e.v[q - 1].b].p + lb[e.v[q - 1].b].len - p);
			if (len > UINT32_MAX) {
				out->err = out->err ? out->err : -E2BIG;
				break;
			}
			store_buf_u8(out, 'I');
			store_buf_u32(out, (uint32_t)len);
			store_buf_put(out, p, len);
		} else {
			store_buf_u8(out, op == ED_EQ ? 'C' : 'S');
			store_buf_u32(out, (uint32_t)(q - k));
		}
		k = q;
	}
	free(la);
	free(lb);
	free(e.v);
	return out->err;
}

int store_delta_apply(const char *base, size_t base_len, const void *delta, size_t delta_len,
		      size_t limit, char **out, size_t *out_len)
{
	const uint8_t *d = delta;
	struct line *lb;
	size_t nb, cur = 0, pos = 0;
	struct store_buf o;
	int rc = split(base, base_len, &lb, &nb);

	*out = NULL;
	*out_len = 0;
	if (rc)
		return rc;
	store_buf_init(&o, limit < SIZE_MAX ? limit + 1 : limit); /* + the NUL */
	while (pos < delta_len && !o.err) {
		if (delta_len - pos < 5) {
			rc = -EBADMSG;
			break;
		}
		uint8_t op = d[pos];
		uint32_t v = store_le32(d + pos + 1);
		pos += 5;
		if (op == 'C' || op == 'S') {
			if (v > nb - cur) {
				rc = -EBADMSG;
				break;
			}
			if (op == 'C')
				for (uint32_t i = 0; i < v; i++)
					store_buf_put(&o, lb[cur + i].p, lb[cur + i].len);
			cur += v;
		} else if (op == 'I') {
			if (v > delta_len - pos) {
				rc = -EBADMSG;
				break;
			}
			store_buf_put(&o, d + pos, v);
			pos += v;
		} else {
			rc = -EBADMSG;
			break;
		}
	}
	free(lb);
	if (!rc && cur != nb)
		rc = -EBADMSG;
	if (!rc && (o.err == -E2BIG || o.len > limit))
		rc = -EBADMSG;
	if (!rc)
		store_buf_u8(&o, 0); /* the NUL, not counted in the length */
	if (!rc && o.err)
		rc = o.err == -E2BIG ? -EBADMSG : o.err;
	if (rc) {
		store_buf_free(&o);
		return rc;
	}
	*out_len = o.len - 1;
	*out = (char *)o.p;
	return 0;
}
