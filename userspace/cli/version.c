// SPDX-License-Identifier: GPL-2.0
/* weave version: the version of this CLI (and, once weaver runs, of the router). */
#include "cli/cli.h"

#include <stdio.h>

int version_main(int argc, const char *argv[])
{
	if (argc > 1) {
		fprintf(stderr, "Usage: %s %s\n", PROG_NAME, argv[0]);
		return 1;
	}
	printf("weave script %s\n", WEAVE_VERSION);
	return 0;
}
