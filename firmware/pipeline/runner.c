// SPDX-License-Identifier: GPL-2.0-or-later
/* Runner: see runner.h. */
#define _GNU_SOURCE
#include "pipeline/runner.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "core/ring.h"

#define BURST 32

struct wslot {
	struct worker w;
	struct report_out *rep;
	struct ring *in, *back;
	pthread_t th;
	int done; /* atomic: the receiver has no more packets */
};

/* A clock tick travels in the ring as a tagged value (buffers are aligned). */
#define TICK_TAG 1u
static inline void *tick_encode(uint64_t sec) { return (void *)(uintptr_t)((sec << 1) | TICK_TAG); }

static void *worker_main(void *arg)
{
	struct wslot *s = arg;
	for (;;) {
		void *e = ring_pop(s->in);
		if (!e) {
			if (__atomic_load_n(&s->done, __ATOMIC_ACQUIRE)) {
				e = ring_pop(s->in);
				if (!e)
					break;
			} else {
				sched_yield();
				continue;
			}
		}
		if ((uintptr_t)e & TICK_TAG) {
			worker_tick(&s->w, ((uint64_t)(uintptr_t)e >> 1) * 1000000000ull);
			continue;
		}
		struct pktbuf *b = e;
		struct pkt *p = b->meta;
		worker_packet(&s->w, p, (enum decode_result)p->decode_res);
		STATS_ADD(s->w.st.heartbeat, 1);
		while (!ring_push(s->back, b))
			sched_yield();
	}
	worker_finish(&s->w);
	return NULL;
}

static inline enum decode_result decode_buf(struct pktbuf *b, struct stats_block *rx)
{
	struct pkt *p = b->meta;
	p->ts_ns = b->ts_ns;
	p->port = b->port;
	enum decode_result dr = decode_frame(p, b->data, b->len, b->wire_len, b->link, rx);
	p->decode_res = (uint8_t)dr;
	CTR_INC(rx, RX_PACKETS);
	CTR_ADD(rx, RX_BYTES, b->wire_len);
	return dr;
}

int runner_run(const struct runner_cfg *cfg, struct runner_result *res)
{
	const struct board_pools *bp = &cfg->board->pools;
	unsigned nw = cfg->workers ? cfg->workers : 1;
	uint32_t nbuf = cfg->pktbufs ? cfg->pktbufs : bp->pktbufs;
	uint32_t bsize = cfg->pktbuf_size ? cfg->pktbuf_size : bp->pktbuf_size;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (nw > bp->max_workers || nw > 64)
		return -EINVAL;
	if (nbuf < BURST * 2)
		nbuf = BURST * 2;
	struct pktbuf_pool *pool = pktbuf_pool_create(nbuf, bsize);
	struct wslot *ws = calloc(nw, sizeof(*ws));
	struct stats_block *rx = calloc(1, sizeof(*rx));
	/* An array of pointers: sizeof(*blocks) is a pointer's size, as meant. */
	struct stats_block **blocks = calloc(nw + 1, sizeof(*blocks)); // NOLINT(bugprone-sizeof-expression)
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	unsigned started = 0, inited = 0;

	if (!pool || !ws || !rx || !blocks) {
		rc = -ENOMEM;
		goto out;
	}
	cfg->port->pool = pool;
	for (unsigned i = 0; i < nw; i++) {
		struct worker_cfg wc = cfg->wcfg;
		wc.id = (uint8_t)i;
		wc.external_clock = 1;
		wc.gens = cfg->gens;
		if (cfg->report) {
			ws[i].rep = calloc(1, sizeof(*ws[i].rep));
			if (!ws[i].rep) {
				rc = -ENOMEM;
				goto out;
			}
			ws[i].rep->f = cfg->report;
			ws[i].rep->mu = nw > 1 ? &mu : NULL;
		}
		wc.report = ws[i].rep;
		rc = worker_init(&ws[i].w, &wc);
		if (rc)
			goto out;
		inited++;
		blocks[i] = &ws[i].w.st;
		if (nw > 1) {
			ws[i].in = ring_create(bp->ring_size ? bp->ring_size : 1024);
			ws[i].back = ring_create(nbuf);
			if (!ws[i].in || !ws[i].back) {
				rc = -ENOMEM;
				goto out;
			}
		}
	}
	blocks[nw] = rx;

	struct pktbuf *v[BURST];
	uint64_t clock_sec = 0; /* capture time, whole seconds, as ticked */
	if (nw == 1) {
		struct worker *w = &ws[0].w;
		for (;;) {
			int n = hal_port_rx_burst(cfg->port, v, BURST);
			if (n == -ENODATA)
				break;
			if (n < 0) {
				rc = n;
				break;
			}
			for (int i = 0; i < n; i++) {
				enum decode_result dr = decode_buf(v[i], rx);
				uint64_t sec = v[i]->ts_ns / 1000000000ull;
				if (sec > clock_sec) {
					clock_sec = sec;
					worker_tick(w, sec * 1000000000ull);
				}
				worker_packet(w, v[i]->meta, dr);
				pktbuf_free(pool, v[i]);
			}
			STATS_ADD(w->st.heartbeat, 1);
		}
		worker_finish(w);
	} else {
		for (unsigned i = 0; i < nw; i++) {
			if (pthread_create(&ws[i].th, NULL, worker_main, &ws[i]) != 0) {
				rc = -EAGAIN;
				for (unsigned j = 0; j < i; j++)
					__atomic_store_n(&ws[j].done, 1, __ATOMIC_RELEASE);
				break;
			}
			started++;
		}
		while (rc == 0) {
			for (unsigned i = 0; i < nw; i++) {
				struct pktbuf *b;
				while ((b = ring_pop(ws[i].back)))
					pktbuf_free(pool, b);
			}
			int n = hal_port_rx_burst(cfg->port, v, BURST);
			if (n == -ENODATA)
				break;
			if (n < 0) {
				rc = n;
				break;
			}
			if (n == 0) {
				sched_yield();
				continue;
			}
			for (int i = 0; i < n; i++) {
				enum decode_result dr = decode_buf(v[i], rx);
				struct pkt *p = v[i]->meta;
				uint64_t sec = v[i]->ts_ns / 1000000000ull;
				if (sec > clock_sec) {
					clock_sec = sec;
					for (unsigned k = 0; k < nw; k++)
						while (!ring_push(ws[k].in, tick_encode(sec))) {
							struct pktbuf *b;
							while ((b = ring_pop(ws[k].back)))
								pktbuf_free(pool, b);
							sched_yield();
						}
				}
				unsigned target = 0;
				if (dr == DECODE_OK || dr == DECODE_FRAGMENT)
					target = decode_pair_hash(p) % nw;
				while (!ring_push(ws[target].in, v[i])) {
					struct pktbuf *b;
					while ((b = ring_pop(ws[target].back)))
						pktbuf_free(pool, b);
					sched_yield();
				}
			}
		}
		for (unsigned i = 0; i < started; i++)
			__atomic_store_n(&ws[i].done, 1, __ATOMIC_RELEASE);
		for (unsigned i = 0; i < started; i++)
			pthread_join(ws[i].th, NULL);
		for (unsigned i = 0; i < nw; i++) {
			struct pktbuf *b;
			while (ws[i].back && (b = ring_pop(ws[i].back)))
				pktbuf_free(pool, b);
		}
	}
	if (rc < 0)
		snprintf(res->error, sizeof(res->error), "%s", hal_port_error(cfg->port));
	hal_port_stats(cfg->port, &res->port_stats);
	stats_snapshot_take(&res->snap, blocks, nw + 1);
out:
	for (unsigned i = 0; i < nw && ws; i++) {
		if (i < inited)
			worker_fini(&ws[i].w);
		ring_destroy(ws[i].in);
		ring_destroy(ws[i].back);
		free(ws[i].rep);
	}
	cfg->port->pool = NULL;
	pktbuf_pool_destroy(pool);
	free(ws);
	free(rx);
	free(blocks);
	return rc;
}
