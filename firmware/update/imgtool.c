// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * segw-imgtool: the host side of the firmware image container (image.h).
 *
 *   segw-imgtool pack --key KEY.pem --board ID --version V --security N
 *                     --payload ROOTFS -o OUT.segwimg
 *   segw-imgtool info IMAGE
 *   segw-imgtool verify --pubkey PUB.pem [--board ID] [--floor N] IMAGE
 *
 * Exit 0 ok, 1 refused/failed (reason on stderr), 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "image.h"

static int load(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rbe");
	if (!f)
		return -errno;
	uint8_t *b = malloc(65537);
	if (!b) {
		fclose(f);
		return -ENOMEM;
	}
	size_t n = fread(b, 1, 65536, f);
	fclose(f);
	b[n] = 0;
	*out = b;
	*len = n + 1;
	return 0;
}

static const char *opt(int argc, char **argv, const char *name)
{
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return NULL;
}

static void hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static int pack(int argc, char **argv)
{
	const char *key = opt(argc, argv, "--key"), *board = opt(argc, argv, "--board"),
		   *ver = opt(argc, argv, "--version"), *sec = opt(argc, argv, "--security"),
		   *payload = opt(argc, argv, "--payload"), *outp = opt(argc, argv, "-o");
	if (!key || !board || !ver || !sec || !payload || !outp)
		return 2;
	struct segw_img_hdr h;
	memset(&h, 0, sizeof(h));
	if (strlen(board) >= sizeof(h.board) || strlen(ver) >= sizeof(h.version)) {
		fprintf(stderr, "segw-imgtool: board or version too long\n");
		return 1;
	}
	snprintf(h.board, sizeof(h.board), "%s", board);
	snprintf(h.version, sizeof(h.version), "%s", ver);
	char *end;
	unsigned long s = strtoul(sec, &end, 10);
	if (*end || s > UINT32_MAX) {
		fprintf(stderr, "segw-imgtool: --security: a number\n");
		return 2;
	}
	h.security_version = (uint32_t)s;
	int in = open(payload, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		fprintf(stderr, "segw-imgtool: %s: %s\n", payload, strerror(errno));
		return 1;
	}
	mbedtls_sha256_context sha;
	mbedtls_sha256_init(&sha);
	mbedtls_sha256_starts(&sha, 0);
	static uint8_t buf[1 << 16];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		mbedtls_sha256_update(&sha, buf, (size_t)n);
		h.payload_size += (uint64_t)n;
	}
	mbedtls_sha256_finish(&sha, h.payload_sha256);
	mbedtls_sha256_free(&sha);
	if (n < 0 || h.payload_size == 0) {
		fprintf(stderr, "segw-imgtool: %s: empty or unreadable\n", payload);
		close(in);
		return 1;
	}
	uint8_t *k = NULL;
	size_t kl = 0;
	if (load(key, &k, &kl)) {
		fprintf(stderr, "segw-imgtool: %s: %s\n", key, strerror(errno));
		close(in);
		return 1;
	}
	uint8_t raw[SEGW_IMG_HDR_SIZE] = { 0 };
	char err[256];
	int rc = segw_img_build_header(&h, k, kl, raw, err, sizeof(err));
	free(k);
	if (rc) {
		fprintf(stderr, "segw-imgtool: %s\n", err);
		close(in);
		return 1;
	}
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", outp);
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0 || write(out, raw, sizeof(raw)) != (ssize_t)sizeof(raw)) {
		fprintf(stderr, "segw-imgtool: %s: %s\n", tmp, strerror(errno));
		close(in);
		return 1;
	}
	lseek(in, 0, SEEK_SET);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	if (n < 0 || fsync(out) != 0 || close(out) != 0 || rename(tmp, outp) != 0) {
		fprintf(stderr, "segw-imgtool: writing %s failed\n", outp);
		unlink(tmp);
		return 1;
	}
	printf("%s: %s %s security %u, payload %llu bytes\n", outp, h.board, h.version,
	       h.security_version, (unsigned long long)h.payload_size);
	return 0;
}

static int info(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "segw-imgtool: %s: %s\n", path, strerror(errno));
		return 1;
	}
	uint8_t raw[SEGW_IMG_HDR_SIZE] = { 0 };
	ssize_t n = pread(fd, raw, sizeof(raw), 0);
	close(fd);
	struct segw_img_hdr h;
	memset(&h, 0, sizeof(h));
	char err[256];
	if (segw_img_parse(raw, n > 0 ? (size_t)n : 0, &h, err, sizeof(err))) {
		fprintf(stderr, "segw-imgtool: %s\n", err);
		return 1;
	}
	printf("board: %s\nversion: %s\nsecurity: %u\npayload size: %llu\npayload sha256: ",
	       h.board, h.version, h.security_version, (unsigned long long)h.payload_size);
	hex(h.payload_sha256, 32);
	printf("\nkey id: ");
	hex(h.key_id, 8);
	printf("\n");
	return 0;
}

static int verify(int argc, char **argv)
{
	const char *pubp = opt(argc, argv, "--pubkey"), *board = opt(argc, argv, "--board"),
		   *floor = opt(argc, argv, "--floor");
	const char *path = argv[argc - 1];
	if (!pubp || argc < 4)
		return 2;
	uint8_t *pub = NULL;
	size_t pl = 0;
	if (load(pubp, &pub, &pl)) {
		fprintf(stderr, "segw-imgtool: %s: %s\n", pubp, strerror(errno));
		return 1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "segw-imgtool: %s: %s\n", path, strerror(errno));
		free(pub);
		return 1;
	}
	uint8_t raw[SEGW_IMG_HDR_SIZE] = { 0 };
	ssize_t n = pread(fd, raw, sizeof(raw), 0);
	struct segw_img_hdr h;
	memset(&h, 0, sizeof(h));
	char err[256];
	int rc = segw_img_parse(raw, n > 0 ? (size_t)n : 0, &h, err, sizeof(err));
	if (rc == 0)
		rc = segw_img_check_file(fd, pub, pl, board ? board : h.board,
					 floor ? (uint32_t)strtoul(floor, NULL, 10) : 0, &h, err,
					 sizeof(err));
	close(fd);
	free(pub);
	if (rc) {
		fprintf(stderr, "segw-imgtool: refused: %s\n", err);
		return 1;
	}
	printf("%s: good: %s %s security %u\n", path, h.board, h.version, h.security_version);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 2;
	if (argc >= 2 && !strcmp(argv[1], "pack"))
		rc = pack(argc, argv);
	else if (argc == 3 && !strcmp(argv[1], "info"))
		rc = info(argv[2]);
	else if (argc >= 2 && !strcmp(argv[1], "verify"))
		rc = verify(argc, argv);
	if (rc == 2)
		fprintf(stderr,
			"usage: segw-imgtool pack --key K --board ID --version V --security N --payload F -o OUT\n"
			"       segw-imgtool info IMAGE\n"
			"       segw-imgtool verify --pubkey P [--board ID] [--floor N] IMAGE\n");
	return rc;
}
