// SPDX-License-Identifier: GPL-2.0
/* weave report [-f <template>]: weaver's full status as JSON (GET /report with Accept:
 * application/json), or a Go template executed on it (GET /report?format=...).
 */
#include "cli/cli.h"
#include "cli/http_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int report_main(int argc, const char *argv[])
{
	char *query = NULL, *path = NULL;
	int r;

	if (argc == 1)
		return cli_call("GET", "/report", "application/json", NULL, NULL) ? 1 : 0;
	if (argc != 3 || (strcmp(argv[1], "-f") && strcmp(argv[1], "--format")))
		return cli_usage_of(argv[0]);
	if (http_form_add(&query, "format", argv[2]) < 0 ||
	    asprintf(&path, "/report?%s", query) < 0) {
		free(query);
		fprintf(stderr, "%s: out of memory\n", PROG_NAME);
		return 1;
	}
	r = cli_call("GET", path, NULL, NULL, NULL);
	free(path);
	free(query);
	return r ? 1 : 0;
}
