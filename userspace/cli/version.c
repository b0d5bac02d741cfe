// SPDX-License-Identifier: GPL-2.0
/* weave version: "weave script <version>" of this CLI, then "weave <version>" of the
 * router when weaver answers (GET /report?format={{.Version}}).
 */
#include "cli/cli.h"
#include "cli/http_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_router_version(void)
{
	struct http_request req = { .method = "GET", .timeout_ms = 1000 };
	struct http_response resp = { 0 };
	char path[128], *q = NULL;

	if (http_form_add(&q, "format", "{{.Version}}") < 0)
		return;
	snprintf(path, sizeof(path), "/report?%s", q);
	free(q);
	req.path = path;
	if (http_do(cli_http_addr(), &req, &resp) < 0)
		return;
	while (resp.len && resp.body[resp.len - 1] == '\n')
		resp.body[--resp.len] = '\0';
	if (resp.status == 200 && resp.len && !strchr(resp.body, '\n'))
		printf("weave %s\n", resp.body);
	http_response_done(&resp);
}

int version_main(int argc, const char *argv[])
{
	if (argc > 1)
		return cli_usage_of(argv[0]);
	printf("weave script %s\n", WEAVE_VERSION);
	print_router_version();
	return 0;
}
