/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_drive: feeds one fuzz input through the dpi engine as the packets of
 * one flow. Input: a run of chunks [flags:1][len:2, big endian][bytes]:
 * flags bit 0 is the direction (1 server to client), bit 1 repeats the
 * previous sequence number (a retransmission), bits 2-7 shift the sequence
 * number forward (a hole). Used by fuzz_tls.c, fuzz_dns.c, fuzz_http.c and
 * the unit tests. Allocation: one engine, created on first use.
 */
#ifndef SEGW_TESTS_DPI_FUZZ_DRIVE_H
#define SEGW_TESTS_DPI_FUZZ_DRIVE_H

#include <stddef.h>
#include <stdint.h>

struct dpi_engine;

/* fuzz_dpi_drive - one flow of @l4proto between ports @cport and @sport. */
void fuzz_dpi_drive(const uint8_t *d, size_t n, uint8_t l4proto, uint16_t cport, uint16_t sport);

#endif
