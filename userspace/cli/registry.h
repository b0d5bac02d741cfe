/* SPDX-License-Identifier: GPL-2.0 */
/* registry: the containers attached on this host, for `weave ps`: one
 * "<key>\t<id>\t<netns path>" line each in $WEAVE_RUN_DIR/attached, written by attach and
 * detach. The key names the network namespace (its veth id), so a container attached under
 * two names (netns name, PID, path) is recorded once, under the first.
 */
#ifndef WEAVE_CLI_REGISTRY_H
#define WEAVE_CLI_REGISTRY_H

#include <stddef.h>

struct registry_entry {
	char *key;
	char *id;
	char *path;
};

/* Loads the entries (none if the file doesn't exist); 0 or a negative errno. */
int registry_load(struct registry_entry **ret, size_t *ret_n);
void registry_free(struct registry_entry *e, size_t n);
/* Adds an entry unless key has one; removes key's. 0 or a negative errno. */
int registry_add(const char *key, const char *id, const char *path);
int registry_remove(const char *key);

#endif /* WEAVE_CLI_REGISTRY_H */
