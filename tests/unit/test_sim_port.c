// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the sim port driver (drivers/sim): inject, rx, tx, end. */
#include <errno.h>
#include <stdlib.h>

#include "test_util.h"

#include "segw/hal/port.h"
#include "sim/sim_port.h"

static const struct sim_port_cfg cfg = { .queue_len = 4, .frame_max = 128,
					 .link = HAL_LINK_ETHERNET };

static void open_port(struct hal_port *p, struct pktbuf_pool *pool, uint16_t index)
{
	memset(p, 0, sizeof(*p));
	p->name = "sim0";
	p->ops = &sim_port_ops;
	p->config = &cfg;
	p->pool = pool;
	p->index = index;
	assert_int_equal(hal_port_open(p), 0);
}

static void frame(uint8_t *f, size_t n, uint8_t tag)
{
	for (size_t i = 0; i < n; i++)
		f[i] = (uint8_t)(tag + i);
}

static void test_rx_in_order(void **state)
{
	(void)state;
	struct pktbuf_pool *pool = pktbuf_pool_create(8, 256);
	struct hal_port p;
	open_port(&p, pool, 3);
	uint8_t f[128];
	for (int i = 0; i < 3; i++) {
		frame(f, 60 + (size_t)i, (uint8_t)(i * 16));
		assert_int_equal(sim_port_inject(&p, f, 60 + (size_t)i, 1000 + (uint64_t)i), 0);
	}
	struct pktbuf *v[8];
	assert_int_equal(hal_port_rx_burst(&p, v, 2), 2); /* at most max */
	assert_int_equal(hal_port_rx_burst(&p, v + 2, 8), 1);
	for (int i = 0; i < 3; i++) {
		frame(f, 60 + (size_t)i, (uint8_t)(i * 16));
		assert_int_equal(v[i]->len, 60 + i);
		assert_int_equal(v[i]->wire_len, 60 + i);
		assert_memory_equal(v[i]->data, f, 60 + (size_t)i);
		assert_int_equal(v[i]->ts_ns, 1000 + i);
		assert_int_equal(v[i]->port, 3);
		assert_int_equal(v[i]->link, HAL_LINK_ETHERNET);
		pktbuf_free(pool, v[i]);
	}
	/* nothing waiting, not ended: 0; ended: -ENODATA */
	assert_int_equal(hal_port_rx_burst(&p, v, 8), 0);
	sim_port_end(&p);
	assert_int_equal(hal_port_rx_burst(&p, v, 8), -ENODATA);

	struct hal_port_stats s;
	assert_int_equal(hal_port_stats(&p, &s), 0);
	assert_int_equal(s.rx_packets, 3);
	assert_int_equal(s.rx_bytes, 60 + 61 + 62);
	assert_int_equal(s.rx_nobuf, 0);
	assert_int_equal(hal_port_pollfd(&p), -1);
	hal_port_close(&p);
	assert_null(p.data);
	pktbuf_pool_destroy(pool);
}

static void test_limits(void **state)
{
	(void)state;
	struct pktbuf_pool *pool = pktbuf_pool_create(8, 256);
	struct hal_port p;
	open_port(&p, pool, 0);
	uint8_t f[200] = { 0 };
	assert_int_equal(sim_port_inject(&p, f, 129, 0), -EMSGSIZE);
	for (int i = 0; i < 4; i++)
		assert_int_equal(sim_port_inject(&p, f, 64, 0), 0);
	assert_int_equal(sim_port_inject(&p, f, 64, 0), -ENOSPC);
	struct pktbuf *v[8];
	assert_int_equal(hal_port_rx_burst(&p, v, 8), 4);
	for (int i = 0; i < 4; i++)
		pktbuf_free(pool, v[i]);
	/* room again once drained; the queue wraps around */
	for (int i = 0; i < 4; i++)
		assert_int_equal(sim_port_inject(&p, f, 64, 0), 0);
	assert_int_equal(hal_port_rx_burst(&p, v, 8), 4);
	for (int i = 0; i < 4; i++)
		pktbuf_free(pool, v[i]);
	hal_port_close(&p);
	pktbuf_pool_destroy(pool);

	/* bad configurations are refused */
	static const struct sim_port_cfg zero = { .queue_len = 0, .frame_max = 64 };
	struct hal_port q = { .ops = &sim_port_ops, .config = &zero };
	assert_int_equal(hal_port_open(&q), -EINVAL);
	q.config = NULL;
	assert_int_equal(hal_port_open(&q), -EINVAL);
	struct hal_port_stats s;
	assert_int_equal(hal_port_stats(&q, &s), -ENODEV);
}

/* An empty pool drops the frame and counts rx_nobuf; a small buffer
 * truncates it and counts rx_truncated. */
static void test_pool_empty_and_truncation(void **state)
{
	(void)state;
	struct pktbuf_pool *pool = pktbuf_pool_create(2, 64);
	struct hal_port p;
	open_port(&p, pool, 0);
	uint8_t f[100];
	frame(f, sizeof(f), 1);
	assert_int_equal(sim_port_inject(&p, f, 100, 1), 0);
	assert_int_equal(sim_port_inject(&p, f, 60, 2), 0);
	assert_int_equal(sim_port_inject(&p, f, 60, 3), 0);
	struct pktbuf *v[8];
	assert_int_equal(hal_port_rx_burst(&p, v, 8), 2);
	assert_int_equal(v[0]->len, 64);
	assert_int_equal(v[0]->wire_len, 100);
	assert_memory_equal(v[0]->data, f, 64);
	assert_int_equal(v[1]->ts_ns, 2);
	struct hal_port_stats s;
	hal_port_stats(&p, &s);
	assert_int_equal(s.rx_nobuf, 1);
	assert_int_equal(s.rx_truncated, 1);
	assert_int_equal(s.rx_packets, 2);
	assert_int_equal(pktbuf_pool_avail(pool), 0);
	/* the dropped frame is gone, not delivered later */
	pktbuf_free(pool, v[0]);
	pktbuf_free(pool, v[1]);
	assert_int_equal(hal_port_rx_burst(&p, v, 8), 0);
	hal_port_close(&p);
	pktbuf_pool_destroy(pool);
}

static void test_tx_and_link(void **state)
{
	(void)state;
	struct pktbuf_pool *pool = pktbuf_pool_create(8, 256);
	struct hal_port p;
	open_port(&p, pool, 0);
	struct pktbuf *v[6];
	for (int i = 0; i < 6; i++) {
		v[i] = pktbuf_alloc(pool);
		assert_non_null(v[i]);
		frame(v[i]->data, 70, (uint8_t)(i * 3));
		v[i]->len = 70;
	}
	/* queue_len 4: the port takes 4 (and owns them), refuses 2 */
	assert_int_equal(hal_port_tx_burst(&p, v, 6), 4);
	assert_int_equal(pktbuf_pool_avail(pool), 8 - 2);
	assert_int_equal(sim_port_tx_count(&p), 4);
	uint8_t want[70];
	for (unsigned i = 0; i < 4; i++) {
		size_t len = 0;
		const uint8_t *t = sim_port_tx_frame(&p, i, &len);
		assert_non_null(t);
		assert_int_equal(len, 70);
		frame(want, 70, (uint8_t)(i * 3));
		assert_memory_equal(t, want, 70);
	}
	size_t len;
	assert_null(sim_port_tx_frame(&p, 4, &len));
	struct hal_port_stats s;
	hal_port_stats(&p, &s);
	assert_int_equal(s.tx_packets, 4);
	assert_int_equal(s.tx_bytes, 280);
	assert_int_equal(s.tx_errors, 2);
	pktbuf_free(pool, v[4]);
	pktbuf_free(pool, v[5]);

	struct hal_link_state ls;
	assert_int_equal(hal_port_link(&p, &ls), 0);
	assert_true(ls.up);
	sim_port_set_link(&p, 0);
	hal_port_link(&p, &ls);
	assert_false(ls.up);
	hal_port_close(&p);
	pktbuf_pool_destroy(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rx_in_order),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_pool_empty_and_truncation),
		cmocka_unit_test(test_tx_and_link),
	};
	return cmocka_run_group_tests_name("sim_port", tests, NULL, NULL);
}
