// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_main: a standalone driver for fuzz_more.c when libFuzzer is not
 * available (gcc builds): replays every file named on the command line, or
 * every regular file of the directories named, once through
 * LLVMFuzzerTestOneInput. Exits non-zero if nothing could be read.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	static uint8_t buf[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t n;
	uint8_t *copy;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	copy = malloc(n ? n : 1); /* exact size: ASan sees over-reads */
	if (!copy)
		return 0;
	memcpy(copy, buf, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	return 1;
}

int main(int argc, char **argv)
{
	int i, done = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st) != 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			done += replay_file(argv[i]);
			continue;
		}
		d = opendir(argv[i]);
		if (!d)
			continue;
		while ((e = readdir(d)) != NULL) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			done += replay_file(path);
		}
		closedir(d);
	}
	printf("fuzz_more: replayed %d inputs\n", done);
	return done > 0 ? 0 : 1;
}
