// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of pipeline/zone: prefix text, longest match, port fallback. */
#include <errno.h>
#include <stdlib.h>

#include "test_util.h"

#include "pipeline/zone.h"
#include "segw/hal/board.h"

static void expect_prefix(const char *text, int ver, unsigned len, const char *addr)
{
	struct zone_prefix z;
	uint8_t want[16] = { 0 };
	if (zone_parse_prefix(text, &z) != 0)
		fail_msg("\"%s\" should parse", text);
	assert_int_equal(z.ipver, ver);
	assert_int_equal(z.len, len);
	if (ver == 4)
		tu_addr4(addr, want);
	else
		tu_addr6(addr, want);
	assert_memory_equal(z.addr, want, 16);
}

static void test_parse_good(void **state)
{
	(void)state;
	expect_prefix("10.0.0.0/8", 4, 8, "10.0.0.0");
	expect_prefix("10.1.2.3/8", 4, 8, "10.0.0.0"); /* host bits cleared */
	expect_prefix("10.1.2.255/29", 4, 29, "10.1.2.248");
	expect_prefix("192.0.2.7", 4, 32, "192.0.2.7");
	expect_prefix("0.0.0.0/0", 4, 0, "0.0.0.0");
	expect_prefix("fd00::/8", 6, 8, "fd00::");
	expect_prefix("fe80::1/10", 6, 10, "fe80::");
	expect_prefix("2001:db8::1/127", 6, 127, "2001:db8::");
	expect_prefix("2001:db8::1", 6, 128, "2001:db8::1");
	expect_prefix("::/0", 6, 0, "::");
}

static void test_parse_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",           "/8",          "10.0.0.0/",      "10.0.0.0/33",  "fd00::/129",
		"10.0.0/8",   "10.0.0.0/8x", "10.0.0.0/-1",    "10.0.0.0//8",  "host/8",
		"10.0.0.256", "fd00:::/8",   "10.0.0.0/99999999999999999999", "1.2.3.4 /8",
		"0x0a000000/8",
	};
	struct zone_prefix z;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (zone_parse_prefix(bad[i], &z) != -EINVAL)
			fail_msg("\"%s\" should be -EINVAL", bad[i]);
	char longtext[200];
	memset(longtext, '1', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = 0;
	assert_int_equal(zone_parse_prefix(longtext, &z), -EINVAL);
	memcpy(longtext + 100, "/8", 3);
	assert_int_equal(zone_parse_prefix(longtext, &z), -EINVAL);
}

static const char *const names[] = { "external", "internal", "partner", "bwv", "mgmt", "dmz" };

static struct hal_port ports[] = {
	{ .name = "lan0", .zone = "internal", .index = 0 },
	{ .name = "wan0", .zone = "partner", .index = 1 },
	{ .name = "tap0", .zone = NULL, .index = 2 },
};

static struct board_desc make_board(const struct board_zone_prefix *p, unsigned n)
{
	struct board_desc b = {
		.id = "test,zones",
		.ports = ports,
		.n_ports = 3,
		.zones = names,
		.n_zones = 6,
		.zone_prefixes = p,
		.n_zone_prefixes = n,
	};
	return b;
}

static uint8_t zof(const struct zone_map *m, const char *a, int is_src, uint16_t port)
{
	uint8_t x[16] = { 0 };
	int v6 = strchr(a, ':') != NULL;
	if (v6)
		tu_addr6(a, x);
	else
		tu_addr4(a, x);
	return zone_of(m, v6 ? 6 : 4, x, is_src, port);
}

#define Z(m, name) ((uint8_t)zone_index((m), (name)))

static void test_longest_prefix(void **state)
{
	(void)state;
	/* Declared short before long and long before short: order must not matter. */
	static const struct board_zone_prefix p[] = {
		{ "internal", "10.0.0.0/8" },   { "bwv", "10.99.0.0/16" },
		{ "partner", "10.99.1.1/32" },  { "mgmt", "10.255.0.0/16" },
		{ "internal", "fd00::/8" },     { "mgmt", "fd00:ff::/32" },
		{ "dmz", "198.51.100.0/24" },   { "dmz", "198.51.100.128/25" },
	};
	static struct zone_map m;
	struct board_desc b = make_board(p, 8);
	assert_int_equal(zone_map_init(&m, &b), 0);
	assert_int_equal(m.n_prefixes, 8);
	for (unsigned i = 1; i < m.n_prefixes; i++)
		assert_true(m.prefixes[i - 1].len >= m.prefixes[i].len);

	assert_int_equal(zof(&m, "10.1.2.3", 0, 2), Z(&m, "internal"));
	assert_int_equal(zof(&m, "10.99.7.7", 0, 2), Z(&m, "bwv"));
	assert_int_equal(zof(&m, "10.99.1.1", 0, 2), Z(&m, "partner"));
	assert_int_equal(zof(&m, "10.99.1.2", 0, 2), Z(&m, "bwv"));
	assert_int_equal(zof(&m, "10.255.0.1", 0, 2), Z(&m, "mgmt"));
	assert_int_equal(zof(&m, "11.0.0.1", 0, 2), 0);
	assert_int_equal(zof(&m, "fd12::1", 0, 2), Z(&m, "internal"));
	assert_int_equal(zof(&m, "fd00:ff::9", 0, 2), Z(&m, "mgmt"));
	assert_int_equal(zof(&m, "fd00:fe::9", 0, 2), Z(&m, "internal"));
	assert_int_equal(zof(&m, "198.51.100.200", 0, 2), Z(&m, "dmz"));
	/* an IPv6 address whose first byte is 10 is not in 10.0.0.0/8 */
	assert_int_equal(zof(&m, "a00::1", 0, 2), 0);
	/* a /8 prefix looks at 8 bits only */
	assert_int_equal(zof(&m, "fc00::1", 0, 2), 0);
}

static void test_port_fallback_and_default(void **state)
{
	(void)state;
	static const struct board_zone_prefix p[] = { { "internal", "10.0.0.0/8" } };
	static struct zone_map m;
	struct board_desc b = make_board(p, 1);
	assert_int_equal(zone_map_init(&m, &b), 0);
	/* a source no prefix claims: the zone of its ingress port */
	assert_int_equal(zof(&m, "8.8.8.8", 1, 1), Z(&m, "partner"));
	assert_int_equal(zof(&m, "8.8.8.8", 1, 0), Z(&m, "internal"));
	/* a destination: the default zone, whatever the port */
	assert_int_equal(zof(&m, "8.8.8.8", 0, 1), 0);
	/* a tap port (no zone), a port beyond the board: the default */
	assert_int_equal(zof(&m, "8.8.8.8", 1, 2), 0);
	assert_int_equal(zof(&m, "8.8.8.8", 1, 40), 0);
	/* a prefix beats the port */
	assert_int_equal(zof(&m, "10.0.0.1", 1, 1), Z(&m, "internal"));

	assert_string_equal(zone_name(&m, 0), "external");
	assert_string_equal(zone_name(&m, 5), "dmz");
	assert_string_equal(zone_name(&m, 6), "unknown");
	assert_string_equal(zone_name(&m, ZONE_NONE), "unknown");
	assert_int_equal(zone_index(&m, "dmz"), 5);
	assert_int_equal(zone_index(&m, "nowhere"), -ENOENT);
	assert_int_equal(zone_index(&m, ""), -ENOENT);
}

static void test_init_errors(void **state)
{
	(void)state;
	static struct zone_map m;
	static const struct board_zone_prefix unknown_zone[] = { { "lab", "10.0.0.0/8" } };
	static const struct board_zone_prefix bad_text[] = { { "internal", "10.0.0.0/40" } };
	struct board_desc b = make_board(unknown_zone, 1);
	assert_int_equal(zone_map_init(&m, &b), -EINVAL);
	b = make_board(bad_text, 1);
	assert_int_equal(zone_map_init(&m, &b), -EINVAL);

	b = make_board(NULL, 0);
	b.n_zones = 0;
	assert_int_equal(zone_map_init(&m, &b), -ENOSPC);
	static const char *many[ZONE_MAX + 1];
	for (int i = 0; i <= ZONE_MAX; i++)
		many[i] = "z";
	b = make_board(NULL, 0);
	b.zones = many;
	b.n_zones = ZONE_MAX + 1;
	assert_int_equal(zone_map_init(&m, &b), -ENOSPC);

	/* a name must fit the map's name field with its NUL */
	static char longest[sizeof(m.names[0])], too_long[sizeof(m.names[0]) + 1];
	memset(longest, 'z', sizeof(longest) - 1);
	memset(too_long, 'z', sizeof(too_long) - 1);
	const char *names2[] = { "external", longest };
	b = make_board(NULL, 0);
	b.zones = names2;
	b.n_zones = 2;
	b.n_ports = 0;
	assert_int_equal(zone_map_init(&m, &b), 0);
	assert_int_equal(zone_index(&m, longest), 1);
	names2[1] = too_long;
	assert_int_equal(zone_map_init(&m, &b), -EINVAL);

	static struct board_zone_prefix lots[ZONE_PREFIX_MAX + 1];
	for (int i = 0; i <= ZONE_PREFIX_MAX; i++)
		lots[i] = (struct board_zone_prefix){ "internal", "10.0.0.0/8" };
	b = make_board(lots, ZONE_PREFIX_MAX + 1);
	assert_int_equal(zone_map_init(&m, &b), -ENOSPC);
	b = make_board(lots, ZONE_PREFIX_MAX);
	assert_int_equal(zone_map_init(&m, &b), 0);

	static struct hal_port badport[] = { { .name = "x0", .zone = "nowhere" } };
	b = make_board(NULL, 0);
	b.ports = badport;
	b.n_ports = 1;
	assert_int_equal(zone_map_init(&m, &b), -EINVAL);
}

/* The sim board's own table is valid and places the lab's addresses. */
static void test_sim_board(void **state)
{
	(void)state;
	static struct zone_map m;
	assert_int_equal(zone_map_init(&m, board_get()), 0);
	assert_string_equal(zone_name(&m, zof(&m, "10.1.0.2", 0, 0)), "internal");
	assert_string_equal(zone_name(&m, zof(&m, "10.99.0.5", 0, 0)), "bwv");
	assert_string_equal(zone_name(&m, zof(&m, "198.51.100.10", 0, 0)), "dmz");
	assert_string_equal(zone_name(&m, zof(&m, "203.0.113.9", 0, 0)), "partner");
	assert_string_equal(zone_name(&m, zof(&m, "fd00::2", 0, 0)), "internal");
	assert_string_equal(zone_name(&m, zof(&m, "2001:db8::1", 0, 0)), "external");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_longest_prefix),
		cmocka_unit_test(test_port_fallback_and_default),
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_sim_board),
	};
	return cmocka_run_group_tests_name("zone", tests, NULL, NULL);
}
