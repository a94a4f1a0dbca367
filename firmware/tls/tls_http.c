// SPDX-License-Identifier: GPL-2.0-or-later
/* tls_http: request line and Host of an HTTP/1.x request head. */
#include "tls/tls_http.h"

#include <errno.h>
#include <string.h>

static int is_tchar(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return 1;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Host value [OWS] name [":" port] [OWS] into out (lower case). */
static int parse_host(const char *v, size_t n, char *out, size_t outsz)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	size_t end = n;
	if (n && v[0] == '[') { /* IPv6 literal */
		const char *rb = memchr(v, ']', n);
		if (!rb)
			return -EINVAL;
		end = (size_t)(rb - v) + 1;
	} else {
		const char *colon = memchr(v, ':', n);
		if (colon)
			end = (size_t)(colon - v);
	}
	if (end < n) { /* port */
		if (v[end] != ':' || end + 1 == n || n - end - 1 > 5)
			return -EINVAL;
		for (size_t i = end + 1; i < n; i++)
			if (v[i] < '0' || v[i] > '9')
				return -EINVAL;
	}
	if (end == 0 || end >= outsz)
		return -EINVAL;
	for (size_t i = 0; i < end; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c <= 0x20 || c >= 0x7f || c == '/' || c == '@')
			return -EINVAL;
		out[i] = (char)lower(c);
	}
	out[end] = 0;
	return 0;
}

int tls_http_parse(const char *buf, size_t len, struct tls_http_req *out)
{
	memset(out, 0, sizeof(*out));
	/* Method: a token then one space; decide "not HTTP" early. */
	size_t i = 0;
	while (i < len && is_tchar((unsigned char)buf[i]) && i < TLS_HTTP_METHOD_MAX - 1)
		i++;
	if (i < len && buf[i] != ' ')
		return -EBADMSG;
	if (i == len)
		return i < TLS_HTTP_METHOD_MAX - 1 ? 0 : -EBADMSG;
	if (i == 0)
		return -EBADMSG;
	memcpy(out->method, buf, i);
	i++;
	/* Target: visible characters up to a space. */
	size_t t0 = i;
	while (i < len && buf[i] != ' ') {
		unsigned char c = (unsigned char)buf[i];
		if (c <= 0x20 || c == 0x7f)
			return -EBADMSG;
		i++;
	}
	if (i == len)
		return 0;
	if (i == t0)
		return -EBADMSG;
	size_t tl = i - t0 < TLS_HTTP_TARGET_MAX - 1 ? i - t0 : TLS_HTTP_TARGET_MAX - 1;
	memcpy(out->target, buf + t0, tl);
	i++;
	/* Version: "HTTP/1.x" CRLF. */
	static const char ver[] = "HTTP/1.";
	for (size_t k = 0; k < sizeof(ver) - 1; k++, i++) {
		if (i == len)
			return 0;
		if (buf[i] != ver[k])
			return -EBADMSG;
	}
	if (i == len)
		return 0;
	if (buf[i] < '0' || buf[i] > '9')
		return -EBADMSG;
	out->minor = (unsigned)(buf[i] - '0');
	i++;
	if (i + 2 > len)
		return 0;
	if (buf[i] != '\r' || buf[i + 1] != '\n')
		return -EBADMSG;
	i += 2;
	/* Header fields until the empty line. */
	int hosts = 0;
	for (;;) {
		if (i + 2 > len)
			return 0;
		if (buf[i] == '\r' && buf[i + 1] == '\n') {
			out->head_len = i + 2;
			return 1;
		}
		const char *line = buf + i;
		const char *crlf = NULL;
		for (size_t k = i; k + 1 < len; k++) {
			if (buf[k] == '\r' && buf[k + 1] == '\n') {
				crlf = buf + k;
				break;
			}
		}
		if (!crlf)
			return 0;
		size_t ll = (size_t)(crlf - line);
		const char *colon = memchr(line, ':', ll);
		if (!colon || colon == line)
			return -EINVAL;
		size_t nl = (size_t)(colon - line);
		for (size_t k = 0; k < nl; k++)
			if (!is_tchar((unsigned char)line[k]))
				return -EINVAL;
		for (size_t k = nl + 1; k < ll; k++) {
			unsigned char c = (unsigned char)line[k];
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return -EINVAL;
		}
		if (nl == 4 && lower(line[0]) == 'h' && lower(line[1]) == 'o' &&
		    lower(line[2]) == 's' && lower(line[3]) == 't') {
			if (++hosts > 1)
				return -EINVAL;
			if (parse_host(colon + 1, ll - nl - 1, out->host, sizeof(out->host)))
				return -EINVAL;
		}
		i += ll + 2;
	}
}
