// SPDX-License-Identifier: GPL-2.0
/* weave stop: stops this host's weaver (SIGTERM to the pid in $WEAVE_RUN_DIR/weaver.pid,
 * SIGKILL after 10 s). The bridge, containers' interfaces and state stay: see reset.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int stop_main(int argc, const char *argv[])
{
	int r;

	if (argc > 1)
		return cli_usage_of(argv[0]);
	r = cli_stop_weaver();
	if (r == -ESRCH) {
		if (cli_router_answers()) {
			fprintf(stderr,
				"%s: a weaver answers on %s but %s names none: stop it by hand\n",
				PROG_NAME, cli_http_addr(), cli_run_path("weaver.pid"));
			return 1;
		}
		fprintf(stderr, "Weave is not running.\n");
		return 0;
	}
	if (r < 0) {
		fprintf(stderr, "%s: cannot stop weaver: %s\n", PROG_NAME, strerror(-r));
		return 1;
	}
	return 0;
}
