// SPDX-License-Identifier: GPL-2.0-or-later
/* sim port: see sim_port.h. */
#include "sim_port.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct sim_frame {
	uint32_t len;
	uint64_t ts_ns;
};

struct sim_port_data {
	uint8_t *rx, *tx;
	struct sim_frame *rxf, *txf;
	uint32_t rx_head, rx_tail, tx_n;
	int ended, up;
	struct hal_port_stats st;
};

static int sim_open(struct hal_port *p)
{
	const struct sim_port_cfg *c = p->config;
	if (!c || c->queue_len == 0 || c->frame_max == 0)
		return -EINVAL;
	struct sim_port_data *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->rx = calloc(c->queue_len, c->frame_max);
	d->tx = calloc(c->queue_len, c->frame_max);
	d->rxf = calloc(c->queue_len, sizeof(*d->rxf));
	d->txf = calloc(c->queue_len, sizeof(*d->txf));
	if (!d->rx || !d->tx || !d->rxf || !d->txf) {
		free(d->rx); free(d->tx); free(d->rxf); free(d->txf); free(d);
		return -ENOMEM;
	}
	d->up = 1;
	p->data = d;
	return 0;
}

int sim_port_inject(struct hal_port *p, const void *frame, size_t len, uint64_t ts_ns)
{
	const struct sim_port_cfg *c = p->config;
	struct sim_port_data *d = p->data;
	if (len > c->frame_max)
		return -EMSGSIZE;
	if (d->rx_tail - d->rx_head >= c->queue_len)
		return -ENOSPC;
	uint32_t slot = d->rx_tail % c->queue_len;
	memcpy(d->rx + (size_t)slot * c->frame_max, frame, len);
	d->rxf[slot].len = (uint32_t)len;
	d->rxf[slot].ts_ns = ts_ns;
	d->rx_tail++;
	return 0;
}

void sim_port_end(struct hal_port *p) { ((struct sim_port_data *)p->data)->ended = 1; }

static int sim_rx(struct hal_port *p, struct pktbuf **v, unsigned max)
{
	const struct sim_port_cfg *c = p->config;
	struct sim_port_data *d = p->data;
	unsigned n = 0;
	while (n < max && d->rx_head != d->rx_tail) {
		struct pktbuf *b = pktbuf_alloc(p->pool);
		if (!b) {
			d->st.rx_nobuf++;
			d->rx_head++;
			continue;
		}
		uint32_t slot = d->rx_head % c->queue_len;
		uint32_t len = d->rxf[slot].len;
		uint32_t room = pktbuf_pool_data_size(p->pool);
		if (len > room) {
			d->st.rx_truncated++;
			len = room;
		}
		memcpy(b->data, d->rx + (size_t)slot * c->frame_max, len);
		b->len = len;
		b->wire_len = d->rxf[slot].len;
		b->ts_ns = d->rxf[slot].ts_ns;
		b->port = p->index;
		b->link = c->link;
		d->rx_head++;
		d->st.rx_packets++;
		d->st.rx_bytes += b->wire_len;
		v[n++] = b;
	}
	if (n == 0 && d->ended)
		return -ENODATA;
	return (int)n;
}

static int sim_tx(struct hal_port *p, struct pktbuf **v, unsigned n)
{
	const struct sim_port_cfg *c = p->config;
	struct sim_port_data *d = p->data;
	unsigned i;
	for (i = 0; i < n && d->tx_n < c->queue_len; i++) {
		uint32_t len = v[i]->len > c->frame_max ? c->frame_max : v[i]->len;
		memcpy(d->tx + (size_t)d->tx_n * c->frame_max, v[i]->data, len);
		d->txf[d->tx_n].len = len;
		d->txf[d->tx_n].ts_ns = v[i]->ts_ns;
		d->tx_n++;
		d->st.tx_packets++;
		d->st.tx_bytes += len;
		pktbuf_free(p->pool, v[i]);
	}
	d->st.tx_errors += n - i;
	return (int)i;
}

unsigned sim_port_tx_count(const struct hal_port *p) { return ((struct sim_port_data *)p->data)->tx_n; }

const uint8_t *sim_port_tx_frame(const struct hal_port *p, unsigned i, size_t *len)
{
	const struct sim_port_cfg *c = p->config;
	const struct sim_port_data *d = p->data;
	if (i >= d->tx_n)
		return NULL;
	*len = d->txf[i].len;
	return d->tx + (size_t)i * c->frame_max;
}

void sim_port_set_link(struct hal_port *p, int up) { ((struct sim_port_data *)p->data)->up = up; }

static int sim_stats(const struct hal_port *p, struct hal_port_stats *out)
{
	const struct sim_port_data *d = p->data;
	if (!d)
		return -ENODEV;
	*out = d->st;
	return 0;
}

static int sim_link(const struct hal_port *p, struct hal_link_state *out)
{
	const struct sim_port_data *d = p->data;
	out->up = d && d->up;
	out->speed_mbps = 10000;
	return 0;
}

static void sim_close(struct hal_port *p)
{
	struct sim_port_data *d = p->data;
	if (!d)
		return;
	free(d->rx); free(d->tx); free(d->rxf); free(d->txf); free(d);
	p->data = NULL;
}

const struct hal_port_ops sim_port_ops = {
	.driver = "sim",
	.open = sim_open,
	.rx_burst = sim_rx,
	.tx_burst = sim_tx,
	.stats = sim_stats,
	.link = sim_link,
	.pollfd = NULL,
	.close = sim_close,
};
