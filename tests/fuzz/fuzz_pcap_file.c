// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_pcap_file: a hostile capture file through the pcap port driver
 * (replay mode, as segwd --replay opens it), then decode and a worker.
 *
 * Input:  the whole capture file (pcap in any byte order and precision, or
 *         pcapng; libpcap decides from the magic number). It is written to
 *         a memfd and opened by path with pcap_port_init_offline().
 * Pool:   a deliberately tiny pktbuf pool (4 buffers of 1600 bytes) against
 *         bursts of up to 8: the driver must stop at an empty pool and
 *         keep the pending frame, and cut frames longer than a buffer.
 *
 * libpcap itself is not instrumented (the system library); what is tested
 * is our driver's handling of whatever libpcap returns, and the pipeline.
 *
 * Checks: open fails only with a documented errno and a message; a burst
 * never returns more than asked, nor buffers outside the pool's sizes or
 * with a bad link type or port; the end (-ENODATA) and failure (-EIO) are
 * sticky; the driver's stats agree with what was delivered; every buffer
 * is back in the pool at the end; every created flow ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "pcap/pcap_port.h"
#include "pipeline/worker.h"
#include "segw/hal/board.h"

#define POOL_BUFS 4
#define POOL_BUF_SIZE 1600
#define PORT_INDEX 5

static int capture_fd(void)
{
	static int fd = -1;
	if (fd < 0) {
		fd = memfd_create("segw-fuzz-capture", 0);
		FUZZ_CHECK(fd >= 0);
	}
	return fd;
}

static void check_open_error(int rc, const struct hal_port *port)
{
	FUZZ_CHECK(rc == -ENOENT || rc == -EINVAL || rc == -EPERM || rc == -EIO ||
		   rc == -ENOMEM);
	FUZZ_CHECK(port->error[0] != '\0');
	FUZZ_CHECK(port->data == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pktbuf_pool *pool;
	static struct zone_map zones;
	static struct worker w;
	static struct stats_block rx;
	struct hal_port port;
	char path[64];

	if (!pool) { /* once: kept between inputs (fuzz_worker_recycle()) */
		struct worker_cfg wc = {
			.flow_slots = 64,
			.full_policy = FLOW_FULL_EVICT,
			.frag_contexts = 2,
			.frag_bytes = board_get()->pools.frag_bytes,
			.malformed = MALFORMED_DROP,
			.zones = &zones,
			.report = NULL,
			.external_clock = 1, /* ticked here, as the runner does */
		};
		pool = pktbuf_pool_create(POOL_BUFS, POOL_BUF_SIZE);
		FUZZ_CHECK(pool != NULL);
		FUZZ_CHECK(zone_map_init(&zones, board_get()) == 0);
		FUZZ_CHECK(worker_init(&w, &wc) == 0);
	}
	int fd = capture_fd();
	FUZZ_CHECK(ftruncate(fd, 0) == 0);
	for (size_t done = 0; done < size;) {
		ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
		FUZZ_CHECK(n > 0);
		done += (size_t)n;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	FUZZ_CHECK(pcap_port_init_offline(&port, path, "fuzz0") == 0);
	port.index = PORT_INDEX;
	port.pool = pool;
	int rc = hal_port_open(&port);
	if (rc) {
		check_open_error(rc, &port);
		hal_port_close(&port);
		return 0;
	}
	FUZZ_CHECK(hal_port_pollfd(&port) == -1); /* a file: nothing to wait on */
	FUZZ_CHECK(pcap_port_link_name(&port) != NULL);
	struct hal_link_state ls;
	FUZZ_CHECK(hal_port_link(&port, &ls) == 0 && ls.up);

	memset(&rx, 0, sizeof(rx));

	struct pktbuf *v[8];
	uint64_t delivered = 0, bytes = 0;
	unsigned zeros = 0, round = 0;
	uint64_t clock_sec = 0;
	for (;;) {
		unsigned max = 1 + round++ % 8;
		rc = hal_port_rx_burst(&port, v, max);
		if (rc < 0)
			break;
		FUZZ_CHECK((unsigned)rc <= max);
		/* A file never has "nothing now"; with buffers free, 0 is a stall. */
		zeros = rc == 0 ? zeros + 1 : 0;
		FUZZ_CHECK(zeros < 100);
		for (int i = 0; i < rc; i++) {
			struct pktbuf *b = v[i];
			FUZZ_CHECK(b != NULL && b->len <= POOL_BUF_SIZE && b->wire_len >= b->len);
			FUZZ_CHECK(b->link < HAL_LINK__COUNT && b->port == PORT_INDEX);
			delivered++;
			bytes += b->wire_len;
			struct pkt *p = b->meta;
			memset(p, 0, sizeof(*p));
			p->ts_ns = b->ts_ns;
			p->port = b->port;
			enum decode_result dr =
				decode_frame(p, b->data, b->len, b->wire_len, b->link, &rx);
			fuzz_check_decoded(p, dr, b->data, b->len, b->wire_len);
			if (b->ts_ns / 1000000000ull > clock_sec) {
				clock_sec = b->ts_ns / 1000000000ull;
				worker_tick(&w, clock_sec * 1000000000ull);
			}
			worker_packet(&w, p, dr);
			pktbuf_free(pool, b);
		}
		FUZZ_CHECK(pktbuf_pool_avail(pool) == POOL_BUFS);
	}
	FUZZ_CHECK(rc == -ENODATA || rc == -EIO);
	FUZZ_CHECK(hal_port_rx_burst(&port, v, 8) == rc); /* the end stays the end */
	if (rc == -EIO)
		FUZZ_CHECK(hal_port_error(&port)[0] != '\0');

	struct hal_port_stats ps;
	FUZZ_CHECK(hal_port_stats(&port, &ps) == 0);
	FUZZ_CHECK(ps.rx_packets == delivered && ps.rx_bytes == bytes);
	FUZZ_CHECK(ps.rx_truncated <= ps.rx_packets && ps.rx_nobuf == 0);
	FUZZ_CHECK(ps.rx_errors == (rc == -EIO ? 1u : 0u));

	worker_finish(&w);
	FUZZ_CHECK(flow_table_active(w.ft) == 0);
	FUZZ_CHECK(w.st.c[CTR_FLOW_CREATED] == w.st.c[CTR_FLOW_END_IDLE] +
						       w.st.c[CTR_FLOW_END_CLOSED] +
						       w.st.c[CTR_FLOW_EVICTED] +
						       w.st.c[CTR_FLOW_END_EOF]);
	fuzz_worker_recycle(&w);
	hal_port_close(&port);
	FUZZ_CHECK(port.data == NULL);
	FUZZ_CHECK(pktbuf_pool_avail(pool) == POOL_BUFS);
	return 0;
}
