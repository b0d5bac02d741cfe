// SPDX-License-Identifier: GPL-2.0
/* Talking to this host's weaver: HTTP calls with the weave script's semantics (2xx body to
 * stdout, 404 swallowed, other bodies to stderr), and the pid file that launch writes.
 */
#include "cli/cli.h"
#include "cli/http_client.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	STOP_GRACE_MS = 10000, /* as docker stop */
	KILL_WAIT_MS = 3000,
	POLL_MS = 100,
};

void cli_print_not_running(void)
{
	pid_t pid = cli_weaver_pid();

	if (pid)
		fprintf(stderr, "weave is not answering on %s (weaver pid %d is running).\n",
			cli_http_addr(), (int)pid);
	else
		fprintf(stderr,
			"weave is not running (nothing answers on %s). Have you launched it?\n",
			cli_http_addr());
}

int cli_call(const char *method, const char *path, const char *accept, const char *form,
	     char **ret_body)
{
	struct http_request req = {
		.method = method,
		.path = path,
		.accept = accept,
		.body = form,
		.content_type = form ? "application/x-www-form-urlencoded" : NULL,
	};
	struct http_response resp = { 0 };
	int r;

	r = http_do(cli_http_addr(), &req, &resp);
	if (r < 0) {
		cli_print_not_running();
		return CALL_NOT_RUNNING;
	}
	if (resp.status == 404) {
		r = CALL_NOT_FOUND;
	} else if (resp.status < 200 || resp.status > 299) {
		fwrite(resp.body, 1, resp.len, stderr);
		r = CALL_FAILED;
	} else if (ret_body) {
		*ret_body = resp.body;
		resp.body = NULL;
	} else {
		fwrite(resp.body, 1, resp.len, stdout);
	}
	http_response_done(&resp);
	return r;
}

bool cli_router_answers(void)
{
	struct http_request req = { .method = "GET", .path = "/status", .timeout_ms = 1000 };
	struct http_response resp = { 0 };

	if (http_do(cli_http_addr(), &req, &resp) < 0)
		return false;
	http_response_done(&resp);
	return true;
}

bool cli_pid_alive(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	bool alive = false;

	if (pid <= 0 || (kill(pid, 0) < 0 && errno != EPERM))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f)) {
		p = strrchr(buf, ')');
		alive = p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
	}
	fclose(f);
	return alive;
}

static bool is_weaver(pid_t pid)
{
	char path[64], comm[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return !strcmp(comm, "weaver\n");
}

pid_t cli_weaver_pid(void)
{
	FILE *f = fopen(cli_run_path("weaver.pid"), "re");
	long pid = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 0 || pid > 1 << 22 || !cli_pid_alive((pid_t)pid) || !is_weaver((pid_t)pid))
		return 0;
	return (pid_t)pid;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool wait_exit(pid_t pid, int ms)
{
	for (; ms > 0; ms -= POLL_MS) {
		if (!cli_pid_alive(pid))
			return true;
		sleep_ms(POLL_MS);
	}
	return !cli_pid_alive(pid);
}

int cli_stop_weaver(void)
{
	pid_t pid = cli_weaver_pid();
	int r = 0;

	if (!pid) {
		unlink(cli_run_path("weaver.pid"));
		return -ESRCH;
	}
	if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
		return -errno;
	if (!wait_exit(pid, STOP_GRACE_MS)) {
		kill(pid, SIGKILL);
		if (!wait_exit(pid, KILL_WAIT_MS))
			r = -EBUSY;
	}
	if (!r)
		unlink(cli_run_path("weaver.pid"));
	return r;
}
