// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Board "sim": runs on any Linux host. Its ports are veth interfaces into
 * one network namespace per zone (the lab creates them), its console a pty,
 * its flash a file, its watchdog a thread. Every fact of the board is here.
 */
#include "segw/hal/board.h"

#include "clock/linux_clock.h"
#include "led/log_led.h"
#include "nfqueue/nfq_port.h"
#include "nft/nft_fw.h"
#include "pcap/pcap_port.h"
#include "storage/file_storage.h"
#include "tty/tty_console.h"
#include "watchdog/soft_watchdog.h"

static const char *const zones[] = {
	"external", /* the default: an address no prefix claims is outside */
	"internal", "partner", "mobile", "bwv", "dmz", "mgmt",
};

/* The lab's addressing plan (tests/lab), also the zone defaults. */
static const struct board_zone_prefix zone_prefixes[] = {
	{ "internal", "10.0.0.0/8" },
	{ "internal", "192.168.0.0/16" },
	{ "internal", "fd00::/8" },
	{ "internal", "fe80::/10" },
	{ "bwv", "10.99.0.0/16" },
	{ "mgmt", "10.255.0.0/16" },
	{ "mobile", "172.16.0.0/12" },
	{ "partner", "203.0.113.0/24" },
	{ "dmz", "198.51.100.0/24" },
};

#define LIVE_PORT(ifname)                                                                    \
	(&(const struct pcap_port_cfg){ .source = (ifname), .offline = false, .promisc = true, \
					.snaplen = 9216 })

static struct hal_port ports[] = {
	{ .name = "int0", .zone = "internal", .ifname = "segw-int0", .ops = &pcap_port_ops, .config = LIVE_PORT("segw-int0"), .index = 0 },
	{ .name = "ext0", .zone = "external", .ifname = "segw-ext0", .ops = &pcap_port_ops, .config = LIVE_PORT("segw-ext0"), .index = 1 },
	{ .name = "ptn0", .zone = "partner", .ifname = "segw-ptn0", .ops = &pcap_port_ops, .config = LIVE_PORT("segw-ptn0"), .index = 2 },
	{ .name = "mob0", .zone = "mobile", .ifname = "segw-mob0", .ops = &pcap_port_ops, .config = LIVE_PORT("segw-mob0"), .index = 3 },
	{ .name = "bwv0", .zone = "bwv", .ifname = "segw-bwv0", .ops = &pcap_port_ops, .config = LIVE_PORT("segw-bwv0"), .index = 4 },
	{ .name = "dmz0", .zone = "dmz", .ifname = "segw-dmz0", .ops = &pcap_port_ops, .config = LIVE_PORT("segw-dmz0"), .index = 5 },
	{ .name = "mgmt0", .zone = "mgmt", .ifname = "segw-mgmt0", .ops = &pcap_port_ops, .config = LIVE_PORT("segw-mgmt0"), .index = 6 },
};

static const struct hal_partition parts[] = {
	{ .name = "config_a", .offset = 0, .size = 1u << 20, .erase_block = 4096 },
	{ .name = "config_b", .offset = 1u << 20, .size = 1u << 20, .erase_block = 4096 },
	{ .name = "log", .offset = 2u << 20, .size = 2u << 20, .erase_block = 4096 },
};

static struct hal_storage storage = {
	.name = "flash0",
	.ops = &file_storage_ops,
	.config = &(const struct file_storage_cfg){ .path = "segw-sim-flash.bin",
						    .path_env = "SEGW_SIM_FLASH",
						    .parts = parts,
						    .n_parts = sizeof(parts) / sizeof(parts[0]) },
};

static struct hal_console console = {
	.name = "console0",
	.ops = &tty_console_ops,
	.config = &(const struct tty_console_cfg){ .pty = 1, .link_path = NULL, .baud = 115200 },
};

static struct hal_watchdog watchdog = {
	.name = "wdt0",
	.ops = &soft_watchdog_ops,
	.config = &(const struct soft_watchdog_cfg){ .max_timeout_ms = 60000,
						     .reason_path = NULL },
};

static struct hal_fw firewall = {
	.name = "nft0",
	.ops = &nft_fw_ops,
	.config = &(const struct nft_fw_cfg){ .table = "segw", .hook_forward = 1, .priority = 0 },
};

static struct hal_led status_led = { .name = "status", .ops = &log_led_ops };

static int sim_replay_port(struct hal_port *out, const char *path)
{
	int rc = pcap_port_init_offline(out, path, "replay0");
	/* a port of its own, after the board's: it belongs to no zone */
	out->index = sizeof(ports) / sizeof(ports[0]);
	return rc;
}

static const char *const port_ifnames[] = {
	"segw-int0", "segw-ext0", "segw-ptn0", "segw-mob0", "segw-bwv0", "segw-dmz0", "segw-mgmt0",
};

static struct nfq_port_cfg inline_cfg;

static int sim_inline_port(struct hal_port *out, uint16_t queue_num, int fail_open)
{
	inline_cfg = (struct nfq_port_cfg){ .queue_num = queue_num,
					    .queue_maxlen = 4096,
					    .fail_open = fail_open,
					    .ifnames = port_ifnames,
					    .n_ifnames = sizeof(port_ifnames) / sizeof(port_ifnames[0]) };
	*out = (struct hal_port){ .name = "queue0", .ops = &nfq_port_ops, .config = &inline_cfg,
				  .index = 0 };
	return 0;
}

static const struct board_desc sim_board = {
	.id = "segw,sim",
	.name = "segw simulation board",
	.ports = ports,
	.n_ports = sizeof(ports) / sizeof(ports[0]),
	.zones = zones,
	.n_zones = sizeof(zones) / sizeof(zones[0]),
	.zone_prefixes = zone_prefixes,
	.n_zone_prefixes = sizeof(zone_prefixes) / sizeof(zone_prefixes[0]),
	.pools = {
		.pktbufs = 4096,
		.pktbuf_size = 9216,
		.flows = 65536,
		.frag_contexts = 64,
		.frag_bytes = 65535,
		.ring_size = 1024,
		.max_workers = 16,
	},
	.console = &console,
	.watchdog = &watchdog,
	.storage = &storage,
	.status_led = &status_led,
	.firewall = &firewall,
	.clock = &linux_clock_ops,
	.rng = &linux_rng_ops,
	.replay_port = sim_replay_port,
	.inline_port = sim_inline_port,
};

const struct board_desc *board_get(void) { return &sim_board; }
