// SPDX-License-Identifier: GPL-2.0
/* weave reset [--force]: stops weaver, then removes everything weave made on this host: the
 * bridge `weave`, every vethwe* link, the database under $WEAVE_STATE_DIR and the files
 * under $WEAVE_RUN_DIR. Idempotent: what is already gone is fine.
 */
#include "cli/cli.h"
#include "cli/http_client.h"
#include "cli/netns.h"

#include <dirent.h>
#include <errno.h>
#include <netlink/errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Run files launch, attach and weaver write. */
static const char *const run_files[] = { "weaver.pid", "weaver.log", "attached" };

/* Tells a running weaver to hand its IPAM ranges over before it goes (Weave's DELETE
 * /peer); a weaver without IPAM answers 404, which is fine.
 */
static void leave_mesh(void)
{
	struct http_request req = { .method = "DELETE", .path = "/peer" };
	struct http_response resp = { 0 };
	struct timespec half = { .tv_nsec = 500000000L };

	if (http_do(cli_http_addr(), &req, &resp) < 0)
		return;
	http_response_done(&resp);
	nanosleep(&half, NULL);
}

static int remove_links(void)
{
	struct nl_sock *sk = cli_nl_open(-1);
	int r;

	if (!sk)
		return -1;
	r = cli_link_delete(sk, WEAVE_BRIDGE);
	if (r < 0 && r != -NLE_NODEV && r != -NLE_OBJ_NOTFOUND)
		fprintf(stderr, "%s: cannot delete the bridge `%s': %s\n", PROG_NAME, WEAVE_BRIDGE,
			nl_geterror(r));
	else
		r = cli_links_delete_prefix(sk, "vethwe");
	if (r < 0)
		fprintf(stderr, "%s: cannot delete the vethwe* links: %s\n", PROG_NAME,
			nl_geterror(r));
	cli_nl_close(sk);
	return r < 0 ? -1 : 0;
}

/* The database: weave-net* (our --db-prefix) and Weave's older weavedata.db. */
static int remove_state(void)
{
	DIR *d = opendir(cli_state_dir());
	struct dirent *e;
	int r = 0;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "weave-net", 9) && strcmp(e->d_name, "weavedata.db"))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT) {
			fprintf(stderr, "%s: cannot remove `%s': %m\n", PROG_NAME,
				cli_state_path(e->d_name));
			r = -1;
		}
	}
	closedir(d);
	return r;
}

static int remove_run_files(void)
{
	size_t i;
	int r = 0;

	for (i = 0; i < sizeof(run_files) / sizeof(run_files[0]); i++) {
		if (unlink(cli_run_path(run_files[i])) < 0 && errno != ENOENT) {
			fprintf(stderr, "%s: cannot remove `%s': %m\n", PROG_NAME,
				cli_run_path(run_files[i]));
			r = -1;
		}
	}
	return r;
}

int reset_main(int argc, const char *argv[])
{
	bool force = false;
	int r;

	if (argc == 2 && !strcmp(argv[1], "--force"))
		force = true;
	else if (argc > 1)
		return cli_usage_of(argv[0]);
	if (cli_router_answers())
		leave_mesh();
	r = cli_stop_weaver();
	if (r < 0 && r != -ESRCH) {
		fprintf(stderr, "%s: cannot stop weaver: %s\n", PROG_NAME, strerror(-r));
		if (!force)
			return 1;
	}
	r = remove_links();
	r |= remove_state();
	r |= remove_run_files();
	return r ? 1 : 0;
}
