/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prefix: the one parser of address prefixes, "192.0.2.0/24", "fd00::/8" or
 * a plain address (a full-length prefix), shared by the zone map and the
 * policy language. Input is untrusted text: the length part is digits only
 * (no sign, no blanks), at most the family's bits.
 *
 * Thread: any. Allocation: none.
 * Errors: -EINVAL malformed. Host bits beyond the length are kept as written
 *         and reported in *host_bits, so each caller applies its own rule
 *         (the policy refuses them, the board's zone table clears them).
 */
#ifndef SEGW_CORE_PREFIX_H
#define SEGW_CORE_PREFIX_H

#include <stddef.h>
#include <stdint.h>

int prefix_parse(const char *text, size_t n, uint8_t addr[16], uint8_t *ipver, uint8_t *len,
		 int *host_bits);

#endif
