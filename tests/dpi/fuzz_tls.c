// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: TLS over TCP and QUIC over UDP (first byte chooses). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_drive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		fuzz_dpi_drive(data + 1, size - 1, 17, 50000, 443);
	else
		fuzz_dpi_drive(data + 1, size - 1, 6, 50000, 443);
	return 0;
}
