/* SPDX-License-Identifier: GPL-2.0 */
/* The weave CLI's subcommands: each is a <name>_main(argc, argv) with argv[0] = its name. */
#ifndef WEAVE_CLI_H
#define WEAVE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define PROG_NAME "weave"

struct kdp;
struct kdp_device;

int help_main(int argc, const char *argv[]);
int version_main(int argc, const char *argv[]);
int launch_main(int argc, const char *argv[]);
int stop_main(int argc, const char *argv[]);
int reset_main(int argc, const char *argv[]);
int status_main(int argc, const char *argv[]);
int report_main(int argc, const char *argv[]);
int connect_main(int argc, const char *argv[]);
int forget_main(int argc, const char *argv[]);
int attach_main(int argc, const char *argv[]);
int detach_main(int argc, const char *argv[]);
int ps_main(int argc, const char *argv[]);
int datapath_main(int argc, const char *argv[]);

/* The full usage text (weave.c), as Weave prints it after a usage error. */
void cli_usage(void);
/* "Usage: weave <one line>" of one subcommand, to stderr; returns 1 (the exit code). */
int cli_usage_of(const char *name);

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

/* The host's weave environment (env.c): WEAVE_* variables with Weave's defaults. */
const char *cli_http_addr(void); /* WEAVE_HTTP_ADDR, 127.0.0.1:6784 */
const char *cli_status_addr(void); /* WEAVE_STATUS_ADDR, 127.0.0.1:6782 */
const char *cli_state_dir(void); /* WEAVE_STATE_DIR, /var/lib/weave */
const char *cli_run_dir(void); /* WEAVE_RUN_DIR, /run/weave */
const char *cli_port(void); /* WEAVE_PORT, 6783 */
/* WEAVE_MTU if set and valid (else 0); a bad value is reported on stderr and gives -1. */
int cli_mtu(void);
/* "<dir>/<name>" in a static buffer (one of a few rotating ones). */
const char *cli_run_path(const char *name);
const char *cli_state_path(const char *name);
/* mkdir -p; 0 or a negative errno. */
int cli_mkdirs(const char *path);

/* Talking to weaver (router.c), with the weave script's call_weave semantics. */
enum {
	CALL_OK = 0,
	CALL_FAILED = 1, /* non-2xx other than 404: body went to stderr */
	CALL_NOT_FOUND = 4, /* 404: body swallowed */
	CALL_NOT_RUNNING = 5, /* nothing answered on the HTTP address */
};

/* method path [form body] to WEAVE_HTTP_ADDR, with an Accept header if accept is set:
 * prints a 2xx body to stdout, other bodies (but a 404's) to stderr; or, if ret_body is
 * not NULL, hands a 2xx body over (malloc'ed) instead of printing it. When nothing
 * answers, prints the not-running line and returns CALL_NOT_RUNNING.
 */
int cli_call(const char *method, const char *path, const char *accept, const char *form,
	     char **ret_body);
/* The one line saying weaver isn't running (and where the CLI looked). */
void cli_print_not_running(void);
/* true when GET /status answers at all (any HTTP status). */
bool cli_router_answers(void);
/* The pid in $WEAVE_RUN_DIR/weaver.pid if that process is alive and is a weaver, else 0. */
pid_t cli_weaver_pid(void);
/* Whether pid names a live (non-zombie) process. */
bool cli_pid_alive(pid_t pid);
/* Stops the weaver of this host: SIGTERM, up to 10 s, then SIGKILL. Prints nothing.
 * Returns 0 when it stopped, -ESRCH when none ran, another negative errno on failure.
 */
int cli_stop_weaver(void);

#endif /* WEAVE_CLI_H */
