/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The detectors beyond TLS, QUIC, DNS and HTTP: one file each in
 * firmware/dpi/, declared here and listed in DPI_MORE_DETECTORS, which the
 * registry (registry.c) places in its explicit table.
 */
#ifndef SEGW_DPI_DETECTORS_MORE_H
#define SEGW_DPI_DETECTORS_MORE_H

#include "dpi/detector.h"

#define DPI_MORE_DETECTORS /* &dpi_ssh_detector, ... */

#endif
