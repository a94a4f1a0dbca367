// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the libpcap port driver offline (drivers/pcap): capture
 * files written byte by byte by the test (classic pcap in both byte orders,
 * nanosecond pcap, pcapng with two timestamp resolutions, several link
 * types), then read back: frames, lengths, timestamps, the end, and the
 * failures (missing, garbage, truncated file).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test_util.h"

#include "pcap/pcap_port.h"
#include "segw/hal/port.h"

#define SEC 1000000000ull

static char dir[64], path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/segw-pcap-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/cap", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

/* --- writers ------------------------------------------------------------- */

struct wr {
	FILE *f;
	int be;
};

static void w8(struct wr *w, uint8_t v) { fputc(v, w->f); }
static void w16(struct wr *w, uint16_t v)
{
	if (w->be) {
		w8(w, (uint8_t)(v >> 8));
		w8(w, (uint8_t)v);
	} else {
		w8(w, (uint8_t)v);
		w8(w, (uint8_t)(v >> 8));
	}
}
static void w32(struct wr *w, uint32_t v)
{
	if (w->be) {
		w16(w, (uint16_t)(v >> 16));
		w16(w, (uint16_t)v);
	} else {
		w16(w, (uint16_t)v);
		w16(w, (uint16_t)(v >> 16));
	}
}
static void wbytes(struct wr *w, const uint8_t *b, size_t n) { fwrite(b, 1, n, w->f); }

static struct wr wopen(int be)
{
	struct wr w = { fopen(path, "wb"), be };
	assert_non_null(w.f);
	return w;
}

static void pcap_header(struct wr *w, uint32_t magic, uint32_t snaplen, uint32_t linktype)
{
	w32(w, magic);
	w16(w, 2);
	w16(w, 4);
	w32(w, 0);
	w32(w, 0);
	w32(w, snaplen);
	w32(w, linktype);
}

/* Frame i of a test: @len bytes, byte j = i * 31 + j. */
static void make_frame(uint8_t *f, unsigned i, size_t len)
{
	for (size_t j = 0; j < len; j++)
		f[j] = (uint8_t)(i * 31 + j);
}

static void pcap_record(struct wr *w, uint32_t sec, uint32_t frac, unsigned i, uint32_t caplen,
			uint32_t wire)
{
	uint8_t f[2048];
	make_frame(f, i, caplen);
	w32(w, sec);
	w32(w, frac);
	w32(w, caplen);
	w32(w, wire);
	wbytes(w, f, caplen);
}

/* --- reading ------------------------------------------------------------- */

struct reader {
	struct hal_port p;
	struct pcap_port_cfg cfg;
	struct pktbuf_pool *pool;
};

static int ropen(struct reader *r, uint32_t bufs, uint32_t bufsize)
{
	memset(r, 0, sizeof(*r));
	r->cfg.source = path;
	r->cfg.offline = true;
	r->p.name = "cap0";
	r->p.ops = &pcap_port_ops;
	r->p.config = &r->cfg;
	r->p.index = 2;
	r->pool = pktbuf_pool_create(bufs, bufsize);
	assert_non_null(r->pool);
	r->p.pool = r->pool;
	return hal_port_open(&r->p);
}

static void rclose(struct reader *r)
{
	hal_port_close(&r->p);
	assert_null(r->p.data);
	pktbuf_pool_destroy(r->pool);
}

/* Receive one frame (burst of 1); fails the test on anything else. */
static struct pktbuf *rx1(struct reader *r)
{
	struct pktbuf *b = NULL;
	int n = hal_port_rx_burst(&r->p, &b, 1);
	if (n != 1)
		fail_msg("rx_burst: %d (%s)", n, hal_port_error(&r->p));
	return b;
}

static void expect_frame(struct reader *r, unsigned i, uint32_t caplen, uint32_t wire,
			 uint64_t ts_ns, uint8_t link)
{
	uint8_t want[2048];
	struct pktbuf *b = rx1(r);
	make_frame(want, i, caplen);
	assert_int_equal(b->len, caplen);
	assert_int_equal(b->wire_len, wire);
	assert_memory_equal(b->data, want, caplen);
	assert_int_equal(b->ts_ns, ts_ns);
	assert_int_equal(b->link, link);
	assert_int_equal(b->port, 2);
	pktbuf_free(r->pool, b);
}

static void expect_end(struct reader *r)
{
	struct pktbuf *v[4];
	assert_int_equal(hal_port_rx_burst(&r->p, v, 4), -ENODATA);
	assert_int_equal(hal_port_rx_burst(&r->p, v, 4), -ENODATA);
}

static void test_classic_usec(void **state)
{
	(void)state;
	for (int be = 0; be < 2; be++) {
		struct wr w = wopen(be);
		pcap_header(&w, 0xa1b2c3d4, 65535, 1);
		pcap_record(&w, 1700000000, 1, 0, 60, 60);
		pcap_record(&w, 1700000000, 999999, 1, 80, 100); /* snap length cut it */
		pcap_record(&w, 1700000001, 0, 2, 70, 70);
		fclose(w.f);

		struct reader r;
		assert_int_equal(ropen(&r, 8, 2048), 0);
		expect_frame(&r, 0, 60, 60, 1700000000 * SEC + 1000, HAL_LINK_ETHERNET);
		expect_frame(&r, 1, 80, 100, 1700000000 * SEC + 999999000, HAL_LINK_ETHERNET);
		expect_frame(&r, 2, 70, 70, 1700000001 * SEC, HAL_LINK_ETHERNET);
		expect_end(&r);
		struct hal_port_stats s;
		assert_int_equal(hal_port_stats(&r.p, &s), 0);
		assert_int_equal(s.rx_packets, 3);
		assert_int_equal(s.rx_bytes, 60 + 100 + 70);
		assert_int_equal(s.rx_truncated, 1);
		assert_int_equal(s.rx_errors, 0);
		assert_int_equal(hal_port_pollfd(&r.p), -1);
		struct hal_link_state ls;
		assert_int_equal(hal_port_link(&r.p, &ls), 0);
		assert_true(ls.up);
		assert_string_equal(pcap_port_link_name(&r.p), "EN10MB");
		rclose(&r);
	}
}

static void test_classic_nsec(void **state)
{
	(void)state;
	struct wr w = wopen(0);
	pcap_header(&w, 0xa1b23c4d, 65535, 1);
	pcap_record(&w, 1700000000, 123456789, 0, 64, 64);
	pcap_record(&w, 1700000000, 999999999, 1, 64, 64);
	fclose(w.f);
	struct reader r;
	assert_int_equal(ropen(&r, 8, 2048), 0);
	expect_frame(&r, 0, 64, 64, 1700000000 * SEC + 123456789, HAL_LINK_ETHERNET);
	expect_frame(&r, 1, 64, 64, 1700000000 * SEC + 999999999, HAL_LINK_ETHERNET);
	expect_end(&r);
	rclose(&r);
}

static void ng_block_end(struct wr *w, long start)
{
	long end = ftell(w->f);
	uint32_t total = (uint32_t)(end - start + 4);
	w32(w, total);
	fseek(w->f, start + 4, SEEK_SET);
	w32(w, total);
	fseek(w->f, 0, SEEK_END);
}

static void ng_idb(struct wr *w, uint16_t linktype, int tsresol)
{
	long s = ftell(w->f);
	w32(w, 1);
	w32(w, 0);
	w16(w, linktype);
	w16(w, 0);
	w32(w, 65535);
	if (tsresol >= 0) {
		w16(w, 9); /* if_tsresol */
		w16(w, 1);
		w8(w, (uint8_t)tsresol);
		w8(w, 0);
		w8(w, 0);
		w8(w, 0);
		w16(w, 0); /* opt_endofopt */
		w16(w, 0);
	}
	ng_block_end(w, s);
}

static void ng_epb(struct wr *w, uint32_t ifc, uint64_t ts, unsigned i, uint32_t caplen,
		   uint32_t wire)
{
	uint8_t f[2048];
	make_frame(f, i, caplen);
	long s = ftell(w->f);
	w32(w, 6);
	w32(w, 0);
	w32(w, ifc);
	w32(w, (uint32_t)(ts >> 32));
	w32(w, (uint32_t)ts);
	w32(w, caplen);
	w32(w, wire);
	wbytes(w, f, caplen);
	for (uint32_t pad = caplen; pad % 4; pad++)
		w8(w, 0);
	ng_block_end(w, s);
}

static void test_pcapng(void **state)
{
	(void)state;
	struct wr w = wopen(0);
	long s = ftell(w.f);
	w32(&w, 0x0a0d0d0a); /* section header */
	w32(&w, 0);
	w32(&w, 0x1a2b3c4d);
	w16(&w, 1);
	w16(&w, 0);
	w32(&w, 0xffffffff); /* section length: unknown */
	w32(&w, 0xffffffff);
	ng_block_end(&w, s);
	ng_idb(&w, 1, -1); /* interface 0: microseconds (the default) */
	ng_idb(&w, 1, 9);  /* interface 1: nanoseconds */
	ng_epb(&w, 0, 1700000000ull * 1000000 + 5, 0, 61, 61);
	ng_epb(&w, 1, 1700000000ull * SEC + 7, 1, 63, 90);
	ng_epb(&w, 0, 1700000002ull * 1000000, 2, 64, 64);
	fclose(w.f);

	struct reader r;
	assert_int_equal(ropen(&r, 8, 2048), 0);
	expect_frame(&r, 0, 61, 61, 1700000000 * SEC + 5000, HAL_LINK_ETHERNET);
	expect_frame(&r, 1, 63, 90, 1700000000 * SEC + 7, HAL_LINK_ETHERNET);
	expect_frame(&r, 2, 64, 64, 1700000002 * SEC, HAL_LINK_ETHERNET);
	expect_end(&r);
	rclose(&r);
}

/* The file's link type (LINKTYPE_*) is delivered as the hal link type. */
static void test_link_types(void **state)
{
	(void)state;
	static const struct {
		uint32_t linktype;
		uint8_t link;
	} t[] = {
		{ 1, HAL_LINK_ETHERNET },   { 113, HAL_LINK_SLL },   { 276, HAL_LINK_SLL2 },
		{ 101, HAL_LINK_RAW },      { 228, HAL_LINK_IPV4 },  { 229, HAL_LINK_IPV6 },
		{ 0, HAL_LINK_NULL },       { 108, HAL_LINK_LOOP },  { 9, HAL_LINK_PPP },
		{ 104, HAL_LINK_CHDLC },    { 192, HAL_LINK_PPI },   { 127, HAL_LINK_RADIOTAP },
		{ 147, HAL_LINK_UNSUPPORTED },
	};
	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		struct wr w = wopen(0);
		pcap_header(&w, 0xa1b2c3d4, 65535, t[k].linktype);
		pcap_record(&w, 10, 0, 0, 40, 40);
		fclose(w.f);
		struct reader r;
		assert_int_equal(ropen(&r, 4, 2048), 0);
		struct pktbuf *b = rx1(&r);
		if (b->link != t[k].link)
			fail_msg("linktype %u: link %u, expected %u", t[k].linktype, b->link,
				 t[k].link);
		if (t[k].link != HAL_LINK_UNSUPPORTED) /* a name for messages */
			assert_string_not_equal(pcap_port_link_name(&r.p), "unknown");
		pktbuf_free(r.pool, b);
		rclose(&r);
	}
}

static void test_open_failures(void **state)
{
	(void)state;
	struct reader r;
	/* missing */
	assert_int_equal(ropen(&r, 4, 2048), -ENOENT);
	assert_true(strlen(hal_port_error(&r.p)) > 0);
	assert_null(r.p.data);
	pktbuf_pool_destroy(r.pool);

	/* garbage */
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	for (int i = 0; i < 200; i++)
		fputc("not a capture file\n"[i % 19], f);
	fclose(f);
	assert_int_equal(ropen(&r, 4, 2048), -EINVAL);
	assert_true(strlen(hal_port_error(&r.p)) > 0);
	pktbuf_pool_destroy(r.pool);

	/* empty, and a header cut short */
	f = fopen(path, "wb");
	fclose(f);
	assert_int_equal(ropen(&r, 4, 2048), -EINVAL);
	pktbuf_pool_destroy(r.pool);
	struct wr w = wopen(0);
	w32(&w, 0xa1b2c3d4);
	w16(&w, 2);
	fclose(w.f);
	assert_int_equal(ropen(&r, 4, 2048), -EINVAL);
	pktbuf_pool_destroy(r.pool);

	/* no source configured */
	memset(&r, 0, sizeof(r));
	r.cfg.offline = true;
	r.p.ops = &pcap_port_ops;
	r.p.config = &r.cfg;
	assert_int_equal(hal_port_open(&r.p), -EINVAL);
	struct hal_port_stats s;
	assert_int_equal(hal_port_stats(&r.p, &s), -ENODEV);
}

/* A file cut inside a record: the frames before the cut, then -EIO. */
static void test_truncated_file(void **state)
{
	(void)state;
	for (int cut_in_header = 0; cut_in_header < 2; cut_in_header++) {
		struct wr w = wopen(0);
		pcap_header(&w, 0xa1b2c3d4, 65535, 1);
		for (unsigned i = 0; i < 3; i++)
			pcap_record(&w, 100 + i, 0, i, 100, 100);
		long cut = ftell(w.f) + (cut_in_header ? 7 : 16 + 40);
		pcap_record(&w, 200, 0, 3, 100, 100);
		fclose(w.f);
		assert_int_equal(truncate(path, cut), 0);

		struct reader r;
		assert_int_equal(ropen(&r, 8, 2048), 0);
		struct pktbuf *v[8];
		int n = hal_port_rx_burst(&r.p, v, 8);
		assert_int_equal(n, 3); /* everything before the fault */
		for (int i = 0; i < n; i++) {
			assert_int_equal(v[i]->ts_ns, (100 + (uint64_t)i) * SEC);
			pktbuf_free(r.pool, v[i]);
		}
		assert_int_equal(hal_port_rx_burst(&r.p, v, 8), -EIO);
		assert_int_equal(hal_port_rx_burst(&r.p, v, 8), -EIO);
		assert_non_null(strstr(hal_port_error(&r.p), "truncated"));
		struct hal_port_stats s;
		hal_port_stats(&r.p, &s);
		assert_int_equal(s.rx_packets, 3);
		assert_int_equal(s.rx_errors, 1);
		rclose(&r);
	}
}

/* Offline, an empty pool loses nothing: the frame waits for a buffer. */
static void test_pool_empty_offline(void **state)
{
	(void)state;
	struct wr w = wopen(0);
	pcap_header(&w, 0xa1b2c3d4, 65535, 1);
	for (unsigned i = 0; i < 5; i++)
		pcap_record(&w, 50, i, i, 60, 60);
	fclose(w.f);
	struct reader r;
	assert_int_equal(ropen(&r, 2, 2048), 0);
	struct pktbuf *v[8];
	unsigned seen = 0;
	int rounds = 0;
	for (;;) {
		int n = hal_port_rx_burst(&r.p, v, 8);
		if (n == -ENODATA)
			break;
		assert_true(n >= 0 && n <= 2);
		if (rounds == 0) {
			assert_int_equal(n, 2);
			/* no buffer free: nothing now, but not the end either */
			struct pktbuf *x;
			assert_int_equal(hal_port_rx_burst(&r.p, &x, 1), 0);
		}
		for (int i = 0; i < n; i++) {
			assert_int_equal(v[i]->data[0], (uint8_t)(seen * 31));
			assert_int_equal(v[i]->ts_ns, 50 * SEC + seen * 1000);
			seen++;
			pktbuf_free(r.pool, v[i]);
		}
		assert_true(++rounds < 20);
	}
	assert_int_equal(seen, 5);
	struct hal_port_stats s;
	hal_port_stats(&r.p, &s);
	assert_int_equal(s.rx_nobuf, 0);
	assert_int_equal(s.rx_packets, 5);
	rclose(&r);
}

/* A frame longer than a buffer: cut to the buffer, the wire length kept. */
static void test_small_buffers(void **state)
{
	(void)state;
	struct wr w = wopen(0);
	pcap_header(&w, 0xa1b2c3d4, 65535, 1);
	pcap_record(&w, 1, 0, 0, 1000, 1000);
	fclose(w.f);
	struct reader r;
	assert_int_equal(ropen(&r, 2, 128), 0);
	expect_frame(&r, 0, 128, 1000, SEC, HAL_LINK_ETHERNET);
	struct hal_port_stats s;
	hal_port_stats(&r.p, &s);
	assert_int_equal(s.rx_truncated, 1);
	rclose(&r);
}

/* The replay port owns a copy of its configuration, on success or not. */
static void test_init_offline(void **state)
{
	(void)state;
	struct hal_port p;
	assert_int_equal(pcap_port_init_offline(&p, path, "replay0"), 0);
	assert_string_equal(p.name, "replay0");
	assert_null(p.zone);
	assert_int_equal(hal_port_open(&p), -ENOENT); /* no file yet: config freed */
	assert_null(p.config);

	struct wr w = wopen(0);
	pcap_header(&w, 0xa1b2c3d4, 65535, 101);
	pcap_record(&w, 3, 0, 0, 20, 20);
	fclose(w.f);
	assert_int_equal(pcap_port_init_offline(&p, path, "replay0"), 0);
	assert_int_equal(hal_port_open(&p), 0);
	struct pktbuf_pool *pool = pktbuf_pool_create(2, 2048);
	p.pool = pool;
	struct pktbuf *b = NULL;
	assert_int_equal(hal_port_rx_burst(&p, &b, 1), 1);
	assert_int_equal(b->link, HAL_LINK_RAW);
	pktbuf_free(pool, b);
	assert_int_equal(hal_port_rx_burst(&p, &b, 1), -ENODATA);
	hal_port_close(&p);
	assert_null(p.data);
	pktbuf_pool_destroy(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_classic_usec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_classic_nsec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pcapng, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_empty_offline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_offline, setup, teardown),
	};
	return cmocka_run_group_tests_name("pcap_port", tests, NULL, NULL);
}
