// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: HTTP/1.x over TCP (and whatever else claims the flow). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_drive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_dpi_drive(data, size, 6, 40000, 80);
	return 0;
}
