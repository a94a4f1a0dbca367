/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Verdicts the pipeline gives a packet, and what to do with malformed ones. */
#ifndef SEGW_PIPELINE_VERDICT_H
#define SEGW_PIPELINE_VERDICT_H

enum verdict { VERDICT_PASS = 0, VERDICT_DROP, VERDICT_HELD /* fragment kept for reassembly */ };

enum malformed_policy { MALFORMED_DROP = 0, MALFORMED_PASS };

#endif
