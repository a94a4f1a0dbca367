// SPDX-License-Identifier: GPL-2.0-or-later
/* Address prefix parser: see prefix.h. */
#include "core/prefix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

int prefix_parse(const char *text, size_t n, uint8_t addr[16], uint8_t *ipver, uint8_t *len,
		 int *host_bits)
{
	char buf[64];
	const char *slash = memchr(text, '/', n);
	size_t an = slash ? (size_t)(slash - text) : n;
	if (an == 0 || an >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, an);
	buf[an] = 0;
	memset(addr, 0, 16);
	unsigned max;
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*ipver = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		*ipver = 6;
		max = 128;
	} else {
		return -EINVAL;
	}
	unsigned plen = max;
	if (slash) {
		/* digits only: no sign, no blanks ("/-0" must not mean /0) */
		const char *d = slash + 1, *end = text + n;
		if (d == end || end - d > 3)
			return -EINVAL;
		plen = 0;
		for (; d < end; d++) {
			if (*d < '0' || *d > '9')
				return -EINVAL;
			plen = plen * 10 + (unsigned)(*d - '0');
		}
		if (plen > max)
			return -EINVAL;
	}
	*len = (uint8_t)plen;
	*host_bits = 0;
	for (unsigned b = plen; b < max; b++)
		if (addr[b / 8] & (0x80u >> (b % 8)))
			*host_bits = 1;
	return 0;
}
