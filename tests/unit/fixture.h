/* SPDX-License-Identifier: GPL-2.0 */
/* The captured Weave 2.8.1 session (shared/fixtures/weave-2.8.1) for the unit suites:
 * found through WEAVE_FIXTURES (tests/run sets it), else beside the checkout.
 */
#ifndef WEAVE_TESTS_FIXTURE_H
#define WEAVE_TESTS_FIXTURE_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef WEAVE_FIXTURES
#define WEAVE_FIXTURES "../shared/fixtures/weave-2.8.1"
#endif

static inline const char *fixture_dir(void)
{
	const char *env = getenv("WEAVE_FIXTURES");

	return env && *env ? env : WEAVE_FIXTURES;
}

/* Reads a fixture file whole, NUL-terminated (so texts can be used as strings); the
 * test fails when it is missing or empty. *ret_len (if not NULL) excludes the NUL.
 */
static inline uint8_t *fixture_load(const char *name, size_t *ret_len)
{
	char path[4096];
	uint8_t *data;
	long size;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fixture_dir(), name);
	f = fopen(path, "rb");
	ck_assert_msg(f, "cannot open fixture %s (set WEAVE_FIXTURES)", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	ck_assert_int_gt(size, 0);
	rewind(f);
	data = malloc((size_t)size + 1);
	ck_assert_ptr_nonnull(data);
	ck_assert_uint_eq(fread(data, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	data[size] = '\0';
	if (ret_len)
		*ret_len = (size_t)size;
	return data;
}

#endif /* WEAVE_TESTS_FIXTURE_H */
