// SPDX-License-Identifier: GPL-2.0
/* The host's weave environment: the WEAVE_* variables with Weave's defaults. Several hosts
 * (network namespaces) on one machine differ only in these, so every file the CLI and
 * weaver keep lives under WEAVE_STATE_DIR or WEAVE_RUN_DIR.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

const char *cli_http_addr(void)
{
	return env_or("WEAVE_HTTP_ADDR", "127.0.0.1:6784");
}

const char *cli_status_addr(void)
{
	return env_or("WEAVE_STATUS_ADDR", "127.0.0.1:6782");
}

const char *cli_state_dir(void)
{
	return env_or("WEAVE_STATE_DIR", "/var/lib/weave");
}

const char *cli_run_dir(void)
{
	return env_or("WEAVE_RUN_DIR", "/run/weave");
}

const char *cli_port(void)
{
	return env_or("WEAVE_PORT", "6783");
}

int cli_mtu(void)
{
	const char *v = getenv("WEAVE_MTU");
	unsigned long mtu;
	char *end;

	if (!v || !*v)
		return 0;
	errno = 0;
	mtu = strtoul(v, &end, 10);
	if (errno || *end || mtu < 68 || mtu > 65535) {
		fprintf(stderr, "%s: invalid WEAVE_MTU `%s' (want 68..65535)\n", PROG_NAME, v);
		return -1;
	}
	return (int)mtu;
}

static const char *join(const char *dir, const char *name)
{
	static char bufs[4][4096];
	static unsigned int next;
	char *b = bufs[next++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
	return b;
}

const char *cli_run_path(const char *name)
{
	return join(cli_run_dir(), name);
}

const char *cli_state_path(const char *name)
{
	return join(cli_state_dir(), name);
}

int cli_mkdirs(const char *path)
{
	char buf[4096];
	size_t i, n = strlen(path);

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		buf[i] = path[i];
	}
	return 0;
}
