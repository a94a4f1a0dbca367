// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_zone_prefix: zone_parse_prefix() on arbitrary text (the board's, and
 * later the policy's, "10.0.0.0/8" / "fd00::/8" strings).
 *
 * Input:  any bytes; a NUL-terminated copy is parsed (an embedded NUL ends
 *         the text, as it would in C).
 * Checks: only 0 or -EINVAL; on success a sane prefix (version, length within
 *         the family, host bits clear, zone 0), a length text made of decimal
 *         digits only (no sign, no blanks), no length meaning the full
 *         width, the same prefix again when its canonical text is parsed,
 *         and zone_of() on a one-prefix map agreeing with it at its edges.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pipeline/zone.h"

static void check_zone_of(const struct zone_prefix *zp, unsigned max)
{
	static struct zone_map m;
	uint8_t a[16];

	memset(&m, 0, sizeof(m));
	memset(m.port_zone, ZONE_NONE, sizeof(m.port_zone));
	snprintf(m.names[0], sizeof(m.names[0]), "default");
	snprintf(m.names[1], sizeof(m.names[1]), "zone");
	m.n_zones = 2;
	m.prefixes[0] = *zp;
	m.prefixes[0].zone = 1;
	m.n_prefixes = 1;

	FUZZ_CHECK(zone_of(&m, zp->ipver, zp->addr, 1, 0) == 1);
	FUZZ_CHECK(zone_of(&m, zp->ipver == 4 ? 6 : 4, zp->addr, 1, 0) == 0);
	if (zp->len < max) { /* the last host bit set: still inside */
		memcpy(a, zp->addr, sizeof(a));
		a[(max - 1) / 8] |= 1;
		FUZZ_CHECK(zone_of(&m, zp->ipver, a, 1, 0) == 1);
	}
	if (zp->len > 0) { /* the last network bit flipped: outside */
		memcpy(a, zp->addr, sizeof(a));
		a[(zp->len - 1) / 8] ^= (uint8_t)(0x80u >> ((zp->len - 1) % 8));
		FUZZ_CHECK(zone_of(&m, zp->ipver, a, 1, 0) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zone_prefix zp, again;

	if (size > 4096)
		return 0;
	char *text = malloc(size + 1);
	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = 0;

	memset(&zp, 0xa5, sizeof(zp));
	int rc = zone_parse_prefix(text, &zp);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	if (rc == 0) {
		unsigned max = zp.ipver == 4 ? 32 : 128;
		FUZZ_CHECK(zp.ipver == 4 || zp.ipver == 6);
		FUZZ_CHECK(zp.len <= max && zp.zone == 0);
		for (unsigned b = zp.len; b < 128; b++)
			FUZZ_CHECK(!(zp.addr[b / 8] & (0x80u >> (b % 8))));

		const char *slash = strchr(text, '/');
		if (!slash) {
			FUZZ_CHECK(zp.len == max);
		} else {
			const char *s = slash + 1;
			FUZZ_CHECK(*s != '\0');
			for (; *s; s++)
				FUZZ_CHECK(*s >= '0' && *s <= '9');
		}

		char canon[INET6_ADDRSTRLEN + 8];
		FUZZ_CHECK(inet_ntop(zp.ipver == 4 ? AF_INET : AF_INET6, zp.addr, canon,
				     INET6_ADDRSTRLEN) != NULL);
		size_t n = strlen(canon);
		snprintf(canon + n, sizeof(canon) - n, "/%u", zp.len);
		FUZZ_CHECK(zone_parse_prefix(canon, &again) == 0);
		FUZZ_CHECK(again.ipver == zp.ipver && again.len == zp.len &&
			   memcmp(again.addr, zp.addr, sizeof(zp.addr)) == 0);
		check_zone_of(&zp, max);
	}
	free(text);
	return 0;
}
