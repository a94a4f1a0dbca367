// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcap_floor: the floor of the replay benchmark.
 *
 *   pcap_floor FILE
 *
 * Reads every packet of a capture with libpcap (pcap_open_offline, then
 * pcap_next_ex until the end) and touches the first byte of each so that the
 * loop does real work; nothing else. Whatever a replay of the same file costs
 * beyond this is the cost of our own pipeline. Prints one JSON line:
 *   {"packets":N,"bytes":B,"check":X}
 * where check is a sum over the touched bytes (it keeps the reads alive and
 * lets two runs be compared).
 *
 * Exit status: 0 every packet read; 1 the capture failed midway; 2 usage or
 * the capture cannot be opened.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* libpcap's headers use u_int, u_char */
#endif
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *h;
	const unsigned char *data;
	uint64_t packets = 0, bytes = 0, check = 0;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pcap_floor FILE\n");
		return 2;
	}
	pcap_t *pc = pcap_open_offline(argv[1], err);
	if (!pc) {
		fprintf(stderr, "pcap_floor: %s\n", err);
		return 2;
	}
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		packets++;
		bytes += h->caplen;
		if (h->caplen)
			check += data[0];
	}
	int status = 0;
	if (rc != PCAP_ERROR_BREAK) {
		fprintf(stderr, "pcap_floor: %s: failed after %llu packets: %s\n", argv[1],
			(unsigned long long)packets, pcap_geterr(pc));
		status = 1;
	}
	pcap_close(pc);
	printf("{\"packets\":%llu,\"bytes\":%llu,\"check\":%llu}\n", (unsigned long long)packets,
	       (unsigned long long)bytes, (unsigned long long)check);
	return status;
}
