// SPDX-License-Identifier: GPL-2.0-or-later
/* libpcap port driver: see pcap_port.h for the contract. */
#include "pcap_port.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

struct pcap_port_data {
	pcap_t *pc;
	int dlt;
	uint8_t link;
	bool eof;
	bool failed;
	bool pending; /* offline: a frame read but not yet copied (pool empty) */
	struct pcap_pkthdr *ph;
	const u_char *pdata;
	struct hal_port_stats st;
	struct pcap_port_cfg *owned_cfg;
	char *owned_path;
};

static uint8_t link_from_dlt(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB: return HAL_LINK_ETHERNET;
	case DLT_LINUX_SLL: return HAL_LINK_SLL;
	case DLT_LINUX_SLL2: return HAL_LINK_SLL2;
	case DLT_RAW:
#ifdef DLT_RAW_ALT
	case DLT_RAW_ALT:
#endif
		return HAL_LINK_RAW;
	case DLT_IPV4: return HAL_LINK_IPV4;
	case DLT_IPV6: return HAL_LINK_IPV6;
	case DLT_NULL: return HAL_LINK_NULL;
	case DLT_LOOP: return HAL_LINK_LOOP;
	case DLT_PPP: return HAL_LINK_PPP;
	case DLT_C_HDLC: return HAL_LINK_CHDLC;
	case DLT_PPI: return HAL_LINK_PPI;
	case DLT_IEEE802_11_RADIO: return HAL_LINK_RADIOTAP;
	default: return HAL_LINK_UNSUPPORTED;
	}
}

/*
 * Capture time in ns. Nanosecond precision was requested, so tv_usec holds
 * ns. A classic pcap's 32-bit seconds reach us signed (negative after 2038)
 * and pcapng may say anything: read negative seconds as unsigned 32-bit,
 * clamp at 2^33 s (year 2242), so the sum never wraps.
 */
static uint64_t ts_ns_of(const struct timeval *tv)
{
	uint64_t sec = tv->tv_sec < 0 ? (uint64_t)(uint32_t)tv->tv_sec : (uint64_t)tv->tv_sec;
	if (sec > (1ull << 33))
		sec = 1ull << 33;
	uint64_t frac = tv->tv_usec < 0 ? 0 : (uint64_t)tv->tv_usec;
	if (frac > 999999999ull)
		frac = 999999999ull;
	return sec * 1000000000ull + frac;
}

static int errno_from_text(const char *t)
{
	if (strstr(t, "No such file") || strstr(t, "No such device") || strstr(t, "doesn't exist"))
		return -ENOENT;
	if (strstr(t, "ermission") || strstr(t, "not permitted"))
		return -EPERM;
	if (strstr(t, "unknown file format") || strstr(t, "bad dump file") ||
	    strstr(t, "truncated") || strstr(t, "invalid") || strstr(t, "too big"))
		return -EINVAL;
	return -EIO;
}

static int pcap_open_port(struct hal_port *p)
{
	const struct pcap_port_cfg *cfg = p->config;
	char err[PCAP_ERRBUF_SIZE] = "";
	struct pcap_port_data *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	if (!cfg || !cfg->source) {
		free(d);
		snprintf(p->error, sizeof(p->error), "no capture source configured");
		return -EINVAL;
	}
	if (cfg->offline) {
		d->pc = pcap_open_offline_with_tstamp_precision(cfg->source,
								PCAP_TSTAMP_PRECISION_NANO, err);
	} else {
		d->pc = pcap_create(cfg->source, err);
		if (d->pc) {
			pcap_set_snaplen(d->pc, cfg->snaplen ? (int)cfg->snaplen : 65535);
			pcap_set_promisc(d->pc, cfg->promisc);
			pcap_set_immediate_mode(d->pc, 1);
			pcap_set_tstamp_precision(d->pc, PCAP_TSTAMP_PRECISION_NANO);
			if (cfg->buffer_bytes)
				pcap_set_buffer_size(d->pc, (int)cfg->buffer_bytes);
			int rc = pcap_activate(d->pc);
			if (rc < 0) {
				snprintf(err, sizeof(err), "%s", pcap_geterr(d->pc));
				if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
					snprintf(err, sizeof(err), "%s: No such device", cfg->source);
				if (rc == PCAP_ERROR_PERM_DENIED)
					snprintf(err, sizeof(err), "%s: Operation not permitted",
						 cfg->source);
				pcap_close(d->pc);
				d->pc = NULL;
			} else if (pcap_setnonblock(d->pc, 1, err) < 0) {
				pcap_close(d->pc);
				d->pc = NULL;
			}
		}
	}
	if (!d->pc) {
		snprintf(p->error, sizeof(p->error), "%s", err);
		free(d);
		return errno_from_text(err);
	}
	d->dlt = pcap_datalink(d->pc);
	d->link = link_from_dlt(d->dlt);
	p->data = d;
	return 0;
}

static int pcap_rx_burst(struct hal_port *p, struct pktbuf **v, unsigned max)
{
	struct pcap_port_data *d = p->data;
	const struct pcap_port_cfg *cfg = p->config;
	unsigned n = 0;

	if (d->failed)
		return -EIO;
	if (d->eof)
		return -ENODATA;
	while (n < max) {
		if (!d->pending) {
			int rc = pcap_next_ex(d->pc, &d->ph, &d->pdata);
			if (rc == 0)
				break; /* live: nothing now */
			if (rc == PCAP_ERROR_BREAK) {
				d->eof = true;
				break;
			}
			if (rc < 0) {
				snprintf(p->error, sizeof(p->error), "%s", pcap_geterr(d->pc));
				d->failed = true;
				d->st.rx_errors++;
				break;
			}
			d->pending = true;
		}
		struct pktbuf *b = pktbuf_alloc(p->pool);
		if (!b) {
			if (cfg->offline)
				break; /* keep the frame for the next call */
			d->pending = false;
			d->st.rx_nobuf++;
			continue;
		}
		uint32_t cap = d->ph->caplen;
		uint32_t room = pktbuf_pool_data_size(p->pool);
		if (cap > room) {
			cap = room;
			d->st.rx_truncated++;
		} else if (d->ph->caplen < d->ph->len) {
			d->st.rx_truncated++;
		}
		memcpy(b->data, d->pdata, cap);
		b->len = cap;
		b->wire_len = d->ph->len > cap ? d->ph->len : cap;
		b->ts_ns = ts_ns_of(&d->ph->ts);
		b->port = p->index;
		b->link = d->link;
		d->pending = false;
		d->st.rx_packets++;
		d->st.rx_bytes += b->wire_len;
		v[n++] = b;
	}
	if (n == 0 && d->failed)
		return -EIO;
	if (n == 0 && d->eof)
		return -ENODATA;
	return (int)n;
}

static int pcap_stats_port(const struct hal_port *p, struct hal_port_stats *out)
{
	const struct pcap_port_data *d = p->data;
	const struct pcap_port_cfg *cfg = p->config;

	if (!d)
		return -ENODEV;
	*out = d->st;
	if (!cfg->offline) {
		struct pcap_stat ps;
		if (pcap_stats(d->pc, &ps) == 0)
			out->rx_kernel_drop = ps.ps_drop + ps.ps_ifdrop;
	}
	return 0;
}

/* One line of a sysfs attribute of interface @ifn into @buf; 0 or -errno. */
static int sysfs_net(const char *ifn, const char *attr, char *buf, size_t n)
{
	char path[128];
	if (snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifn, attr) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	char *r = fgets(buf, (int)n, f);
	fclose(f);
	if (!r)
		return -EIO;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/*
 * A live port: the interface's operational state and speed as the kernel
 * reports them (whether or not we capture on it: inline mode never opens the
 * board's ports). A capture file: up while it is open.
 */
static int pcap_link_port(const struct hal_port *p, struct hal_link_state *out)
{
	const struct pcap_port_cfg *cfg = p->config;
	out->speed_mbps = 0;
	const char *ifn = p->ifname ? p->ifname : cfg && !cfg->offline ? cfg->source : NULL;
	if (!ifn || (cfg && cfg->offline)) {
		out->up = p->data != NULL;
		return 0;
	}
	char v[32];
	int rc = sysfs_net(ifn, "operstate", v, sizeof(v));
	if (rc)
		return rc; /* no such interface (here) */
	out->up = strcmp(v, "up") == 0 || strcmp(v, "unknown") == 0; /* unknown: no carrier notion (lo, tun) */
	char *end;
	if (sysfs_net(ifn, "speed", v, sizeof(v)) == 0) {
		long sp = strtol(v, &end, 10);
		if (*end == 0 && sp > 0)
			out->speed_mbps = (uint64_t)sp;
	}
	return 0;
}

static int pcap_pollfd(const struct hal_port *p)
{
	const struct pcap_port_data *d = p->data;
	const struct pcap_port_cfg *cfg = p->config;
	if (!d || cfg->offline)
		return -1;
	return pcap_get_selectable_fd(d->pc);
}

static void pcap_close_port(struct hal_port *p)
{
	struct pcap_port_data *d = p->data;
	if (!d)
		return;
	if (d->pc)
		pcap_close(d->pc);
	if (d->owned_cfg) {
		free(d->owned_path);
		free(d->owned_cfg);
		p->config = NULL;
	}
	free(d);
	p->data = NULL;
}

const char *pcap_port_link_name(const struct hal_port *p)
{
	const struct pcap_port_data *d = p->data;
	const char *n = d ? pcap_datalink_val_to_name(d->dlt) : NULL;
	return n ? n : "unknown";
}

const struct hal_port_ops pcap_port_ops = {
	.driver = "pcap",
	.open = pcap_open_port,
	.rx_burst = pcap_rx_burst,
	.tx_burst = NULL,
	.stats = pcap_stats_port,
	.link = pcap_link_port,
	.pollfd = pcap_pollfd,
	.close = pcap_close_port,
};

/* The config of a replay port lives as long as the port: open() adopts it. */
static int pcap_open_owned(struct hal_port *p)
{
	struct pcap_port_cfg *cfg = (struct pcap_port_cfg *)p->config;
	int rc = pcap_open_port(p);
	if (rc < 0) {
		free((char *)cfg->source);
		free(cfg);
		p->config = NULL;
		return rc;
	}
	struct pcap_port_data *d = p->data;
	d->owned_cfg = cfg;
	d->owned_path = (char *)cfg->source;
	return 0;
}

static const struct hal_port_ops pcap_owned_ops = {
	.driver = "pcap",
	.open = pcap_open_owned,
	.rx_burst = pcap_rx_burst,
	.stats = pcap_stats_port,
	.link = pcap_link_port,
	.pollfd = pcap_pollfd,
	.close = pcap_close_port,
};

int pcap_port_init_offline(struct hal_port *out, const char *path, const char *name)
{
	struct pcap_port_cfg *cfg = calloc(1, sizeof(*cfg));
	char *src = path ? strdup(path) : NULL;
	if (!cfg || !src) {
		free(cfg);
		free(src);
		return -ENOMEM;
	}
	cfg->source = src;
	cfg->offline = true;
	memset(out, 0, sizeof(*out));
	out->name = name;
	out->zone = NULL;
	out->ops = &pcap_owned_ops;
	out->config = cfg;
	return 0;
}
