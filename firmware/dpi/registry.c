// SPDX-License-Identifier: GPL-2.0-or-later
/* The detector table: see registry.h. */
#include "dpi/registry.h"

#include "dpi/detectors_more.h"

static const struct dpi_detector *const table[] = {
	&dpi_tls_detector,
	&dpi_quic_detector,
	&dpi_dns_detector,
	&dpi_http_detector,
	DPI_MORE_DETECTORS
};

_Static_assert(sizeof(table) / sizeof(table[0]) <= DPI_MAX_DETECTORS,
	       "the per-flow excluded mask holds 64 detectors");

unsigned dpi_registry_count(void)
{
	return sizeof(table) / sizeof(table[0]);
}

const struct dpi_detector *dpi_registry_get(unsigned i)
{
	return i < dpi_registry_count() ? table[i] : NULL;
}

static const char *const app_names[] = {
#define X(id, name) name,
	DPI_APPS(X)
#undef X
};

const char *dpi_app_name(unsigned app)
{
	return app < DPI_APP__COUNT ? app_names[app] : "Unknown";
}
