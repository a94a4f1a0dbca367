// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: DNS over UDP and TCP (first byte chooses). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_drive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_dpi_drive(data + 1, size - 1, (data[0] & 1) ? 6 : 17, 40000, 53);
	return 0;
}
