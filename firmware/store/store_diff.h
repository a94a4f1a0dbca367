/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store_diff: line differences between two configuration texts, for the
 * console's `compare` (unified-style output) and for the store's history
 * (reverse line deltas: an older text encoded against the next newer one).
 *
 * A text is a sequence of lines, each including its '\n'; a last line
 * without '\n' is a line too, so joining the lines gives the text back byte
 * for byte. The diff trims the common head and tail and runs an exact LCS
 * on the rest when it has at most STORE_DIFF_CELLS line pairs; a larger
 * middle is reported as removed-then-added (correct, not minimal).
 *
 * Owner:      the caller owns every buffer; outputs are malloc()ed and the
 *             caller frees them.
 * Thread:     any (no shared state).
 * Allocation: O(lines) plus at most STORE_DIFF_CELLS * 2 bytes per call.
 * Errors:     -ENOMEM; -E2BIG when an output would exceed its limit;
 *             -EBADMSG for a malformed delta (store_delta_apply() treats its
 *             input as untrusted: every length and count is bounds-checked).
 */
#ifndef SEGW_STORE_DIFF_H
#define SEGW_STORE_DIFF_H

#include <stddef.h>
#include <stdio.h>

#include "store/store_buf.h"

#define STORE_DIFF_CELLS (1u << 21)

/*
 * store_compare - write the differences from @old to @new to @out in unified
 * style: "@@ -L,N +L,N @@" hunk headers, 3 lines of context (" "), removed
 * lines ("-") and added ones ("+"). A last line without '\n' gets one.
 * Returns the number of changed (removed + added) lines, 0 when the texts are
 * equal (nothing written), or -ENOMEM.
 */
int store_compare(const char *old, size_t old_len, const char *new_text, size_t new_len,
		  FILE *out);

/*
 * store_delta_encode - append to @out the delta that rebuilds @target from
 * @base. Ops: 'C' u32 n (copy n base lines), 'S' u32 n (skip n base lines),
 * 'I' u32 len + bytes (insert literal bytes). The ops consume every base line.
 * Returns 0 or -ENOMEM/-E2BIG (also left in out->err).
 */
int store_delta_encode(const char *base, size_t base_len, const char *target, size_t target_len,
		       struct store_buf *out);

/*
 * store_delta_apply - rebuild a text from @base and the untrusted @delta.
 * On success *out is a malloc()ed, NUL-terminated text of *out_len bytes
 * (at most @limit). Returns 0, -EBADMSG (malformed or inconsistent delta,
 * result longer than @limit) or -ENOMEM.
 */
int store_delta_apply(const char *base, size_t base_len, const void *delta, size_t delta_len,
		      size_t limit, char **out, size_t *out_len);

#endif
