// SPDX-License-Identifier: GPL-2.0
/* options: parsing of weaver's flags with getopt_long_only (Go's flag package accepts one or
 * two dashes and "--flag=value"); flags of services not built yet are accepted and ignored.
 */
#include "weaver/options.h"

#include "lib/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_PORT = 1000,
	OPT_NAME,
	OPT_NICKNAME,
	OPT_PASSWORD,
	OPT_TRUSTED,
	OPT_CONN_LIMIT,
	OPT_NO_DISCOVERY,
	OPT_HTTP_ADDR,
	OPT_STATUS_ADDR,
	OPT_MTU,
	OPT_DB_PREFIX,
	OPT_LOG_LEVEL,
	OPT_BRIDGE,
	OPT_RESUME,
	OPT_VERSION,
	OPT_HELP,
	OPT_IGNORED_ARG,
	OPT_IGNORED_BOOL,
};

#define IGNORED_ARG(n)                                      \
	{                                                   \
		n, required_argument, NULL, OPT_IGNORED_ARG \
	}
#define IGNORED_BOOL(n)                                      \
	{                                                    \
		n, optional_argument, NULL, OPT_IGNORED_BOOL \
	}

static const struct option options[] = {
	{ "port", required_argument, NULL, OPT_PORT },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "nickname", required_argument, NULL, OPT_NICKNAME },
	{ "password", required_argument, NULL, OPT_PASSWORD },
	{ "trusted-subnets", required_argument, NULL, OPT_TRUSTED },
	{ "conn-limit", required_argument, NULL, OPT_CONN_LIMIT },
	{ "no-discovery", optional_argument, NULL, OPT_NO_DISCOVERY },
	{ "http-addr", required_argument, NULL, OPT_HTTP_ADDR },
	{ "status-addr", required_argument, NULL, OPT_STATUS_ADDR },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "db-prefix", required_argument, NULL, OPT_DB_PREFIX },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "weave-bridge", required_argument, NULL, OPT_BRIDGE },
	{ "resume", optional_argument, NULL, OPT_RESUME },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, OPT_HELP },
	IGNORED_ARG("host"),
	IGNORED_ARG("min-protocol-version"),
	IGNORED_ARG("docker-bridge"),
	IGNORED_ARG("bufsz"),
	IGNORED_ARG("metrics-addr"),
	IGNORED_ARG("ipalloc-init"),
	IGNORED_ARG("ipalloc-range"),
	IGNORED_ARG("ipalloc-default-subnet"),
	IGNORED_ARG("docker-api"),
	IGNORED_ARG("dns-domain"),
	IGNORED_ARG("dns-listen-address"),
	IGNORED_ARG("dns-ttl"),
	IGNORED_ARG("dns-fallback-timeout"),
	IGNORED_ARG("resolv-conf"),
	IGNORED_ARG("datapath"),
	IGNORED_ARG("proc-path"),
	IGNORED_ARG("host-root"),
	IGNORED_ARG("peer-discovery-url"),
	IGNORED_ARG("token"),
	IGNORED_ARG("advertise-address"),
	IGNORED_ARG("plugin-socket"),
	IGNORED_ARG("plugin-mesh-socket"),
	IGNORED_ARG("log-prefix"),
	IGNORED_BOOL("expect-npc"),
	IGNORED_BOOL("pkt-debug"),
	IGNORED_BOOL("no-dns"),
	IGNORED_BOOL("no-fastdp"),
	IGNORED_BOOL("no-bridged-fastdp"),
	IGNORED_BOOL("awsvpc"),
	IGNORED_BOOL("plugin"),
	IGNORED_BOOL("plugin-v2"),
	IGNORED_BOOL("plugin-v2-multicast"),
	IGNORED_BOOL("no-masq-local"),
	IGNORED_BOOL("no-default-ipalloc"),
	IGNORED_BOOL("no-multicast-route"),
	IGNORED_BOOL("print-peer-name"),
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: weaver [flags] [peer ...]\n"
		"  --port N             TCP and UDP port (default 6783)\n"
		"  --name MAC           peer name (default: persisted, else the bridge's MAC)\n"
		"  --nickname NAME      nickname (default: hostname)\n"
		"  --password PW        encrypt the mesh (or WEAVE_PASSWORD)\n"
		"  --trusted-subnets    comma-separated CIDRs not to encrypt sleeve traffic to\n"
		"  --conn-limit N       connection limit (default 200)\n"
		"  --no-discovery       do not connect to peers discovered through others\n"
		"  --http-addr ADDR     HTTP API address (e.g. 127.0.0.1:6784)\n"
		"  --status-addr ADDR   read-only status address\n"
		"  --mtu N              bridge MTU (default 65535 with sleeve)\n"
		"  --db-prefix PREFIX   database path prefix (default $WEAVE_STATE_DIR/weave-net)\n"
		"  --log-level LEVEL    debug, info, warning, error (default info)\n"
		"  --weave-bridge NAME  bridge name (default weave)\n"
		"  --resume             use the persisted targets instead of the peers given\n"
		"  --version            print the version and exit\n"
		"Environment: WEAVE_PASSWORD, WEAVE_STATE_DIR (/var/lib/weave), WEAVE_RUN_DIR "
		"(/run/weave)\n");
}

static bool parse_bool(const char *arg)
{
	return !arg || !strcmp(arg, "true") || !strcmp(arg, "1") || !strcmp(arg, "t");
}

static int parse_uint(const char *name, const char *arg, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || v > max) {
		log_error("invalid value \"%s\" for flag -%s", arg, name);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

int weaver_parse_trusted(const char *list, struct router_config *cfg)
{
	char *copy = strdup(list), *save = NULL;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		struct router_subnet *s = &cfg->trusted[cfg->n_trusted];
		char *slash = strchr(p, '/');
		unsigned long bits = 32;

		if (cfg->n_trusted >= ROUTER_TRUSTED_MAX || !slash ||
		    parse_uint("trusted-subnets", slash + 1, 32, &bits) < 0) {
			r = log_error_errno(EINVAL, "invalid CIDR address: %s", p);
			break;
		}
		*slash = '\0';
		if (inet_pton(AF_INET, p, &s->addr) != 1) {
			r = log_error_errno(EINVAL, "invalid CIDR address: %s/%lu", p, bits);
			break;
		}
		s->mask.s_addr = bits ? htonl(~0u << (32 - bits)) : 0;
		s->addr.s_addr &= s->mask.s_addr;
		snprintf(s->text, sizeof(s->text), "%s/%lu", inet_ntoa(s->addr), bits);
		cfg->n_trusted++;
	}
	free(copy);
	return r;
}

static int apply_option(struct weaver_options *o, int c, const char *arg, const char **db_prefix)
{
	struct router_config *cfg = &o->router;
	enum log_level level;
	unsigned long v;
	int r;

	switch (c) {
	case OPT_PORT:
		r = parse_uint("port", arg, 65535, &v);
		cfg->port = (uint16_t)v;
		return r;
	case OPT_NAME:
		if (mesh_peer_name_parse(arg, &cfg->name) < 0)
			return log_error_errno(EINVAL, "invalid peer name: %s", arg);
		return 0;
	case OPT_NICKNAME:
		snprintf(cfg->nickname, sizeof(cfg->nickname), "%s", arg);
		return 0;
	case OPT_PASSWORD:
		free(cfg->password);
		cfg->password = arg[0] ? strdup(arg) : NULL;
		return 0;
	case OPT_TRUSTED:
		return weaver_parse_trusted(arg, cfg);
	case OPT_CONN_LIMIT:
		r = parse_uint("conn-limit", arg, 100000, &v);
		cfg->conn_limit = (unsigned int)v;
		return r;
	case OPT_NO_DISCOVERY:
		cfg->discovery = !parse_bool(arg);
		return 0;
	case OPT_HTTP_ADDR:
		cfg->http_addr = arg;
		return 0;
	case OPT_STATUS_ADDR:
		cfg->status_addr = arg;
		return 0;
	case OPT_MTU:
		r = parse_uint("mtu", arg, 65535, &v);
		cfg->mtu = (unsigned int)v;
		return r;
	case OPT_DB_PREFIX:
		*db_prefix = arg;
		return 0;
	case OPT_LOG_LEVEL:
		if (log_parse_level(arg, &level) < 0)
			return log_error_errno(EINVAL, "invalid log level: %s", arg);
		log_set_level(level);
		return 0;
	case OPT_BRIDGE:
		cfg->bridge = arg;
		return 0;
	case OPT_RESUME:
		cfg->resume = parse_bool(arg);
		return 0;
	default:
		return -EINVAL;
	}
}

static void defaults(struct weaver_options *o)
{
	const char *env;

	memset(o, 0, sizeof(*o));
	o->router.port = MESH_DEFAULT_PORT;
	o->router.conn_limit = ROUTER_DEFAULT_CONN_LIMIT;
	o->router.discovery = true;
	o->router.bridge = "weave";
	if (gethostname(o->router.nickname, sizeof(o->router.nickname) - 1) < 0)
		o->router.nickname[0] = '\0';
	env = getenv("WEAVE_STATE_DIR");
	o->state_dir = env && env[0] ? env : WEAVER_DEFAULT_STATE_DIR;
	env = getenv("WEAVE_RUN_DIR");
	o->run_dir = env && env[0] ? env : WEAVER_DEFAULT_RUN_DIR;
	env = getenv("WEAVE_PASSWORD");
	if (env && env[0])
		o->router.password = strdup(env);
}

static char *join_cmdline(int argc, char **argv)
{
	size_t len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	bool mask = false;

	if (!f)
		return NULL;
	for (int i = 1; i < argc; i++) {
		bool is_pw = strstr(argv[i], "password") != NULL;

		fprintf(f, "%s%s", i > 1 ? " " : "",
			mask				? "<redacted>" :
			(is_pw && strchr(argv[i], '=')) ? "--password=<redacted>" :
							  argv[i]);
		mask = is_pw && !strchr(argv[i], '=');
	}
	fclose(f);
	return buf;
}

int weaver_options_parse(int argc, char **argv, struct weaver_options *o)
{
	const char *db_prefix = NULL;
	int c, r;

	defaults(o);
	optind = 1;
	opterr = 1;
	while ((c = getopt_long_only(argc, argv, "", options, NULL)) != -1) {
		if (c == OPT_VERSION) {
			printf("weave router %s\n", WEAVE_VERSION);
			return 0;
		}
		if (c == OPT_HELP) {
			usage(stdout);
			return 0;
		}
		if (c == OPT_IGNORED_ARG || c == OPT_IGNORED_BOOL) {
			log_warning("Ignoring flag %s: not supported by this weaver yet",
				    argv[optind - 1]);
			continue;
		}
		if (c == '?' || apply_option(o, c, optarg, &db_prefix) < 0) {
			usage(stderr);
			return -EINVAL;
		}
	}
	o->router.peers = argv + optind;
	o->router.n_peers = (size_t)(argc - optind);
	if (db_prefix)
		r = asprintf(&o->db_path, "%s%s", db_prefix, WEAVER_DB_SUFFIX);
	else
		r = asprintf(&o->db_path, "%s/weave-net%s", o->state_dir, WEAVER_DB_SUFFIX);
	if (r < 0) {
		o->db_path = NULL;
		return log_oom();
	}
	o->router.db_path = o->db_path;
	o->cmdline = join_cmdline(argc, argv);
	return 1;
}

void weaver_options_done(struct weaver_options *o)
{
	free(o->db_path);
	free(o->cmdline);
	if (o->router.password)
		memset(o->router.password, 0, strlen(o->router.password));
	free(o->router.password);
	memset(o, 0, sizeof(*o));
}
