/* SPDX-License-Identifier: GPL-2.0 */
/* options: weaver's command line (Weave's flags, prog/weaver/main.go) and environment
 * (WEAVE_PASSWORD, WEAVE_STATE_DIR, WEAVE_RUN_DIR) turned into the router's configuration.
 */
#ifndef WEAVE_WEAVER_OPTIONS_H
#define WEAVE_WEAVER_OPTIONS_H

#include "weaver/router.h"

#define WEAVER_DEFAULT_STATE_DIR "/var/lib/weave"
#define WEAVER_DEFAULT_RUN_DIR "/run/weave"
#define WEAVER_DB_SUFFIX "data.db"

struct weaver_options {
	struct router_config router;
	const char *state_dir;
	const char *run_dir;
	char *db_path;
	char *cmdline; /* for the log, the password masked */
};

/* Returns 1 to run, 0 after --version/--help (printed), or -EINVAL after printing what is
 * wrong. Release with weaver_options_done in every case.
 */
int weaver_options_parse(int argc, char **argv, struct weaver_options *ret);
void weaver_options_done(struct weaver_options *o);

/* "10.0.0.0/8,192.168.0.0/16" into @o->router.trusted; -EINVAL with the bad one logged. */
int weaver_parse_trusted(const char *list, struct router_config *cfg);

#endif /* WEAVE_WEAVER_OPTIONS_H */
