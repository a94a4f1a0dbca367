// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_main: without libFuzzer (gcc builds), run LLVMFuzzerTestOneInput once
 * on each file given, or on each file inside each directory given. Every
 * input is copied into a buffer of exactly its size, so the sanitizers see
 * any read past it. Exit status 1 when no input was run.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned run_one(const char *file)
{
	struct stat st;
	FILE *f;

	if (stat(file, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (8 << 20))
		return 0;
	size_t n = (size_t)st.st_size;
	uint8_t *b = malloc(n ? n : 1);
	if (!b || !(f = fopen(file, "rb"))) {
		free(b);
		return 0;
	}
	size_t got = fread(b, 1, n, f);
	fclose(f);
	LLVMFuzzerTestOneInput(b, got);
	free(b);
	return 1;
}

int main(int argc, char **argv)
{
	unsigned runs = 0;

	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		if (!d) {
			runs += run_one(argv[i]);
			continue;
		}
		for (struct dirent *e; (e = readdir(d)) != NULL;) {
			char p[4096];
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", argv[i], e->d_name);
			runs += run_one(p);
		}
		closedir(d);
	}
	printf("fuzz_console: %u inputs\n", runs);
	return runs ? 0 : 1;
}
