/* SPDX-License-Identifier: GPL-2.0 */
/* The weave CLI's subcommands: each is a <name>_main(argc, argv) with argv[0] = its name. */
#ifndef WEAVE_CLI_H
#define WEAVE_CLI_H

#define PROG_NAME "weave"

int help_main(int argc, const char *argv[]);
int version_main(int argc, const char *argv[]);
int status_main(int argc, const char *argv[]);

#endif /* WEAVE_CLI_H */
