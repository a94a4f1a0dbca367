/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fixed ECDSA P-256 key pair for the bundle unit test and fuzz target
 * (test data only: it signs nothing outside tests/mgmt).
 */
#ifndef SEGW_TESTS_MGMT_TEST_KEYS_H
#define SEGW_TESTS_MGMT_TEST_KEYS_H

static const char test_key_priv[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgaSUCLI6mEMqPU7U0\n"
	"vMMv0iyJ0MxE/+wCdYntfXFKZYOhRANCAAR1r6copfJ+9/8BhAjZePpy5vybYSpJ\n"
	"ylKY0L3/kQQya2VGFxJSvvoaEpZz5mkyu3Q1g5qbYqzgp9hN0KsBB/v7\n"
	"-----END PRIVATE KEY-----\n";

static const char test_key_pub[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEda+nKKXyfvf/AYQI2Xj6cub8m2Eq\n"
	"ScpSmNC9/5EEMmtlRhcSUr76GhKWc+ZpMrt0NYOam2Ks4KfYTdCrAQf7+w==\n"
	"-----END PUBLIC KEY-----\n";

#endif
