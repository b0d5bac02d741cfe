// SPDX-License-Identifier: GPL-2.0
/* dpscale: programs many peers or teaches many MACs to a weave device through the kdp
 * client, for the scale test (the CLI would take a process per entry).
 * Usage: dpscale <dev> add-peers <count>      peers 1..count (skipping the device's id)
 *        dpscale <dev> del-peers <count>
 *        dpscale <dev> learn-macs <count> <peer>  frames from <count> source MACs, as if
 *                                                 received from <peer>, injected locally
 */
#include "overlay/kdp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_peers(struct kdp *kdp, const char *dev, unsigned int count, uint16_t self)
{
	unsigned int id;
	int r;

	for (id = 1; id <= count; id++) {
		struct kdp_peer_config cfg = { .short_id = id, .has_name = true, .has_addr = true };

		if (id == self)
			continue;
		cfg.name[0] = 0xaa;
		cfg.name[4] = id >> 8;
		cfg.name[5] = id & 0xff;
		cfg.addr = htonl(0x0a000000 | id);
		r = kdp_peer_set(kdp, dev, &cfg);
		if (r < 0) {
			fprintf(stderr, "dpscale: peer %u: %s %s\n", id, strerror(-r),
				kdp_last_error(kdp));
			return r;
		}
	}
	return 0;
}

static int del_peers(struct kdp *kdp, const char *dev, unsigned int count, uint16_t self)
{
	unsigned int id;
	int r;

	for (id = 1; id <= count; id++) {
		if (id == self)
			continue;
		r = kdp_peer_del(kdp, dev, id);
		if (r < 0) {
			fprintf(stderr, "dpscale: del peer %u: %s\n", id, strerror(-r));
			return r;
		}
	}
	return 0;
}

static int learn_macs(struct kdp *kdp, const char *dev, unsigned int count, int peer)
{
	uint8_t frame[60] = { 0x02, 0xff, 0xff, 0xff, 0xff, 0xfe };
	unsigned int i;
	int r;

	frame[12] = 0x88; /* a local experimental ethertype: nobody answers it */
	frame[13] = 0xb5;
	for (i = 0; i < count; i++) {
		frame[6] = 0x02;
		frame[7] = 0x42;
		frame[8] = i >> 24;
		frame[9] = i >> 16;
		frame[10] = i >> 8;
		frame[11] = i;
		r = kdp_pkt_execute(kdp, dev, frame, sizeof(frame), -1, peer);
		if (r < 0) {
			fprintf(stderr, "dpscale: frame %u: %s %s\n", i, strerror(-r),
				kdp_last_error(kdp));
			return r;
		}
	}
	return 0;
}

int main(int argc, char *argv[])
{
	struct kdp_device *devs = NULL;
	struct kdp *kdp = NULL;
	unsigned int count;
	size_t n = 0;
	int r;

	if (argc < 4 || (!strcmp(argv[2], "learn-macs") && argc != 5)) {
		fprintf(stderr,
			"Usage: %s <dev> add-peers|del-peers <count> | learn-macs <count> <peer>\n",
			argv[0]);
		return 2;
	}
	count = strtoul(argv[3], NULL, 10);
	r = kdp_open(&kdp);
	if (r < 0) {
		fprintf(stderr, "dpscale: %s\n", strerror(-r));
		return 1;
	}
	r = kdp_device_dump(kdp, argv[1], &devs, &n);
	if (r < 0 || n != 1) {
		fprintf(stderr, "dpscale: no device %s\n", argv[1]);
		r = -ENODEV;
		goto out;
	}
	if (!strcmp(argv[2], "add-peers"))
		r = add_peers(kdp, argv[1], count, devs[0].short_id);
	else if (!strcmp(argv[2], "del-peers"))
		r = del_peers(kdp, argv[1], count, devs[0].short_id);
	else if (!strcmp(argv[2], "learn-macs"))
		r = learn_macs(kdp, argv[1], count, atoi(argv[4]));
	else
		r = -EINVAL;
out:
	free(devs);
	kdp_close(kdp);
	return r < 0 ? 1 : 0;
}
