// SPDX-License-Identifier: GPL-2.0
/* weave: the command line interface. Dispatches to one function per subcommand. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int argc, const char *argv[]);
	const char *usage;
} subcommands[] = {
	{ "help", help_main, "help | --help" },
	{ "version", version_main, "version" },
	{ "launch", launch_main,
	  "launch [--password <pass>] [--port <port>] [--name <mac>] [--nickname <nickname>]\n"
	  "               [--trusted-subnets <cidr>,...] [--no-discovery] [--conn-limit <n>]\n"
	  "               [--log-level=debug|info|warning|error] <peer> ..." },
	{ "launch-router", launch_main, "launch-router (the same flags as launch) <peer> ..." },
	{ "stop", stop_main, "stop" },
	{ "reset", reset_main, "reset [--force]" },
	{ "status", status_main, "status [targets | connections | peers | dns | ipam]" },
	{ "report", report_main, "report [-f <format>]" },
	{ "connect", connect_main, "connect [--replace] [<peer> ...]" },
	{ "forget", forget_main, "forget <peer> ..." },
	{ "attach", attach_main,
	  "attach [--without-dns] [--no-multicast-route] <cidr> ... <container>" },
	{ "detach", detach_main, "detach [<cidr> ...] <container>" },
	{ "ps", ps_main, "ps [<container> ...]" },
	{ "status datapath", status_main, "status datapath [--tsv]" },
	{ "datapath", datapath_main,
	  "datapath <set|peer|del-peer|bcast|flush|inject|show|listen> <dev> ... (datapath help)" },
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void show_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage:\n");
	for (i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(f, "  %s %s\n", PROG_NAME, subcommands[i].usage);
	fprintf(f, "\n"
		   "  <peer> = <ip_address_or_fqdn>[:<port>]   <cidr> = [ip:]<address>/<prefix>\n"
		   "  <container> = <netns name> (/run/netns/<name>) | <netns path> | <pid>\n"
		   "Environment: WEAVE_HTTP_ADDR (127.0.0.1:6784), WEAVE_STATUS_ADDR "
		   "(127.0.0.1:6782),\n"
		   "  WEAVE_STATE_DIR (/var/lib/weave), WEAVE_RUN_DIR (/run/weave), WEAVE_PORT "
		   "(6783),\n"
		   "  WEAVE_MTU, WEAVE_PASSWORD\n");
}

void cli_usage(void)
{
	show_usage(stderr);
}

int cli_usage_of(const char *name)
{
	size_t i;

	for (i = 0; i < N_SUBCOMMANDS; i++) {
		if (!strcmp(name, subcommands[i].name)) {
			fprintf(stderr, "Usage: %s %s\n", PROG_NAME, subcommands[i].usage);
			break;
		}
	}
	return 1;
}

int help_main(int argc, const char *argv[])
{
	(void)argc;
	(void)argv;
	show_usage(stdout);
	return 0;
}

int main(int argc, const char *argv[])
{
	size_t i;

	if (argc < 2) {
		show_usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return help_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version"))
		return version_main(argc - 1, argv + 1);
	for (i = 0; i < N_SUBCOMMANDS; i++) {
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: invalid subcommand `%s'\n", PROG_NAME, argv[1]);
	show_usage(stderr);
	return 1;
}
