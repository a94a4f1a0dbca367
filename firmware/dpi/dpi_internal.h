/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dpi_internal: what the engine offers the detectors beyond detector.h.
 * Thread: the worker's. Allocation: none.
 */
#ifndef SEGW_DPI_DPI_INTERNAL_H
#define SEGW_DPI_DPI_INTERNAL_H

#include <stdint.h>

#include "dpi/detector.h"

/*
 * dpi_learn_address - a DNS answer mapped @name to @addr (4 or 16 bytes by
 * @ipver): remember it in the engine's DNS cache. No-op when c->engine is
 * NULL (detectors run stand-alone in unit tests and fuzzers).
 */
void dpi_learn_address(struct dpi_ctx *c, uint8_t ipver, const uint8_t *addr, const char *name);

/* dpi_set_name - copy @n bytes of @s as facts->server_name (NUL terminated, truncated). */
void dpi_set_name(struct dpi_facts *f, const uint8_t *s, uint32_t n);

#endif
