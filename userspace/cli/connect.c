// SPDX-License-Identifier: GPL-2.0
/* weave connect [--replace] <peer>... and weave forget <peer>...: change weaver's targets
 * (POST /connect or /forget with a form peer=a&peer=b[&replace=true]).
 */
#include "cli/cli.h"
#include "cli/http_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int post_peers(const char *path, int argc, const char *argv[], bool replace)
{
	char *form = NULL;
	int i, r = 0;

	for (i = 0; i < argc && !r; i++)
		r = http_form_add(&form, "peer", argv[i]);
	if (!r && replace)
		r = http_form_add(&form, "replace", "true");
	if (r < 0) {
		free(form);
		fprintf(stderr, "%s: out of memory\n", PROG_NAME);
		return 1;
	}
	r = cli_call("POST", path, NULL, form ? form : "", NULL);
	free(form);
	if (r == CALL_NOT_FOUND)
		fprintf(stderr, "%s: weaver does not know %s\n", PROG_NAME, path);
	return r ? 1 : 0;
}

static bool bad_peer(const char *p)
{
	if (strncmp(p, "-", 1) && *p)
		return false;
	fprintf(stderr, "%s: invalid peer `%s'\n", PROG_NAME, p);
	return true;
}

static int check_peers(int argc, const char *argv[])
{
	int i;

	for (i = 0; i < argc; i++)
		if (bad_peer(argv[i]))
			return -1;
	return 0;
}

int connect_main(int argc, const char *argv[])
{
	bool replace = argc > 1 && !strcmp(argv[1], "--replace");
	int first = replace ? 2 : 1;

	if (argc <= first && !replace)
		return cli_usage_of(argv[0]);
	if (check_peers(argc - first, argv + first) < 0)
		return 1;
	return post_peers("/connect", argc - first, argv + first, replace);
}

int forget_main(int argc, const char *argv[])
{
	if (argc < 2)
		return cli_usage_of(argv[0]);
	if (check_peers(argc - 1, argv + 1) < 0)
		return 1;
	return post_peers("/forget", argc - 1, argv + 1, false);
}
