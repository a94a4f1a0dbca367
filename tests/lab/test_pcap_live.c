// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Live capture through the libpcap port driver on a real veth pair.
 *
 * The test moves itself into a new, unnamed network namespace
 * (unshare(CLONE_NEWNET)), creates a veth pair there, opens the pcap port on
 * one end in live mode and sends Ethernet frames into the other end with an
 * AF_PACKET socket. Nothing outside the namespace is touched; the namespace
 * and its links disappear with the process. Needs root (CAP_NET_ADMIN):
 * skipped otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pcap/pcap_port.h"
#include "pipeline/decode.h"

#define SKIP_RC 77

static int run(const char *cmd)
{
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void send_frames(const char *ifname, int n, uint16_t sport)
{
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	assert_true(fd >= 0);
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(ifname),
				   .sll_halen = 6 };
	uint8_t f[14 + 20 + 8 + 16];
	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);              /* broadcast destination */
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
	f[12] = 0x08;                    /* IPv4 */
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	ip[3] = 20 + 8 + 16;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, "\x0a\x01\x00\x02", 4);     /* 10.1.0.2, internal */
	memcpy(ip + 16, "\xc6\x33\x64\x0a", 4);     /* 198.51.100.10, dmz */
	uint8_t *udp = ip + 20;
	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[3] = 53;
	udp[5] = 8 + 16;
	for (int i = 0; i < n; i++) {
		udp[8] = (uint8_t)i;
		ssize_t w = sendto(fd, f, sizeof(f), 0, (struct sockaddr *)&sll, sizeof(sll));
		assert_int_equal(w, (ssize_t)sizeof(f));
	}
	close(fd);
}

static void test_live_capture(void **state)
{
	(void)state;
	struct pcap_port_cfg cfg = { .source = "segwlt0", .offline = false, .promisc = true,
				     .snaplen = 2048 };
	struct hal_port port = { .name = "lab0", .ops = &pcap_port_ops, .config = &cfg };
	port.pool = pktbuf_pool_create(64, 2048);
	assert_non_null(port.pool);
	assert_int_equal(hal_port_open(&port), 0);
	assert_true(hal_port_pollfd(&port) >= 0);

	send_frames("segwlt1", 20, 40000);

	struct pktbuf *v[32];
	int got = 0, udp = 0;
	struct stats_block st;
	memset(&st, 0, sizeof(st));
	for (int tries = 0; tries < 200 && udp < 20; tries++) { /* bounded: 2 s */
		int n = hal_port_rx_burst(&port, v, 32);
		assert_true(n >= 0);
		for (int i = 0; i < n; i++) {
			struct pkt p = { 0 };
			if (decode_frame(&p, v[i]->data, v[i]->len, v[i]->wire_len, v[i]->link, &st) ==
				    DECODE_OK &&
			    p.l4proto == 17 && p.sport == 40000 && p.dport == 53) {
				assert_int_equal(p.payload_len, 16);
				assert_true(v[i]->ts_ns > 1600000000ull * 1000000000ull);
				udp++;
			}
			pktbuf_free(port.pool, v[i]);
			got++;
		}
		if (n == 0)
			usleep(10000);
	}
	assert_int_equal(udp, 20);
	struct hal_port_stats ps;
	assert_int_equal(hal_port_stats(&port, &ps), 0);
	assert_true(ps.rx_packets >= 20);
	assert_int_equal(ps.rx_nobuf, 0);

	/* A pool of 2 buffers: a live port drops and counts what it cannot hold. */
	hal_port_close(&port);
	pktbuf_pool_destroy(port.pool);
	port.pool = pktbuf_pool_create(2, 2048);
	assert_int_equal(hal_port_open(&port), 0);
	send_frames("segwlt1", 10, 40001);
	usleep(100000);
	int held = 0;
	for (int tries = 0; tries < 50; tries++) {
		int n = hal_port_rx_burst(&port, v, 32); /* never frees: pool runs dry */
		assert_true(n >= 0);
		held += n;
		if (held >= 2 && tries > 5)
			break;
		usleep(10000);
	}
	assert_int_equal(held, 2);
	assert_int_equal(hal_port_stats(&port, &ps), 0);
	assert_true(ps.rx_nobuf >= 8);
	hal_port_close(&port);
	pktbuf_pool_destroy(port.pool);
}

static void test_live_missing_interface(void **state)
{
	(void)state;
	struct pcap_port_cfg cfg = { .source = "segw-nonexistent0", .offline = false };
	struct hal_port port = { .name = "lab1", .ops = &pcap_port_ops, .config = &cfg };
	int rc = hal_port_open(&port);
	assert_true(rc == -ENOENT || rc == -EIO);
	assert_true(strlen(hal_port_error(&port)) > 0);
}

int main(void)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		fprintf(stderr, "skipped: needs root to make a private network namespace\n");
		return SKIP_RC;
	}
	if (run("ip link add segwlt0 type veth peer name segwlt1 >/dev/null 2>&1") != 0 ||
	    run("ip link set segwlt0 up && ip link set segwlt1 up") != 0) {
		fprintf(stderr, "skipped: cannot create a veth pair here\n");
		return SKIP_RC;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_capture),
		cmocka_unit_test(test_live_missing_interface),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
