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
	{ "status", status_main, "status datapath [--tsv]" },
	{ "datapath", datapath_main,
	  "datapath <set|peer|del-peer|bcast|flush|inject|show|listen> <dev> ... (datapath help)" },
};

static void show_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %s %s\n", PROG_NAME, subcommands[i].usage);
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
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: invalid subcommand `%s'\n", PROG_NAME, argv[1]);
	show_usage(stderr);
	return 1;
}
