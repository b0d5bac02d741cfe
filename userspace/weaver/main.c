// SPDX-License-Identifier: GPL-2.0
/* weaver: the weave daemon. main parses Weave's flags (prog/weaver/main.go), writes the pid
 * file under WEAVE_RUN_DIR and runs the router on the event loop until SIGTERM/SIGINT.
 */
#include "lib/evl.h"
#include "lib/log.h"
#include "weaver/options.h"
#include "weaver/router.h"

#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int on_signal(struct evl_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)s;
	(void)userdata;
	log_info("=> received signal: %s", strsignal((int)si->ssi_signo));
	evl_exit(evl_source_get_evl(s), 0);
	return 0;
}

static int mkdir_p(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int write_pid_file(const char *run_dir, char *path, size_t size)
{
	FILE *f;
	int r;

	r = mkdir_p(run_dir);
	if (r < 0)
		return log_error_errno(r,
				       "Failed to create %s (set WEAVE_RUN_DIR to a writable "
				       "directory)",
				       run_dir);
	snprintf(path, size, "%s/weaver.pid", run_dir);
	f = fopen(path, "we");
	if (!f)
		return log_error_errno(errno, "Failed to write %s", path);
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	return 0;
}

static int run(struct weaver_options *o)
{
	struct evl_source *sigterm = NULL, *sigint = NULL;
	struct router *router = NULL;
	struct evl *evl = NULL;
	char pid_path[4096] = "";
	int r;

	r = mkdir_p(o->state_dir);
	if (r < 0)
		return log_error_errno(r,
				       "Failed to create %s (set WEAVE_STATE_DIR to a writable "
				       "directory)",
				       o->state_dir);
	r = write_pid_file(o->run_dir, pid_path, sizeof(pid_path));
	if (r < 0)
		return r;
	r = evl_new(&evl);
	if (r < 0) {
		log_error_errno(r, "Failed to create the event loop");
		goto out;
	}
	r = evl_add_signal(evl, SIGTERM, on_signal, NULL, &sigterm);
	if (r >= 0)
		r = evl_add_signal(evl, SIGINT, on_signal, NULL, &sigint);
	if (r < 0) {
		log_error_errno(r, "Failed to handle signals");
		goto out;
	}
	r = router_new(evl, &o->router, &router);
	if (r < 0)
		goto out;
	r = evl_run(evl);
	if (r < 0)
		log_error_errno(r, "The event loop failed");
out:
	router_free(router);
	evl_free(evl);
	if (pid_path[0])
		unlink(pid_path);
	return r;
}

int main(int argc, char **argv)
{
	struct weaver_options o;
	int r;

	signal(SIGPIPE, SIG_IGN);
	r = weaver_options_parse(argc, argv, &o);
	if (r <= 0) {
		weaver_options_done(&o);
		return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	if (sodium_init() < 0) {
		log_error("Failed to initialise libsodium");
		weaver_options_done(&o);
		return EXIT_FAILURE;
	}
	log_info("Command line options: %s", o.cmdline);
	r = run(&o);
	weaver_options_done(&o);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
