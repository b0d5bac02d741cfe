// SPDX-License-Identifier: GPL-2.0
/* weave launch / launch-router: starts weaver as a background daemon of this host (double
 * fork, setsid; output to $WEAVE_RUN_DIR/weaver.log, pid in weaver.pid) with Weave's
 * flags, waits until its API answers and prints its peer name.
 */
#include "cli/cli.h"
#include "cli/http_client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
	LAUNCH_WAIT_MS = 30000,
	LAUNCH_POLL_MS = 100,
	LOG_TAIL_LINES = 20,
	MAX_WEAVER_ARGS = 512,
};

struct launch {
	const char *args[MAX_WEAVER_ARGS];
	int n;
	const char *port;
	const char *password;
	bool has_nickname, has_mtu, has_db_prefix;
	char hostname[HOST_NAME_MAX + 1];
	char mtu[16];
	char db_prefix[PATH_MAX];
};

static bool executable(char *ret, size_t len, const char *dir)
{
	int n = snprintf(ret, len, "%s/weaver", dir);

	return n > 0 && (size_t)n < len && !access(ret, X_OK);
}

/* The weaver next to this weave binary, else the first one on PATH. */
static int find_weaver(char *ret, size_t len)
{
	char self[PATH_MAX], *slash, *path, *dir, *save = NULL;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if (executable(ret, len, self))
				return 0;
		}
	}
	path = strdup(getenv("PATH") ? getenv("PATH") :
				       "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin");
	if (!path)
		return -ENOMEM;
	for (dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		if (executable(ret, len, dir)) {
			free(path);
			return 0;
		}
	}
	free(path);
	return -ENOENT;
}

static int add_arg(struct launch *l, const char *a)
{
	if (l->n >= MAX_WEAVER_ARGS - 1) {
		fprintf(stderr, "%s: too many arguments\n", PROG_NAME);
		return -E2BIG;
	}
	l->args[l->n++] = a;
	return 0;
}

static bool flag_is(const char *arg, const char *flag)
{
	size_t n = strlen(flag);

	return !strncmp(arg, flag, n) && (arg[n] == '\0' || arg[n] == '=');
}

/* A flag the script consumes: its value in *ret (from "--f=v" or the next argument). */
static int take_value(int argc, const char *argv[], int *i, const char **ret)
{
	const char *eq = strchr(argv[*i], '=');

	if (eq) {
		*ret = eq + 1;
		return 0;
	}
	if (*i + 1 >= argc) {
		fprintf(stderr, "%s: flag `%s' needs a value\n", PROG_NAME, argv[*i]);
		return -EINVAL;
	}
	*ret = argv[++*i];
	return 0;
}

/* The user's arguments: script flags are consumed, the rest go to weaver as they are. */
static int parse_user_args(struct launch *l, int argc, const char *argv[], const char ***ret_rest,
			   int *ret_nrest)
{
	static const char *rest[MAX_WEAVER_ARGS];
	int i, n = 0, r = 0;

	for (i = 1; i < argc && !r; i++) {
		const char *a = argv[i];

		if (flag_is(a, "--password")) {
			r = take_value(argc, argv, &i, &l->password);
		} else if (flag_is(a, "--port")) {
			r = take_value(argc, argv, &i, &l->port);
		} else if (flag_is(a, "--no-restart") || flag_is(a, "--plugin") ||
			   flag_is(a, "--proxy")) {
			continue; /* no container to restart, no plugin or proxy in this build */
		} else if (n >= MAX_WEAVER_ARGS - 32) {
			fprintf(stderr, "%s: too many arguments\n", PROG_NAME);
			r = -E2BIG;
		} else {
			l->has_nickname |= flag_is(a, "--nickname");
			l->has_mtu |= flag_is(a, "--mtu");
			l->has_db_prefix |= flag_is(a, "--db-prefix");
			rest[n++] = a;
		}
	}
	*ret_rest = rest;
	*ret_nrest = n;
	return r;
}

static int build_args(struct launch *l, const char *weaver, int argc, const char *argv[])
{
	const char **rest;
	int i, nrest, mtu, r;

	l->port = cli_port();
	l->password = getenv("WEAVE_PASSWORD");
	r = parse_user_args(l, argc, argv, &rest, &nrest);
	if (r < 0)
		return r;
	mtu = cli_mtu();
	if (mtu < 0)
		return -EINVAL;
	add_arg(l, weaver);
	add_arg(l, "--port");
	add_arg(l, l->port);
	if (!l->has_nickname) {
		if (gethostname(l->hostname, sizeof(l->hostname) - 1) < 0)
			strcpy(l->hostname, "weave");
		add_arg(l, "--nickname");
		add_arg(l, l->hostname);
	}
	add_arg(l, "--http-addr");
	add_arg(l, cli_http_addr());
	add_arg(l, "--status-addr");
	add_arg(l, cli_status_addr());
	if (mtu && !l->has_mtu) {
		snprintf(l->mtu, sizeof(l->mtu), "%d", mtu);
		add_arg(l, "--mtu");
		add_arg(l, l->mtu);
	}
	if (!l->has_db_prefix) {
		snprintf(l->db_prefix, sizeof(l->db_prefix), "%s", cli_state_path("weave-net"));
		add_arg(l, "--db-prefix");
		add_arg(l, l->db_prefix);
	}
	for (i = 0; i < nrest; i++)
		if (add_arg(l, rest[i]) < 0)
			return -E2BIG;
	l->args[l->n] = NULL;
	return 0;
}

static int write_pid_file(pid_t pid)
{
	const char *path = cli_run_path("weaver.pid");
	char tmp[PATH_MAX];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "%d\n", (int)pid);
	if (fclose(f) < 0 || rename(tmp, path) < 0)
		return -errno;
	return 0;
}

/* The grandchild: becomes weaver. Reports its pid, then (only if exec fails) errno. */
static void __attribute__((noreturn)) exec_weaver(const struct launch *l, int logfd, int report)
{
	pid_t self = getpid();
	int null = open("/dev/null", O_RDONLY), err;

	if (null >= 0)
		dup2(null, STDIN_FILENO);
	dup2(logfd, STDOUT_FILENO);
	dup2(logfd, STDERR_FILENO);
	if (write(report, &self, sizeof(self)) != sizeof(self))
		_exit(127);
	err = write_pid_file(self);
	if (!err) {
		if (l->password)
			setenv("WEAVE_PASSWORD", l->password, 1);
		execv(l->args[0], (char *const *)l->args);
		err = -errno;
	}
	fprintf(stderr, "weave: cannot start %s: %s\n", l->args[0], strerror(-err));
	if (write(report, &err, sizeof(err)) != sizeof(err))
		_exit(127);
	_exit(127);
}

/* Starts weaver detached from us (its own session, reparented); returns its pid. */
static pid_t spawn_weaver(const struct launch *l, int logfd)
{
	int pipefd[2], status, err = 0;
	pid_t child, pid = -1;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	child = fork();
	if (child < 0) {
		err = -errno;
		goto out;
	}
	if (!child) {
		close(pipefd[0]);
		setsid();
		child = fork();
		if (child)
			_exit(child < 0);
		exec_weaver(l, logfd, pipefd[1]);
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	waitpid(child, &status, 0);
	if (read(pipefd[0], &pid, sizeof(pid)) != sizeof(pid))
		err = -ECHILD;
	else if (read(pipefd[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
out:
	close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return err < 0 ? err : pid;
}

static void print_log_tail(void)
{
	const char *path = cli_run_path("weaver.log");
	char *lines[LOG_TAIL_LINES] = { 0 }, *line = NULL;
	unsigned int n = 0, i;
	size_t cap = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		free(lines[n % LOG_TAIL_LINES]);
		lines[n++ % LOG_TAIL_LINES] = line;
		line = NULL;
		cap = 0;
	}
	free(line);
	fclose(f);
	fprintf(stderr, "The last lines of %s:\n", path);
	for (i = n > LOG_TAIL_LINES ? n - LOG_TAIL_LINES : 0; i < n; i++) {
		fputs(lines[i % LOG_TAIL_LINES], stderr);
		free(lines[i % LOG_TAIL_LINES]);
	}
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Polls GET /status until it answers; 0, or -ECHILD if weaver died, -ETIMEDOUT. */
static int wait_answer(pid_t pid)
{
	int ms;

	for (ms = 0; ms < LAUNCH_WAIT_MS; ms += LAUNCH_POLL_MS) {
		if (cli_router_answers())
			return 0;
		if (!cli_pid_alive(pid))
			return -ECHILD;
		sleep_ms(LAUNCH_POLL_MS);
	}
	return -ETIMEDOUT;
}

/* Weave prints the router container's id; we print weaver's peer name (or its pid). */
static void print_id(pid_t pid)
{
	struct http_request req = { .method = "GET" };
	struct http_response resp = { 0 };
	char path[128], *q = NULL;

	if (!http_form_add(&q, "format", "{{.Router.Name}}")) {
		snprintf(path, sizeof(path), "/report?%s", q);
		req.path = path;
		if (!http_do(cli_http_addr(), &req, &resp))
			while (resp.len && resp.body[resp.len - 1] == '\n')
				resp.body[--resp.len] = '\0';
		if (resp.body && resp.status == 200 && resp.len && !strchr(resp.body, '\n')) {
			printf("%s\n", resp.body);
			http_response_done(&resp);
			free(q);
			return;
		}
		http_response_done(&resp);
	}
	free(q);
	printf("%d\n", (int)pid);
}

static int prepare_dirs(void)
{
	int r = cli_mkdirs(cli_run_dir());

	if (r < 0) {
		fprintf(stderr, "%s: cannot create `%s': %s\n", PROG_NAME, cli_run_dir(),
			strerror(-r));
		return r;
	}
	r = cli_mkdirs(cli_state_dir());
	if (r < 0)
		fprintf(stderr, "%s: cannot create `%s': %s\n", PROG_NAME, cli_state_dir(),
			strerror(-r));
	return r;
}

static int launch_failed(pid_t pid, int r)
{
	if (r == -ETIMEDOUT) {
		fprintf(stderr, "%s: weaver (pid %d) did not answer on %s within %d s\n", PROG_NAME,
			(int)pid, cli_http_addr(), LAUNCH_WAIT_MS / 1000);
		cli_stop_weaver();
	} else {
		fprintf(stderr, "%s: weaver exited before answering on %s\n", PROG_NAME,
			cli_http_addr());
		unlink(cli_run_path("weaver.pid"));
	}
	print_log_tail();
	return 1;
}

int launch_main(int argc, const char *argv[])
{
	struct launch *l = calloc(1, sizeof(*l));
	char weaver[PATH_MAX];
	int logfd, r;
	pid_t pid;

	if (!l)
		return 1;
	r = 1;
	if (cli_router_answers() || cli_weaver_pid()) {
		fprintf(stderr, "Weave Net is already running\n");
		goto out;
	}
	if (find_weaver(weaver, sizeof(weaver)) < 0) {
		fprintf(stderr, "%s: cannot find the weaver program next to weave or on PATH\n",
			PROG_NAME);
		goto out;
	}
	if (build_args(l, weaver, argc, argv) < 0 || prepare_dirs() < 0)
		goto out;
	logfd = open(cli_run_path("weaver.log"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0) {
		fprintf(stderr, "%s: cannot open `%s': %m\n", PROG_NAME,
			cli_run_path("weaver.log"));
		goto out;
	}
	pid = spawn_weaver(l, logfd);
	close(logfd);
	if (pid < 0) {
		fprintf(stderr, "%s: cannot start `%s': %s\n", PROG_NAME, weaver, strerror(-pid));
		print_log_tail();
		goto out;
	}
	r = wait_answer(pid);
	if (r < 0) {
		r = launch_failed(pid, r);
		goto out;
	}
	print_id(pid);
out:
	free(l);
	return r;
}
