// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flood: a bounded packet flood for the lab's robustness tests.
 *
 *   flood syn|udp SRC_NET DST_ADDR DST_PORT COUNT SECONDS [PPS]
 *
 * Sends up to COUNT IPv4 packets, for at most SECONDS, from a raw socket:
 * TCP SYNs (syn) or one-packet UDP datagrams (udp), each from a different
 * source (a random host in SRC_NET, a /24 given as A.B.C, and a random port),
 * so that every packet is a new flow to the gateway. DST_PORT 0 picks a random
 * destination port per packet. PPS paces the flood (0 or absent: as fast as
 * the socket takes it; on a small test machine an unpaced sender competes
 * with the gateway for the CPUs, which is not what is measured). Prints one JSON line: packets sent, send
 * errors (a full socket buffer is counted and retried later, never spun on),
 * seconds taken. Needs CAP_NET_RAW; run it inside a namespace the test made.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: a fast, seeded generator; the flood need not be secret. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	return s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Build one packet into @b; returns its length. */
static size_t build(uint8_t *b, int syn, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	size_t l4 = syn ? 20 : 8 + 16, len = 20 + l4;
	memset(b, 0, len);
	b[0] = 0x45;
	put16(b + 2, (uint16_t)len);
	put16(b + 4, (uint16_t)rnd());
	b[8] = 64;
	b[9] = syn ? IPPROTO_TCP : IPPROTO_UDP;
	memcpy(b + 12, &src, 4);
	memcpy(b + 16, &dst, 4);
	put16(b + 10, csum_fold(csum_add(0, b, 20)));
	uint8_t *t = b + 20;
	put16(t, sport);
	put16(t + 2, dport);
	if (syn) {
		uint32_t seq = rnd();
		memcpy(t + 4, &seq, 4);
		t[12] = 5 << 4;
		t[13] = 0x02; /* SYN */
		put16(t + 14, 64240);
	} else {
		put16(t + 4, (uint16_t)l4);
		memcpy(t + 8, "segw-flood-probe", 16);
	}
	/* pseudo-header: addresses, protocol, L4 length */
	uint32_t s = csum_add(0, b + 12, 8);
	s += b[9];
	s += (uint32_t)l4;
	uint16_t c = csum_fold(csum_add(s, t, l4));
	put16(t + (syn ? 16 : 6), c ? c : 0xffff);
	return len;
}

int main(int argc, char **argv)
{
	if ((argc != 7 && argc != 8) || (strcmp(argv[1], "syn") && strcmp(argv[1], "udp"))) {
		fprintf(stderr,
			"usage: flood syn|udp SRC_NET(A.B.C) DST_ADDR DST_PORT COUNT SECONDS [PPS]\n");
		return 2;
	}
	int syn = !strcmp(argv[1], "syn");
	char net[32];
	struct in_addr dst, base;
	snprintf(net, sizeof(net), "%s.0", argv[2]);
	char *end;
	unsigned long dport = strtoul(argv[4], &end, 10);
	if (inet_pton(AF_INET, net, &base) != 1 || inet_pton(AF_INET, argv[3], &dst) != 1 || *end ||
	    dport > 65535) {
		fprintf(stderr, "flood: bad address or port\n");
		return 2;
	}
	unsigned long long count = strtoull(argv[5], NULL, 10);
	double secs = strtod(argv[6], NULL);
	unsigned long pps = argc == 8 ? strtoul(argv[7], NULL, 10) : 0;
	if (count == 0 || count > 100000000ull || !(secs > 0 && secs <= 600)) {
		fprintf(stderr, "flood: COUNT 1..1e8 and SECONDS 0..600\n");
		return 2;
	}
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_RAW);
	if (fd < 0) {
		perror("flood: raw socket");
		return 1;
	}
	rng_state ^= (uint64_t)getpid() << 17 ^ now_ns();
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = dst };
	uint8_t pkt[64];
	unsigned long long sent = 0, errs = 0;
	uint64_t t0 = now_ns(), limit = (uint64_t)(secs * 1e9);
	while (sent < count) {
		if ((sent & 255) == 0) {
			uint64_t el = now_ns() - t0;
			if (el > limit)
				break;
			if (pps) { /* ahead of the pace: sleep until the schedule catches up */
				uint64_t due = (uint64_t)((double)sent * 1e9 / (double)pps);
				if (due > el) {
					struct timespec ts = { (time_t)((due - el) / 1000000000u),
							       (long)((due - el) % 1000000000u) };
					nanosleep(&ts, NULL);
				}
			}
		}
		uint32_t src = ntohl(base.s_addr) | (2 + rnd() % 250);
		uint16_t sp = (uint16_t)(1024 + rnd() % 64000);
		uint16_t dp = dport ? (uint16_t)dport : (uint16_t)(1 + rnd() % 65000);
		size_t n = build(pkt, syn, htonl(src), dst.s_addr, sp, dp);
		if (sendto(fd, pkt, n, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)n) {
			sent++;
			continue;
		}
		errs++;
		if (errno == EAGAIN || errno == ENOBUFS) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			poll(&p, 1, 10);
		} else if (errs > 1000 && errs > sent) {
			perror("flood: sendto");
			break;
		}
	}
	double took = (double)(now_ns() - t0) / 1e9;
	printf("{\"mode\":\"%s\",\"sent\":%llu,\"send_errors\":%llu,\"seconds\":%.3f,\"pps\":%.0f}\n",
	       argv[1], sent, errs, took, took > 0 ? (double)sent / took : 0.0);
	close(fd);
	return sent ? 0 : 1;
}
