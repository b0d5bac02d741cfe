/* SPDX-License-Identifier: GPL-2.0 */
/* The weave CLI's subcommands: each is a <name>_main(argc, argv) with argv[0] = its name. */
#ifndef WEAVE_CLI_H
#define WEAVE_CLI_H

#include <stdint.h>

#define PROG_NAME "weave"

struct kdp;
struct kdp_device;

int help_main(int argc, const char *argv[]);
int version_main(int argc, const char *argv[]);
int status_main(int argc, const char *argv[]);
int datapath_main(int argc, const char *argv[]);

/* Shared by `status datapath` and `datapath` (status.c). */

/* Opens the kernel datapath; on failure prints the one-line reason (the module is not
 * loaded, or netlink fails) and returns a negative errno.
 */
int cli_open_datapath(struct kdp **ret_kdp);
/* A device in weave status's layout (labels right-aligned to column 15), or as one
 * tab-separated line (columns documented in status.c).
 */
void cli_print_device(const struct kdp_device *d);
void cli_print_device_tsv(const struct kdp_device *d);
/* A "<label>: no-peer 3, too-big 1" line of the non-zero drop counters; nothing if none. */
void cli_print_drops(const char *label, const uint64_t *drops);

#endif /* WEAVE_CLI_H */
