// SPDX-License-Identifier: GPL-2.0-or-later
/* NFQUEUE port: see nfq_port.h. */
#define _GNU_SOURCE
#include "nfq_port.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_IF 64

struct nfq_data_s {
	struct nfq_handle *h;
	struct nfq_q_handle *qh;
	int fd;
	struct hal_port *port;
	/* the burst being filled by the callback */
	struct pktbuf **v;
	unsigned n, max;
	unsigned ifindex[MAX_IF];
	struct hal_port_stats st;
	char buf[65536 + 4096];
};

static uint16_t port_of(struct nfq_data_s *d, const struct nfq_port_cfg *c, unsigned ifindex)
{
	for (unsigned i = 0; i < c->n_ifnames && i < MAX_IF; i++)
		if (d->ifindex[i] && d->ifindex[i] == ifindex)
			return (uint16_t)i;
	return 0xffff;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
		     void *arg)
{
	(void)qh;
	(void)msg;
	struct nfq_data_s *d = arg;
	struct hal_port *p = d->port;
	const struct nfq_port_cfg *c = p->config;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	if (!ph)
		return 0;
	uint32_t id = ntohl(ph->packet_id);
	unsigned char *data;
	int len = nfq_get_payload(nfa, &data);
	/* no pool: the pipeline has stopped (packets still queued at close) */
	struct pktbuf *b = p->pool && d->n < d->max ? pktbuf_alloc(p->pool) : NULL;
	if (!b || len < 0) {
		/* no buffer: decide now by the overload policy, count it */
		d->st.rx_nobuf++;
		nfq_set_verdict(d->qh, id, c->fail_open ? NF_ACCEPT : NF_DROP, 0, NULL);
		if (b)
			pktbuf_free(p->pool, b);
		return 0;
	}
	uint32_t room = pktbuf_pool_data_size(p->pool);
	uint32_t cap = (uint32_t)len > room ? room : (uint32_t)len;
	if (cap < (uint32_t)len)
		d->st.rx_truncated++;
	memcpy(b->data, data, cap);
	b->len = cap;
	b->wire_len = (uint32_t)len;
	struct timeval tv;
	if (nfq_get_timestamp(nfa, &tv) == 0 && tv.tv_sec) {
		b->ts_ns = (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000ull;
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		b->ts_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	}
	uint16_t port = port_of(d, c, nfq_get_indev(nfa));
	b->port = port == 0xffff ? p->index : port;
	b->link = HAL_LINK_RAW;
	b->cookie = id;
	d->st.rx_packets++;
	d->st.rx_bytes += (uint32_t)len;
	d->v[d->n++] = b;
	return 0;
}

static int nfq_open_port(struct hal_port *p)
{
	const struct nfq_port_cfg *c = p->config;
	struct nfq_data_s *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->port = p;
	for (unsigned i = 0; i < c->n_ifnames && i < MAX_IF; i++)
		d->ifindex[i] = c->ifnames[i] ? if_nametoindex(c->ifnames[i]) : 0;
	d->h = nfq_open();
	if (!d->h) {
		snprintf(p->error, sizeof(p->error), "nfq_open: %s", strerror(errno));
		free(d);
		return -EPERM;
	}
	d->qh = nfq_create_queue(d->h, c->queue_num, on_packet, d);
	if (!d->qh) {
		snprintf(p->error, sizeof(p->error), "queue %u: %s (in use, or no permission)",
			 c->queue_num, strerror(errno));
		nfq_close(d->h);
		free(d);
		return -EBUSY;
	}
	nfq_set_mode(d->qh, NFQNL_COPY_PACKET, 0xffff);
	nfq_set_queue_maxlen(d->qh, c->queue_maxlen ? c->queue_maxlen : 4096);
	nfq_set_queue_flags(d->qh, NFQA_CFG_F_FAIL_OPEN, c->fail_open ? NFQA_CFG_F_FAIL_OPEN : 0);
	d->fd = nfq_fd(d->h);
	int sz = 8 << 20;
	setsockopt(d->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	fcntl(d->fd, F_SETFL, fcntl(d->fd, F_GETFL) | O_NONBLOCK);
	p->data = d;
	return 0;
}

static int nfq_rx(struct hal_port *p, struct pktbuf **v, unsigned max)
{
	struct nfq_data_s *d = p->data;
	d->v = v;
	d->n = 0;
	d->max = max;
	while (d->n < max) {
		ssize_t r = recv(d->fd, d->buf, sizeof(d->buf), 0);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			if (errno == ENOBUFS) { /* the kernel could not hand us messages */
				d->st.rx_kernel_drop++;
				continue;
			}
			snprintf(p->error, sizeof(p->error), "queue recv: %s", strerror(errno));
			d->st.rx_errors++;
			return -EIO;
		}
		nfq_handle_packet(d->h, d->buf, (int)r);
	}
	return (int)d->n;
}

static int nfq_verdict(struct hal_port *p, const struct pktbuf *b, int accept, uint32_t mark)
{
	struct nfq_data_s *d = p->data;
	int rc;
	if (mark)
		rc = nfq_set_verdict2(d->qh, b->cookie, NF_REPEAT, mark, 0, NULL);
	else
		rc = nfq_set_verdict(d->qh, b->cookie, accept ? NF_ACCEPT : NF_DROP, 0, NULL);
	if (rc < 0) {
		d->st.tx_errors++;
		return -EIO;
	}
	if (accept) {
		d->st.tx_packets++;
		d->st.tx_bytes += b->wire_len;
	}
	return 0;
}

/*
 * The kernel's own count of what it could not queue to us (queue full:
 * accepted or dropped by the fail-open/closed choice; or our socket full),
 * from /proc/net/netfilter/nfnetlink_queue: "queue portid total mode range
 * queue_dropped user_dropped id_sequence 1".
 */
static uint64_t kernel_queue_drops(uint16_t num)
{
	FILE *f = fopen("/proc/net/netfilter/nfnetlink_queue", "r");
	uint64_t drops = 0;
	if (!f)
		return 0;
	char line[256];
	while (fgets(line, sizeof(line), f)) {
		/* Fields 0 (queue) and 5, 6 (queue_dropped, user_dropped). */
		unsigned long long v[7];
		char *s = line, *end;
		int n = 0;
		for (; n < 7; n++, s = end) {
			errno = 0;
			v[n] = strtoull(s, &end, 10);
			if (end == s || errno)
				break;
		}
		if (n == 7 && v[0] == num)
			drops = v[5] + v[6];
	}
	fclose(f);
	return drops;
}

static int nfq_stats(const struct hal_port *p, struct hal_port_stats *out)
{
	const struct nfq_data_s *d = p->data;
	const struct nfq_port_cfg *c = p->config;
	if (!d)
		return -ENODEV;
	*out = d->st;
	out->rx_kernel_drop += kernel_queue_drops(c->queue_num);
	return 0;
}

static int nfq_pollfd(const struct hal_port *p)
{
	const struct nfq_data_s *d = p->data;
	return d ? d->fd : -1;
}

static void nfq_close_port(struct hal_port *p)
{
	struct nfq_data_s *d = p->data;
	if (!d)
		return;
	nfq_destroy_queue(d->qh);
	nfq_close(d->h);
	free(d);
	p->data = NULL;
}

const struct hal_port_ops nfq_port_ops = {
	.driver = "nfqueue",
	.open = nfq_open_port,
	.rx_burst = nfq_rx,
	.stats = nfq_stats,
	.pollfd = nfq_pollfd,
	.close = nfq_close_port,
	.verdict = nfq_verdict,
};
