// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * more_eval: offline harness for the detectors of detectors_more.h.
 *
 * Reads captures with libpcap, splits them into bidirectional flows (the
 * sender of a flow's first packet is the client), runs every detector of
 * DPI_MORE_DETECTORS on the first packets of each flow as the engine would
 * (until FOUND or NOT_MINE), and prints one line per flow:
 *     <file> <TCP|UDP|ICMP|..> <client ip:port> <server ip:port> <app name>
 * compare.py matches these lines with nDPI's .out files. A host tool for
 * measuring accuracy; not part of the firmware. Allocates freely.
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpi/detectors_more.h"

static const struct dpi_detector *const dets[] = {DPI_MORE_DETECTORS};
#define NDET   (sizeof(dets) / sizeof(dets[0]))
#define MAXPKT 24

static const char *const app_names[] = {
#define X(id, name) name,
    DPI_APPS(X)
#undef X
};

struct flowent {
	int used;
	uint8_t fam, l4;
	uint8_t cip[16], sip[16];
	uint16_t cport, sport;
	uint32_t npkt;
	uint8_t done[NDET];
	uint8_t scratch[NDET][DPI_SCRATCH];
	struct dpi_facts facts;
	const char *found;
};

#define NFLOWS (1u << 16)
static struct flowent *flows;
static unsigned nflows;
static uint16_t dump_port;

static unsigned hashkey(const uint8_t *a, const uint8_t *b, uint16_t pa, uint16_t pb, uint8_t l4)
{
	unsigned h = l4 * 31u + (unsigned)(pa ^ pb);
	for (int i = 0; i < 16; i++)
		h = h * 131u + (a[i] ^ b[i]);
	return h;
}

static struct flowent *lookup(uint8_t fam, uint8_t l4, const uint8_t *src, const uint8_t *dst,
                              uint16_t sp, uint16_t dp, int *dir)
{
	unsigned h = hashkey(src, dst, sp, dp, l4) & (NFLOWS - 1);
	for (unsigned n = 0; n < NFLOWS; n++, h = (h + 1) & (NFLOWS - 1)) {
		struct flowent *f = &flows[h];
		if (!f->used) {
			f->used = 1;
			f->fam = fam;
			f->l4 = l4;
			memcpy(f->cip, src, 16);
			memcpy(f->sip, dst, 16);
			f->cport = sp;
			f->sport = dp;
			nflows++;
			*dir = 0;
			return f;
		}
		if (f->l4 != l4)
			continue;
		if (!memcmp(f->cip, src, 16) && !memcmp(f->sip, dst, 16) && f->cport == sp &&
		    f->sport == dp) {
			*dir = 0;
			return f;
		}
		if (!memcmp(f->cip, dst, 16) && !memcmp(f->sip, src, 16) && f->cport == dp &&
		    f->sport == sp) {
			*dir = 1;
			return f;
		}
	}
	return NULL;
}

static void feed(struct flowent *f, int dir, const uint8_t *pl, uint32_t len)
{
	if (f->found || f->npkt >= MAXPKT)
		return;
	if (dump_port && (f->cport == dump_port || f->sport == dump_port) &&
	    (!getenv("DUMPIP") || f->sip[3] == atoi(getenv("DUMPIP")))) {
		fprintf(stderr, "%u %u->%u #%u d%d len %u:", f->l4, f->cport, f->sport, f->npkt,
		        dir, len);
		for (uint32_t k = 0; k < len && k < 64; k++)
			fprintf(stderr, " %02x", pl[k]);
		fprintf(stderr, " |");
		for (uint32_t k = 0; k < len && k < 64; k++)
			fputc(pl[k] >= 32 && pl[k] < 127 ? pl[k] : '.', stderr);
		fputc('\n', stderr);
	}
	struct dpi_pkt p = {.payload = len ? pl : NULL,
	                    .len = len,
	                    .dir = (uint8_t)dir,
	                    .l4proto = f->l4,
	                    .client_port = f->cport,
	                    .server_port = f->sport,
	                    .index = f->npkt++};
	uint8_t m = f->l4 == 6 ? DPI_L4_TCP : f->l4 == 17 ? DPI_L4_UDP : DPI_L4_OTHER;
	for (unsigned i = 0; i < NDET; i++) {
		if (f->done[i] || !(dets[i]->l4_mask & m) || (dets[i]->needs_payload && !len))
			continue;
		struct dpi_ctx c = {.facts = &f->facts, .scratch = f->scratch[i], .stream = NULL};
		enum dpi_verdict v = dets[i]->probe(&c, &p);
		if (v == DPI_NOT_MINE)
			f->done[i] = 1;
		else if (v == DPI_FOUND) {
			f->found = f->facts.app < DPI_APP__COUNT ? app_names[f->facts.app] : "BAD";
			return;
		}
	}
}

static void l4(uint8_t fam, uint8_t proto, const uint8_t *src, const uint8_t *dst, const uint8_t *d,
               uint32_t len)
{
	uint16_t sp = 0, dp = 0;
	const uint8_t *pl = d;
	uint32_t pll = len;
	if (proto == 6) {
		if (len < 20)
			return;
		uint32_t off = (d[12] >> 4) * 4u;
		if (off < 20 || off > len)
			return;
		sp = (uint16_t)(d[0] << 8 | d[1]);
		dp = (uint16_t)(d[2] << 8 | d[3]);
		pl = d + off;
		pll = len - off;
		if (!pll) { /* create the flow (SYN decides the client), feed nothing */
			int dir0;
			if ((d[13] & 0x12) == 0x12) /* SYN+ACK: the sender is the server */
				(void)lookup(fam, proto, dst, src, dp, sp, &dir0);
			else
				(void)lookup(fam, proto, src, dst, sp, dp, &dir0);
			return;
		}
	} else if (proto == 17) {
		if (len < 8)
			return;
		sp = (uint16_t)(d[0] << 8 | d[1]);
		dp = (uint16_t)(d[2] << 8 | d[3]);
		pl = d + 8;
		pll = len - 8;
	}
	int dir;
	struct flowent *f = lookup(fam, proto, src, dst, sp, dp, &dir);
	if (f)
		feed(f, dir, pl, pll);
}

static void ip(const uint8_t *d, uint32_t len)
{
	uint8_t src[16] = {0}, dst[16] = {0};
	if (len < 1)
		return;
	if ((d[0] >> 4) == 4) {
		if (len < 20)
			return;
		uint32_t hl = (d[0] & 15) * 4u, tl = (uint32_t)(d[2] << 8 | d[3]);
		if (hl < 20 || tl < hl || hl > len)
			return;
		if (tl > len)
			tl = len;
		if ((d[6] & 0x1f) || d[7]) /* non-first fragment */
			return;
		memcpy(src, d + 12, 4);
		memcpy(dst, d + 16, 4);
		if (d[9] == 41 || d[9] == 4) { /* tunnels: decode inner */
			ip(d + hl, tl - hl);
			return;
		}
		l4(4, d[9], src, dst, d + hl, tl - hl);
	} else if ((d[0] >> 4) == 6) {
		if (len < 40)
			return;
		uint32_t pl = (uint32_t)(d[4] << 8 | d[5]);
		uint8_t nh = d[6];
		uint32_t off = 40;
		memcpy(src, d + 8, 16);
		memcpy(dst, d + 24, 16);
		if (pl + 40 < len)
			len = pl + 40;
		while (nh == 0 || nh == 43 || nh == 60 || nh == 44) {
			if (off + 8 > len)
				return;
			uint8_t n2 = d[off];
			if (nh == 44) {
				if ((d[off + 2] << 8 | d[off + 3]) & 0xfff8)
					return;
				off += 8;
			} else {
				off += (d[off + 1] + 1u) * 8u;
			}
			nh = n2;
		}
		if (off > len)
			return;
		if (nh == 41 || nh == 4) {
			ip(d + off, len - off);
			return;
		}
		l4(6, nh, src, dst, d + off, len - off);
	}
}

static void eth(const uint8_t *d, uint32_t len)
{
	uint32_t off = 12;
	while (off + 2 <= len) {
		uint16_t et = (uint16_t)(d[off] << 8 | d[off + 1]);
		off += 2;
		if (et == 0x8100 || et == 0x88a8 || et == 0x9100) {
			off += 2;
			continue;
		}
		if (et == 0x8864) { /* PPPoE session */
			off += 6;
			if (off + 2 > len)
				return;
			off += 2;
		} else if (et == 0x8847) { /* MPLS */
			while (off + 4 <= len && !(d[off + 2] & 1))
				off += 4;
			off += 4;
		} else if (et != 0x0800 && et != 0x86dd)
			return;
		if (off <= len)
			ip(d + off, len - off);
		return;
	}
}

static void handler(u_char *u, const struct pcap_pkthdr *h, const u_char *d)
{
	int dlt = *(int *)u;
	uint32_t len = h->caplen;
	switch (dlt) {
	case DLT_EN10MB:
		eth(d, len);
		break;
	case DLT_LINUX_SLL:
		if (len >= 16)
			ip(d + 16, len - 16);
		break;
	case 276: /* SLL2 */
		if (len >= 20)
			ip(d + 20, len - 20);
		break;
	case DLT_RAW:
	case 101:
	case 14:
	case 228:
	case 229:
		ip(d, len);
		break;
	case DLT_NULL:
	case DLT_LOOP:
		if (len >= 4)
			ip(d + 4, len - 4);
		break;
	case DLT_PPP:
	case DLT_C_HDLC:
		if (len >= 4)
			ip(d + 4, len - 4);
		break;
	default:
		break;
	}
}

static void pr(const struct flowent *f, const uint8_t *a, uint16_t port, char *out, size_t n)
{
	char s[64];
	inet_ntop(f->fam == 4 ? AF_INET : AF_INET6, a, s, sizeof(s));
	if (f->fam == 4)
		snprintf(out, n, "%s:%u", s, port);
	else
		snprintf(out, n, "[%s]:%u", s, port);
}

int main(int argc, char **argv)
{
	flows = calloc(NFLOWS, sizeof(*flows));
	if (getenv("DUMP"))
		dump_port = (uint16_t)atoi(getenv("DUMP"));
	for (int i = 1; i < argc; i++) {
		char err[PCAP_ERRBUF_SIZE];
		pcap_t *pc = pcap_open_offline(argv[i], err);
		if (!pc) {
			fprintf(stderr, "%s: %s\n", argv[i], err);
			continue;
		}
		int dlt = pcap_datalink(pc);
		memset(flows, 0, NFLOWS * sizeof(*flows));
		nflows = 0;
		pcap_loop(pc, -1, handler, (u_char *)&dlt);
		pcap_close(pc);
		const char *base = strrchr(argv[i], '/');
		base = base ? base + 1 : argv[i];
		for (unsigned k = 0; k < NFLOWS; k++) {
			struct flowent *f = &flows[k];
			if (!f->used)
				continue;
			char c[80], s[80];
			pr(f, f->cip, f->cport, c, sizeof(c));
			pr(f, f->sip, f->sport, s, sizeof(s));
			printf("%s %u %s %s %s\n", base, f->l4, c, s,
			       f->found ? f->found : "Unknown");
		}
	}
	return 0;
}
