/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json_check: a minimal JSON reader for tests of what the firmware prints.
 *
 *   json_valid(s, n)        1 when s[0..n) is exactly one JSON value with
 *                           RFC 8259 syntax (strings without raw control
 *                           characters, valid escapes, numbers, literals,
 *                           arrays, objects nested at most 32 deep).
 *   json_get(s, key, &len)  the raw text of member @key of the top-level
 *                           object (a string keeps its quotes), or NULL.
 *
 * Owner: the test. Allocation: none. Thread: any.
 */
#ifndef SEGW_TESTS_JSON_CHECK_H
#define SEGW_TESTS_JSON_CHECK_H

#include <stddef.h>
#include <string.h>

struct jc {
	const char *p, *end;
	int depth;
};

static inline int jc_value(struct jc *j);

static inline void jc_ws(struct jc *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static inline int jc_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline int jc_string(struct jc *j)
{
	if (j->p >= j->end || *j->p != '"')
		return 0;
	j->p++;
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p++;
		if (c == '"')
			return 1;
		if (c < 0x20)
			return 0;
		if (c != '\\')
			continue;
		if (j->p >= j->end)
			return 0;
		c = (unsigned char)*j->p++;
		if (c == 'u') {
			for (int i = 0; i < 4; i++)
				if (j->p >= j->end || !jc_hex(*j->p++))
					return 0;
		} else if (!strchr("\"\\/bfnrt", c) || c == 0) {
			return 0;
		}
	}
	return 0;
}

static inline int jc_digits(struct jc *j)
{
	const char *s = j->p;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static inline int jc_number(struct jc *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!jc_digits(j))
		return 0;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!jc_digits(j))
			return 0;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!jc_digits(j))
			return 0;
	}
	return 1;
}

static inline int jc_lit(struct jc *j, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return 0;
	j->p += n;
	return 1;
}

static inline int jc_compound(struct jc *j, char open, char close)
{
	if (++j->depth > 32)
		return 0;
	j->p++; /* open */
	(void)open;
	jc_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return 1;
	}
	for (;;) {
		jc_ws(j);
		if (close == '}') {
			if (!jc_string(j))
				return 0;
			jc_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return 0;
		}
		if (!jc_value(j))
			return 0;
		jc_ws(j);
		if (j->p >= j->end)
			return 0;
		char c = *j->p++;
		if (c == close)
			break;
		if (c != ',')
			return 0;
	}
	j->depth--;
	return 1;
}

static inline int jc_value(struct jc *j)
{
	jc_ws(j);
	if (j->p >= j->end)
		return 0;
	switch (*j->p) {
	case '{': return jc_compound(j, '{', '}');
	case '[': return jc_compound(j, '[', ']');
	case '"': return jc_string(j);
	case 't': return jc_lit(j, "true");
	case 'f': return jc_lit(j, "false");
	case 'n': return jc_lit(j, "null");
	default: return jc_number(j);
	}
}

static inline int json_valid(const char *s, size_t n)
{
	struct jc j = { s, s + n, 0 };
	if (!jc_value(&j))
		return 0;
	jc_ws(&j);
	return j.p == j.end;
}

static inline const char *json_get(const char *s, const char *key, size_t *vlen)
{
	struct jc j = { s, s + strlen(s), 0 };
	size_t klen = strlen(key);
	jc_ws(&j);
	if (j.p >= j.end || *j.p != '{')
		return NULL;
	j.p++;
	for (;;) {
		jc_ws(&j);
		const char *k = j.p;
		if (!jc_string(&j))
			return NULL;
		int match = (size_t)(j.p - k) == klen + 2 && memcmp(k + 1, key, klen) == 0;
		jc_ws(&j);
		if (j.p >= j.end || *j.p++ != ':')
			return NULL;
		jc_ws(&j);
		const char *v = j.p;
		if (!jc_value(&j))
			return NULL;
		if (match) {
			*vlen = (size_t)(j.p - v);
			return v;
		}
		jc_ws(&j);
		if (j.p >= j.end || *j.p++ != ',')
			return NULL;
	}
}

#endif
