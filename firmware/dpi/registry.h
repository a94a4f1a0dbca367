/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * registry: the explicit, ordered table of detectors (registry.c). Order is
 * the default calling order; port hints only move a detector forward.
 *
 * Thread: any (the table is const). Allocation: none.
 */
#ifndef SEGW_DPI_REGISTRY_H
#define SEGW_DPI_REGISTRY_H

#include "dpi/detector.h"

#define DPI_MAX_DETECTORS 64

extern const struct dpi_detector dpi_tls_detector;
extern const struct dpi_detector dpi_quic_detector;
extern const struct dpi_detector dpi_dns_detector;
extern const struct dpi_detector dpi_http_detector;

/* dpi_registry_count - detectors in the table (at most DPI_MAX_DETECTORS). */
unsigned dpi_registry_count(void);

/* dpi_registry_get - detector @i, NULL past the end. */
const struct dpi_detector *dpi_registry_get(unsigned i);

#endif
