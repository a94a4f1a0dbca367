// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Board "x86_64-generic": a typical multi-port x86 gateway appliance. Seven
 * front-panel ports, one per default zone, which the image's init names by
 * their PCI order (net.ifnames=0: eth0..eth6 in slot order) and this file
 * maps to port names and zones; the console on the first UART (ttyS0,
 * 115200 8N1); the chipset's hardware watchdog (iTCO_wdt, sp5100_tco)
 * behind /dev/watchdog; one SATA/NVMe disk laid out as in image.conf beside
 * this file (boot, root A, root B, data). The configuration store lives in a
 * file on the data partition (/data). Every fact of the board is here or in
 * image.conf.
 */
#include "segw/hal/board.h"

#include "clock/linux_clock.h"
#include "led/log_led.h"
#include "nfqueue/nfq_port.h"
#include "nft/nft_fw.h"
#include "pcap/pcap_port.h"
#include "storage/file_storage.h"
#include "tty/tty_console.h"
#include "wdt/dev_watchdog.h"

static const char *const zones[] = {
	"external", "internal", "partner", "mobile", "bwv", "dmz", "mgmt",
};

static const struct board_zone_prefix zone_prefixes[] = {
	{ "internal", "10.0.0.0/8" },
	{ "internal", "192.168.0.0/16" },
	{ "internal", "fd00::/8" },
	{ "bwv", "10.99.0.0/16" },
	{ "mgmt", "10.255.0.0/16" },
	{ "mobile", "172.16.0.0/12" },
	{ "partner", "203.0.113.0/24" },
	{ "dmz", "198.51.100.0/24" },
};

#define LIVE_PORT(ifname)                                                                    \
	(&(const struct pcap_port_cfg){ .source = ifname, .offline = false, .promisc = true, \
					.snaplen = 9216 })

/* front panel, left to right */
static struct hal_port ports[] = {
	{ .name = "int0", .zone = "internal", .ifname = "eth0", .ops = &pcap_port_ops, .config = LIVE_PORT("eth0"), .index = 0 },
	{ .name = "ext0", .zone = "external", .ifname = "eth1", .ops = &pcap_port_ops, .config = LIVE_PORT("eth1"), .index = 1 },
	{ .name = "ptn0", .zone = "partner", .ifname = "eth2", .ops = &pcap_port_ops, .config = LIVE_PORT("eth2"), .index = 2 },
	{ .name = "mob0", .zone = "mobile", .ifname = "eth3", .ops = &pcap_port_ops, .config = LIVE_PORT("eth3"), .index = 3 },
	{ .name = "bwv0", .zone = "bwv", .ifname = "eth4", .ops = &pcap_port_ops, .config = LIVE_PORT("eth4"), .index = 4 },
	{ .name = "dmz0", .zone = "dmz", .ifname = "eth5", .ops = &pcap_port_ops, .config = LIVE_PORT("eth5"), .index = 5 },
	{ .name = "mgmt0", .zone = "mgmt", .ifname = "eth6", .ops = &pcap_port_ops, .config = LIVE_PORT("eth6"), .index = 6 },
};

static const struct hal_partition parts[] = {
	{ .name = "config_a", .offset = 0, .size = 1u << 20, .erase_block = 4096 },
	{ .name = "config_b", .offset = 1u << 20, .size = 1u << 20, .erase_block = 4096 },
	{ .name = "log", .offset = 2u << 20, .size = 2u << 20, .erase_block = 4096 },
};

static struct hal_storage storage = {
	.name = "data0",
	.ops = &file_storage_ops,
	.config = &(const struct file_storage_cfg){ .path = "/data/segw-store.bin",
						    .path_env = "SEGW_STORE_PATH",
						    .parts = parts,
						    .n_parts = sizeof(parts) / sizeof(parts[0]) },
};

static struct hal_console console = {
	.name = "ttyS0",
	.ops = &tty_console_ops,
	.config = &(const struct tty_console_cfg){ .pty = 0, .device = "/dev/ttyS0",
						   .link_path = NULL, .baud = 115200 },
};

static struct hal_watchdog watchdog = {
	.name = "wdt0",
	.ops = &dev_watchdog_ops,
	.config = &(const struct dev_watchdog_cfg){ .device = "/dev/watchdog",
						    .max_timeout_ms = 60000 },
};

static struct hal_fw firewall = {
	.name = "nft0",
	.ops = &nft_fw_ops,
	.config = &(const struct nft_fw_cfg){ .table = "segw", .hook_forward = 1, .priority = 0 },
};

static struct hal_led status_led = { .name = "status", .ops = &log_led_ops };

static int generic_replay_port(struct hal_port *out, const char *path)
{
	int rc = pcap_port_init_offline(out, path, "replay0");
	out->index = sizeof(ports) / sizeof(ports[0]);
	return rc;
}

static const char *const port_ifnames[] = { "eth0", "eth1", "eth2", "eth3", "eth4", "eth5", "eth6" };

static struct nfq_port_cfg inline_cfg;

static int generic_inline_port(struct hal_port *out, uint16_t queue_num, int fail_open)
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

static const struct board_desc generic_board = {
	.id = "segw,x86_64-generic",
	.name = "segw generic x86_64 appliance",
	.ports = ports,
	.n_ports = sizeof(ports) / sizeof(ports[0]),
	.zones = zones,
	.n_zones = sizeof(zones) / sizeof(zones[0]),
	.zone_prefixes = zone_prefixes,
	.n_zone_prefixes = sizeof(zone_prefixes) / sizeof(zone_prefixes[0]),
	.pools = {
		.pktbufs = 4096,
		.pktbuf_size = 9216,
		.flows = 262144,
		.frag_contexts = 64,
		.frag_bytes = 65535,
		.ring_size = 1024,
		.max_workers = 8,
	},
	.console = &console,
	.watchdog = &watchdog,
	.storage = &storage,
	.status_led = &status_led,
	.firewall = &firewall,
	.clock = &linux_clock_ops,
	.rng = &linux_rng_ops,
	.replay_port = generic_replay_port,
	.inline_port = generic_inline_port,
};

const struct board_desc *board_get(void) { return &generic_board; }
