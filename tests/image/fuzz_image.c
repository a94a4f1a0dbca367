// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_image: the untrusted inputs of the updater: an image header
 * (segw_img_parse, then the signature check against the development key
 * when it parses) and a GRUB environment block (grubenv_parse, then a
 * format round trip that must reproduce a block that parses the same).
 * First byte: 0..127 image header, 128..255 grubenv.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grubenv.h"
#include "image.h"

/* tools/image/keys/dev-image-key.pub */
static const char pub[] = "-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEH+ngQpnlHDrGX7PyAvnYZJORhQCx\n"
	"C+jhPSXWiomRDBUCz+9ms4WHz9mfSuzkVf0lMx4+ZbXLfaA9MiOa1bffjA==\n"
	"-----END PUBLIC KEY-----\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	char err[256];
	if (data[0] < 128) {
		struct segw_img_hdr h;
		if (segw_img_parse(p, n, &h, err, sizeof(err)) == 0) {
			if (h.sig_len < 8 || h.sig_len > SEGW_IMG_SIG_MAX || !h.board[0])
				abort();
			(void)segw_img_verify_sig(&h, p, (const uint8_t *)pub, sizeof(pub), err,
						  sizeof(err));
			(void)segw_img_check_target(&h, "segw,qemu-x86_64", 1, err, sizeof(err));
		}
	} else {
		struct grubenv env, env2;
		if (grubenv_parse((const char *)p, n, &env) == 0) {
			char buf[GRUBENV_SIZE];
			if (grubenv_format(&env, buf) != 0 ||
			    grubenv_parse(buf, sizeof(buf), &env2) != 0 || env2.n != env.n)
				abort();
			for (unsigned i = 0; i < env.n; i++)
				if (strcmp(env.e[i].name, env2.e[i].name) ||
				    strcmp(env.e[i].value, env2.e[i].value))
					abort();
		}
	}
	return 0;
}
