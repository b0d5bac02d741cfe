// SPDX-License-Identifier: GPL-2.0
/* registry: the attached containers of this host ($WEAVE_RUN_DIR/attached), rewritten
 * whole (temporary file, then rename) on every change.
 */
#include "cli/registry.h"
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { REGISTRY_MAX = 4096 };

static const char *registry_path(void)
{
	return cli_run_path("attached");
}

void registry_free(struct registry_entry *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(e[i].key);
		free(e[i].id);
		free(e[i].path);
	}
	free(e);
}

static int parse_line(char *line, struct registry_entry *e)
{
	char *tab1 = strchr(line, '\t'), *tab2, *nl;

	if (!tab1 || !(tab2 = strchr(tab1 + 1, '\t')))
		return -EINVAL;
	*tab1 = *tab2 = '\0';
	nl = strchr(tab2 + 1, '\n');
	if (nl)
		*nl = '\0';
	e->key = strdup(line);
	e->id = strdup(tab1 + 1);
	e->path = strdup(tab2 + 1);
	if (!e->key || !e->id || !e->path) {
		free(e->key);
		free(e->id);
		free(e->path);
		return -ENOMEM;
	}
	return 0;
}

int registry_load(struct registry_entry **ret, size_t *ret_n)
{
	FILE *f = fopen(registry_path(), "re");
	struct registry_entry *e;
	char *line = NULL;
	size_t cap = 0, n = 0;
	int r = 0;

	*ret = NULL;
	*ret_n = 0;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	e = calloc(REGISTRY_MAX, sizeof(*e));
	if (!e) {
		fclose(f);
		return -ENOMEM;
	}
	while (n < REGISTRY_MAX && getline(&line, &cap, f) > 0) {
		r = parse_line(line, &e[n]);
		if (r == -ENOMEM)
			break;
		if (!r)
			n++;
		r = 0;
	}
	free(line);
	fclose(f);
	if (r < 0) {
		registry_free(e, n);
		return r;
	}
	*ret = e;
	*ret_n = n;
	return 0;
}

static int registry_write(const struct registry_entry *e, size_t n, const char *skip_key)
{
	char tmp[PATH_MAX];
	size_t i;
	FILE *f;
	int r;

	r = cli_mkdirs(cli_run_dir());
	if (r < 0)
		return r;
	snprintf(tmp, sizeof(tmp), "%s.tmp", registry_path());
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	for (i = 0; i < n; i++)
		if (!skip_key || strcmp(e[i].key, skip_key))
			fprintf(f, "%s\t%s\t%s\n", e[i].key, e[i].id, e[i].path);
	if (fclose(f) < 0 || rename(tmp, registry_path()) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return 0;
}

int registry_add(const char *key, const char *id, const char *path)
{
	struct registry_entry *e;
	size_t n, i;
	int r;

	if (strpbrk(key, "\t\n") || strpbrk(id, "\t\n") || strpbrk(path, "\t\n"))
		return -EINVAL;
	r = registry_load(&e, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++)
		if (!strcmp(e[i].key, key))
			break;
	if (i < n) {
		registry_free(e, n);
		return 0;
	}
	if (n == REGISTRY_MAX) {
		registry_free(e, n);
		return -ENOSPC;
	}
	if (!e)
		e = calloc(REGISTRY_MAX, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e[n].key = strdup(key);
	e[n].id = strdup(id);
	e[n].path = strdup(path);
	n++;
	if (!e[n - 1].key || !e[n - 1].id || !e[n - 1].path)
		r = -ENOMEM;
	if (!r)
		r = registry_write(e, n, NULL);
	registry_free(e, n);
	return r;
}

int registry_remove(const char *key)
{
	struct registry_entry *e;
	size_t n;
	int r;

	r = registry_load(&e, &n);
	if (r < 0 || !e)
		return r;
	r = registry_write(e, n, key);
	registry_free(e, n);
	return r;
}
