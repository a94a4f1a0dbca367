/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz: what the libFuzzer targets of tests/fuzz share.
 *
 * Owner:      test code only; never linked into the firmware.
 * Thread:     one: libFuzzer (or standalone_main.c) calls a target's
 *             LLVMFuzzerTestOneInput() from one thread.
 * Allocation: the harness may allocate (it is not the packet path); every
 *             allocation is released before LLVMFuzzerTestOneInput()
 *             returns, so LeakSanitizer sees a leak only in the code under
 *             test.
 * Errors:     a broken invariant is a crash: FUZZ_CHECK prints the condition
 *             and traps, which libFuzzer reports and saves as a reproducer.
 */
#ifndef SEGW_TESTS_FUZZ_H
#define SEGW_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline/decode.h"
#include "pipeline/pkt.h"
#include "pipeline/worker.h"
#include "stats/counters.h"

/* The libFuzzer entry point every target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                              \
	do {                                                          \
		if (!(cond))                                          \
			fuzz_fail(#cond, __FILE__, __LINE__);         \
	} while (0)

/* fuzz_fail - print the broken invariant and trap. */
void fuzz_fail(const char *what, const char *file, int line) __attribute__((noreturn));

/* Base of the synthetic clock of the targets (2020-09-13, in ns). */
#define FUZZ_TS_BASE (1600000000ull * 1000000000ull)

/*
 * fuzz_ts_step - advance the synthetic clock by the one-byte delta @dt:
 * 0..127 that many ms; 128..254 (dt - 127)^2 s (1 s .. 4.5 h, so every flow
 * and reassembly timeout can pass); 255 one second back (captures are not
 * always in time order).
 */
uint64_t fuzz_ts_step(uint64_t ts, uint8_t dt);

/* fuzz_wire_extra - wire length minus captured length, from one byte:
 * 0..127 as is, 128..255 in steps of 64 bytes. */
uint32_t fuzz_wire_extra(uint8_t wx);

/*
 * fuzz_check_decoded - the invariants decode_frame() promises about @p for
 * result @dr on @frame (@caplen captured, @wire_len on the wire): offsets and
 * lengths inside the frame, L4/payload nested in L3, fields that match the
 * bytes they were read from.
 */
void fuzz_check_decoded(const struct pkt *p, enum decode_result dr, const uint8_t *frame,
			uint32_t caplen, uint32_t wire_len);

/*
 * fuzz_check_decode_counters - decode.h's counting contract, from the counters
 * before (@before) and after (@after) one decode_frame() call: a malformed
 * frame counts exactly one "decode.*" counter; a skipped link exactly one
 * "decode.link.*"; a non-IP frame "proto.non_ip"; a fragment one
 * "frag.ipv*.fragments"; a decoded packet no "decode.*" counter but the two
 * that flag suspicious yet valid TCP headers.
 */
void fuzz_check_decode_counters(const uint64_t before[CTR__COUNT],
				const uint64_t after[CTR__COUNT], enum decode_result dr);

/*
 * fuzz_worker_recycle - ready @w, after worker_finish(), for the next input
 * as if worker_init() had just run: no flow and no reassembly context left
 * (both checked), counters and clock back to zero. Re-creating a worker per
 * input costs milliseconds (its pools are mapped and unmapped each time), so
 * targets keep theirs. What cannot be reset from outside carries over: the
 * dpi engine's DNS cache and counters, and the flow id sequence.
 */
void fuzz_worker_recycle(struct worker *w);

#endif
