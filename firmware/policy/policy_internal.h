/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Between the policy parser and compiler only. */
#ifndef SEGW_POLICY_INTERNAL_H
#define SEGW_POLICY_INTERNAL_H

#include "policy/policy.h"

void policy_compiled_free(struct policy_compiled *c);
void policy_name_index_free(void *ix);

#endif
