// SPDX-License-Identifier: GPL-2.0
/* sleeve_overlay: the sleeve UDP socket and the per-connection forwarders: heartbeats and
 * their acknowledgement, PMTU verification on a connected DF socket, batching, NaCl.
 */
#include "overlay/sleeve_overlay.h"

#include "lib/evl.h"
#include "lib/log.h"
#include "overlay/sleeve/sleeve_batch.h"
#include "overlay/sleeve/sleeve_control.h"
#include "overlay/sleeve/sleeve_crypto.h"
#include "overlay/sleeve/sleeve_datagram.h"
#include "overlay/sleeve/sleeve_mtu.h"
#include "overlay/sleeve/sleeve_rx.h"
#include "overlay/sleeve/sleeve_special.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SLEEVE_RX_BATCH 64 /* datagrams read per wake-up */
#define SLEEVE_DEFAULT_UNDERLAY_MTU 1500

struct sleeve_fwd {
	struct sleeve_overlay *so;
	struct sleeve_fwd *next;
	struct sleeve_fwd_config cfg;
	char remote_str[MESH_PEER_NAME_STRLEN];
	uint8_t local_bytes[SLEEVE_NAME_LEN];
	uint8_t remote_bytes[SLEEVE_NAME_LEN];
	bool encrypted;
	uint8_t key[SLEEVE_KEY_LEN];
	struct sleeve_sealer sealer, sealer_df;
	struct sleeve_rx *rx;
	struct evl_source *heartbeat; /* sends heartbeats */
	struct evl_source *timeout; /* no heartbeat received for 60 s */
	struct evl_source *pmtu_timer;
	int df_fd; /* connected, IP_PMTUDISC_DO: PMTU probes */
	bool established; /* our heartbeats were acknowledged */
	bool ack_sent; /* we acknowledged theirs */
	bool mtu_verified;
	struct sleeve_pmtu pmtu;
	uint8_t *buf; /* the batch being built */
	struct sleeve_batch batch;
	bool failed;
};

struct sleeve_overlay {
	struct evl *evl;
	const struct sleeve_overlay_ops *ops;
	void *userdata;
	mesh_peer_name_t self;
	uint8_t self_bytes[SLEEVE_NAME_LEN];
	int fd;
	struct evl_source *io;
	struct sleeve_fwd *fwds;
	uint8_t (*rxbufs)[SLEEVE_RECV_BUF_LEN];
};

/* --- sending ------------------------------------------------------------------------------ */

static int fwd_sendto(struct sleeve_fwd *fwd, int fd, const uint8_t *buf, size_t len,
		      bool connected)
{
	ssize_t n;

	if (connected)
		n = send(fd, buf, len, MSG_DONTWAIT);
	else
		n = sendto(fd, buf, len, MSG_DONTWAIT, (const struct sockaddr *)&fwd->cfg.addr,
			   sizeof(fwd->cfg.addr));
	if (n < 0)
		return -errno;
	return 0;
}

static bool fwd_has_addr(const struct sleeve_fwd *fwd)
{
	return fwd->cfg.addr.sin_port != 0;
}

static int fwd_flush(struct sleeve_fwd *fwd)
{
	size_t len = 0;
	int r;

	if (fwd->batch.frames == 0)
		return 0;
	r = sleeve_batch_finish(&fwd->batch, &fwd->sealer, &len);
	if (r >= 0 && fwd_has_addr(fwd))
		r = fwd_sendto(fwd, fwd->so->fd, fwd->buf, len, false);
	sleeve_batch_reset(&fwd->batch);
	if (r < 0 && r != -EAGAIN)
		log_debug_errno(r, "sleeve ->[%s]: send failed", fwd->remote_str);
	return r;
}

/* A one-frame datagram of a special frame, on the DF socket or the main one. */
static int fwd_send_special(struct sleeve_fwd *fwd, bool df,
			    int (*add)(struct sleeve_fwd *fwd, struct sleeve_batch *b, size_t arg),
			    size_t arg)
{
	struct sleeve_batch b;
	size_t len = 0;
	uint8_t *buf;
	int r;

	if (!fwd_has_addr(fwd))
		return 0;
	buf = malloc(SLEEVE_MAX_DATAGRAM);
	if (!buf)
		return -ENOMEM;
	r = sleeve_batch_init(&b, buf, SLEEVE_MAX_DATAGRAM, SLEEVE_MAX_DATAGRAM, fwd->local_bytes,
			      fwd->encrypted);
	if (r >= 0)
		r = add(fwd, &b, arg);
	if (r >= 0)
		r = sleeve_batch_finish(&b, df ? &fwd->sealer_df : &fwd->sealer, &len);
	if (r >= 0)
		r = df ? fwd_sendto(fwd, fwd->df_fd, buf, len, true) :
			 fwd_sendto(fwd, fwd->so->fd, buf, len, false);
	free(buf);
	return r;
}

static int add_heartbeat(struct sleeve_fwd *fwd, struct sleeve_batch *b, size_t arg)
{
	(void)arg;
	return sleeve_batch_add_heartbeat(b, fwd->local_bytes, fwd->remote_bytes,
					  fwd->cfg.conn_uid);
}

static int add_frag_test(struct sleeve_fwd *fwd, struct sleeve_batch *b, size_t arg)
{
	(void)arg;
	return sleeve_batch_add_frag_test(b, fwd->local_bytes, fwd->remote_bytes);
}

static int add_pmtu_probe(struct sleeve_fwd *fwd, struct sleeve_batch *b, size_t frame_len)
{
	return sleeve_batch_add_pmtu_probe(b, fwd->local_bytes, fwd->remote_bytes,
					   (unsigned int)(frame_len - SLEEVE_ETH_HLEN));
}

static int add_pmtu_discovery(struct sleeve_fwd *fwd, struct sleeve_batch *b, size_t arg)
{
	(void)arg;
	return sleeve_batch_add_pmtu_discovery(b, fwd->local_bytes, fwd->remote_bytes);
}

/* --- PMTU verification -------------------------------------------------------------------- */

static void fwd_apply_pmtu_step(struct sleeve_fwd *fwd, enum sleeve_pmtu_step step,
				const struct sleeve_pmtu_probe *probe)
{
	switch (step) {
	case SLEEVE_PMTU_IDLE:
		break;
	case SLEEVE_PMTU_PROBE:
		(void)fwd_send_special(fwd, true, add_pmtu_probe, probe->frame_len);
		evl_timer_set_relative(fwd->pmtu_timer, probe->timeout_ms);
		break;
	case SLEEVE_PMTU_VERIFIED:
		evl_timer_disable(fwd->pmtu_timer);
		fwd->mtu_verified = true;
		fwd->batch.limit = fwd->pmtu.max_payload < SLEEVE_MAX_DATAGRAM ?
					   fwd->pmtu.max_payload :
					   SLEEVE_MAX_DATAGRAM;
		log_info("sleeve ->[%s]: Effective MTU verified at %d", fwd->remote_str,
			 fwd->pmtu.mtu);
		break;
	}
}

static void fwd_start_pmtu(struct sleeve_fwd *fwd)
{
	struct sleeve_pmtu_probe probe;
	int pmtu = SLEEVE_DEFAULT_UNDERLAY_MTU;
	socklen_t len = sizeof(pmtu);
	int r;

	r = fwd_send_special(fwd, true, add_pmtu_discovery, 0);
	if (r != -EMSGSIZE)
		return; /* a path that takes 60000 bytes: nothing to verify */
	if (getsockopt(fwd->df_fd, IPPROTO_IP, IP_MTU, &pmtu, &len) < 0)
		pmtu = SLEEVE_DEFAULT_UNDERLAY_MTU;
	fwd_apply_pmtu_step(fwd, sleeve_pmtu_emsgsize(&fwd->pmtu, pmtu, &probe), &probe);
}

static int fwd_pmtu_timeout(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	struct sleeve_fwd *fwd = userdata;
	struct sleeve_pmtu_probe probe;

	(void)s;
	(void)when_ms;
	fwd_apply_pmtu_step(fwd, sleeve_pmtu_timeout(&fwd->pmtu, &probe), &probe);
	return 0;
}

static int fwd_df_socket(struct sleeve_fwd *fwd)
{
	int val = IP_PMTUDISC_DO;

	if (fwd->df_fd >= 0)
		return 0;
	fwd->df_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fwd->df_fd < 0)
		return -errno;
	if (setsockopt(fwd->df_fd, IPPROTO_IP, IP_MTU_DISCOVER, &val, sizeof(val)) < 0 ||
	    connect(fwd->df_fd, (const struct sockaddr *)&fwd->cfg.addr, sizeof(fwd->cfg.addr)) < 0)
		return -errno;
	return 0;
}

/* --- heartbeats and control ---------------------------------------------------------------- */

static void fwd_fail(struct sleeve_fwd *fwd, const char *text)
{
	if (fwd->failed)
		return;
	fwd->failed = true;
	evl_timer_disable(fwd->heartbeat);
	evl_timer_disable(fwd->timeout);
	evl_timer_disable(fwd->pmtu_timer);
	fwd->so->ops->failed(fwd->so->userdata, fwd->cfg.conn, text);
}

static int fwd_heartbeat(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	struct sleeve_fwd *fwd = userdata;
	int r;

	evl_timer_set(s, when_ms + (fwd->established ? SLEEVE_SLOW_HEARTBEAT_MS :
						       SLEEVE_FAST_HEARTBEAT_MS));
	r = fwd_send_special(fwd, false, add_heartbeat, 0);
	if (r < 0 && r != -EAGAIN)
		log_debug_errno(r, "sleeve ->[%s]: heartbeat not sent", fwd->remote_str);
	return 0;
}

static int fwd_timeout(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	(void)s;
	(void)when_ms;
	fwd_fail(userdata, "no heartbeat received for 1m0s");
	return 0;
}

static void fwd_on_established(struct sleeve_fwd *fwd)
{
	int r;

	if (fwd->established)
		return;
	fwd->established = true;
	evl_timer_set_relative(fwd->heartbeat, SLEEVE_SLOW_HEARTBEAT_MS);
	(void)fwd_send_special(fwd, false, add_frag_test, 0);
	r = fwd_df_socket(fwd);
	if (r < 0)
		log_warning_errno(r, "sleeve ->[%s]: no DF socket for PMTU verification",
				  fwd->remote_str);
	else
		fwd_start_pmtu(fwd);
	fwd->so->ops->established(fwd->so->userdata, fwd->cfg.conn);
}

int sleeve_fwd_control(struct sleeve_fwd *fwd, uint8_t subtag, const uint8_t *msg, size_t len)
{
	struct sleeve_control ctl;
	struct sleeve_pmtu_probe probe;
	int r;

	r = sleeve_control_parse(subtag, msg, len, &ctl);
	if (r < 0) {
		log_warning("sleeve ->[%s]: ignoring control message %u: %s", fwd->remote_str,
			    subtag, strerror(-r));
		return 0;
	}
	switch (ctl.tag) {
	case SLEEVE_CONTROL_CONNECTION_ESTABLISHED:
		fwd_on_established(fwd);
		break;
	case SLEEVE_CONTROL_FRAGMENTATION_RECEIVED:
		log_debug("sleeve ->[%s]: fragmentation test passed", fwd->remote_str);
		break;
	case SLEEVE_CONTROL_PMTU_VERIFIED:
		fwd_apply_pmtu_step(fwd, sleeve_pmtu_ack(&fwd->pmtu, ctl.mtu, &probe), &probe);
		break;
	}
	return 0;
}

static void fwd_reply(struct sleeve_fwd *fwd, enum sleeve_frame_kind kind, size_t len)
{
	struct sleeve_control ctl;

	if (sleeve_control_reply(kind, len, &ctl) < 0)
		return;
	fwd->so->ops->send_control(fwd->so->userdata, fwd->cfg.conn, ctl.tag, ctl.msg, ctl.msg_len);
}

static void fwd_heartbeat_received(struct sleeve_fwd *fwd, const uint8_t *frame,
				   const struct sockaddr_in *from)
{
	if (sleeve_heartbeat_conn_uid(frame) != fwd->cfg.conn_uid)
		return;
	evl_timer_set_relative(fwd->timeout, SLEEVE_HEARTBEAT_TIMEOUT_MS);
	if (!fwd->cfg.outbound && (fwd->cfg.addr.sin_port != from->sin_port ||
				   fwd->cfg.addr.sin_addr.s_addr != from->sin_addr.s_addr)) {
		bool first = !fwd_has_addr(fwd);

		fwd->cfg.addr = *from;
		if (fwd->df_fd >= 0)
			connect(fwd->df_fd, (const struct sockaddr *)from, sizeof(*from));
		if (first)
			evl_timer_set_relative(fwd->heartbeat, 0);
	}
	if (!fwd->ack_sent) {
		fwd->ack_sent = true;
		fwd_reply(fwd, SLEEVE_FRAME_HEARTBEAT, SLEEVE_HEARTBEAT_LEN);
	}
}

static void fwd_special(struct sleeve_fwd *fwd, const struct sleeve_frame *f,
			const struct sockaddr_in *from)
{
	enum sleeve_frame_kind kind = sleeve_frame_classify(f->data, f->len);

	if (memcmp(f->src, fwd->remote_bytes, SLEEVE_NAME_LEN) != 0 ||
	    memcmp(f->dst, fwd->local_bytes, SLEEVE_NAME_LEN) != 0)
		return;
	if (kind == SLEEVE_FRAME_HEARTBEAT)
		fwd_heartbeat_received(fwd, f->data, from);
	else
		fwd_reply(fwd, kind, f->len);
}

/* --- receiving ----------------------------------------------------------------------------- */

static struct sleeve_fwd *overlay_find(struct sleeve_overlay *so, const uint8_t *sender)
{
	for (struct sleeve_fwd *f = so->fwds; f; f = f->next)
		if (memcmp(f->remote_bytes, sender, SLEEVE_NAME_LEN) == 0 && !f->failed)
			return f;
	return NULL;
}

static void overlay_frames(struct sleeve_overlay *so, struct sleeve_fwd *fwd,
			   const uint8_t *records, size_t len, const struct sockaddr_in *from)
{
	struct sleeve_frame_iter it;
	struct sleeve_frame f;
	int r;

	sleeve_frame_iter_init(&it, records, len);
	while ((r = sleeve_frame_next(&it, &f)) > 0) {
		mesh_peer_name_t src, dst;

		if (sleeve_frame_is_special(f.data, f.len)) {
			fwd_special(fwd, &f, from);
			continue;
		}
		if (f.len < SLEEVE_ETH_HLEN || !fwd->established)
			continue;
		mesh_peer_name_from_bytes(f.src, SLEEVE_NAME_LEN, &src);
		mesh_peer_name_from_bytes(f.dst, SLEEVE_NAME_LEN, &dst);
		so->ops->frame(so->userdata, src, dst, (uint8_t *)f.data, f.len);
	}
	if (r < 0)
		log_debug("sleeve <-[%s]: malformed frame records, dropped the rest",
			  fwd->remote_str);
}

static void overlay_datagram(struct sleeve_overlay *so, uint8_t *pkt, size_t len,
			     const struct sockaddr_in *from)
{
	struct sleeve_datagram d;
	struct sleeve_fwd *fwd;
	const uint8_t *records;
	size_t rlen;
	bool df;
	int r;

	if (sleeve_datagram_parse(pkt, len, &d) < 0)
		return;
	fwd = overlay_find(so, d.sender);
	if (!fwd) {
		log_debug("sleeve: datagram from unknown peer %s dropped",
			  inet_ntoa(from->sin_addr));
		return;
	}
	if (!fwd->encrypted) {
		overlay_frames(so, fwd, d.body, d.body_len, from);
		return;
	}
	r = sleeve_rx_open(fwd->rx, (uint8_t *)d.body, d.body_len, &records, &rlen, &df);
	if (r == -EALREADY)
		return;
	if (r < 0) {
		log_warning("sleeve <-[%s]: unable to decrypt datagram from %s, dropped",
			    fwd->remote_str, inet_ntoa(from->sin_addr));
		return;
	}
	overlay_frames(so, fwd, records, rlen, from);
}

static int overlay_read(struct evl_source *s, int fd, uint32_t revents, void *userdata)
{
	struct sleeve_overlay *so = userdata;
	struct mmsghdr msgs[SLEEVE_RX_BATCH];
	struct iovec iov[SLEEVE_RX_BATCH];
	struct sockaddr_in from[SLEEVE_RX_BATCH];
	int n;

	(void)s;
	(void)revents;
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < SLEEVE_RX_BATCH; i++) {
		iov[i].iov_base = so->rxbufs[i];
		iov[i].iov_len = SLEEVE_RECV_BUF_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &from[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
	}
	n = recvmmsg(fd, msgs, SLEEVE_RX_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -errno;
	for (int i = 0; i < n; i++)
		if (!(msgs[i].msg_hdr.msg_flags & MSG_TRUNC))
			overlay_datagram(so, so->rxbufs[i], msgs[i].msg_len, &from[i]);
	return 0;
}

/* --- lifetime ------------------------------------------------------------------------------ */

static int overlay_socket(uint16_t port, int *ret_fd)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int val = IP_PMTUDISC_DONT, buf = 4 << 20;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &val, sizeof(val)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

int sleeve_overlay_new(struct evl *evl, uint16_t port, mesh_peer_name_t self,
		       const struct sleeve_overlay_ops *ops, void *userdata,
		       struct sleeve_overlay **ret)
{
	struct sleeve_overlay *so = calloc(1, sizeof(*so));
	int r;

	if (!so)
		return -ENOMEM;
	so->evl = evl;
	so->ops = ops;
	so->userdata = userdata;
	so->self = self;
	so->fd = -1;
	mesh_peer_name_to_bytes(self, so->self_bytes);
	so->rxbufs = malloc(sizeof(*so->rxbufs) * SLEEVE_RX_BATCH);
	if (!so->rxbufs) {
		r = -ENOMEM;
		goto fail;
	}
	r = overlay_socket(port, &so->fd);
	if (r < 0) {
		log_error_errno(r, "Failed to bind UDP port %u for the sleeve overlay", port);
		goto fail;
	}
	r = evl_add_io(evl, so->fd, EPOLLIN, overlay_read, so, &so->io);
	if (r < 0) {
		close(so->fd);
		goto fail;
	}
	evl_io_set_fd_own(so->io, true);
	evl_source_set_description(so->io, "sleeve-udp");
	*ret = so;
	return 0;
fail:
	sleeve_overlay_free(so);
	return r;
}

struct sleeve_overlay *sleeve_overlay_free(struct sleeve_overlay *so)
{
	if (!so)
		return NULL;
	while (so->fwds)
		sleeve_fwd_free(so->fwds);
	evl_source_free(so->io);
	free(so->rxbufs);
	free(so);
	return NULL;
}

void sleeve_overlay_flush(struct sleeve_overlay *so)
{
	for (struct sleeve_fwd *f = so->fwds; f; f = f->next)
		fwd_flush(f);
}

static int fwd_setup_crypto(struct sleeve_fwd *fwd, const uint8_t *key)
{
	if (!key)
		return 0;
	fwd->encrypted = true;
	memcpy(fwd->key, key, SLEEVE_KEY_LEN);
	sleeve_sealer_init(&fwd->sealer, key, fwd->cfg.outbound, false);
	sleeve_sealer_init(&fwd->sealer_df, key, fwd->cfg.outbound, true);
	return sleeve_rx_new(key, fwd->cfg.outbound, &fwd->rx);
}

static int fwd_setup_timers(struct sleeve_fwd *fwd, struct evl *evl)
{
	int r;

	r = evl_add_timer_relative(evl, 0, fwd_heartbeat, fwd, &fwd->heartbeat);
	if (r >= 0)
		r = evl_add_timer_relative(evl, SLEEVE_HEARTBEAT_TIMEOUT_MS, fwd_timeout, fwd,
					   &fwd->timeout);
	if (r >= 0)
		r = evl_add_timer(evl, EVL_TIME_INFINITY, fwd_pmtu_timeout, fwd, &fwd->pmtu_timer);
	return r;
}

int sleeve_fwd_new(struct sleeve_overlay *so, const struct sleeve_fwd_config *cfg,
		   struct sleeve_fwd **ret)
{
	struct sleeve_fwd *fwd = calloc(1, sizeof(*fwd));
	int r;

	if (!fwd)
		return -ENOMEM;
	fwd->so = so;
	fwd->cfg = *cfg;
	fwd->cfg.key = NULL;
	fwd->df_fd = -1;
	mesh_peer_name_format(cfg->remote, fwd->remote_str);
	memcpy(fwd->local_bytes, so->self_bytes, SLEEVE_NAME_LEN);
	mesh_peer_name_to_bytes(cfg->remote, fwd->remote_bytes);
	r = fwd_setup_crypto(fwd, cfg->key);
	if (r < 0)
		goto fail;
	sleeve_pmtu_init(&fwd->pmtu, fwd->encrypted);
	fwd->buf = malloc(SLEEVE_MAX_DATAGRAM);
	if (!fwd->buf) {
		r = -ENOMEM;
		goto fail;
	}
	r = sleeve_batch_init(&fwd->batch, fwd->buf, SLEEVE_MAX_DATAGRAM,
			      sleeve_max_payload_for_mtu(sleeve_fwd_effective_mtu(fwd),
							 fwd->encrypted),
			      fwd->local_bytes, fwd->encrypted);
	if (r < 0)
		goto fail;
	r = fwd_setup_timers(fwd, so->evl);
	if (r < 0)
		goto fail;
	fwd->next = so->fwds;
	so->fwds = fwd;
	*ret = fwd;
	return 0;
fail:
	sleeve_fwd_free(fwd);
	return r;
}

struct sleeve_fwd *sleeve_fwd_free(struct sleeve_fwd *fwd)
{
	struct sleeve_fwd **p;

	if (!fwd)
		return NULL;
	for (p = &fwd->so->fwds; *p; p = &(*p)->next)
		if (*p == fwd) {
			*p = fwd->next;
			break;
		}
	evl_source_free(fwd->heartbeat);
	evl_source_free(fwd->timeout);
	evl_source_free(fwd->pmtu_timer);
	if (fwd->df_fd >= 0)
		close(fwd->df_fd);
	sleeve_rx_free(fwd->rx);
	sleeve_sealer_wipe(&fwd->sealer);
	sleeve_sealer_wipe(&fwd->sealer_df);
	memset(fwd->key, 0, sizeof(fwd->key));
	free(fwd->buf);
	free(fwd);
	return NULL;
}

int sleeve_fwd_send(struct sleeve_fwd *fwd, mesh_peer_name_t src, mesh_peer_name_t dst,
		    const uint8_t *frame, size_t len)
{
	uint8_t s[SLEEVE_NAME_LEN], d[SLEEVE_NAME_LEN];
	int r;

	mesh_peer_name_to_bytes(src, s);
	mesh_peer_name_to_bytes(dst, d);
	r = sleeve_batch_add(&fwd->batch, s, d, frame, len);
	if (r == -E2BIG) {
		fwd_flush(fwd);
		r = sleeve_batch_add(&fwd->batch, s, d, frame, len);
	}
	return r;
}

bool sleeve_fwd_established(const struct sleeve_fwd *fwd)
{
	return fwd->established;
}

bool sleeve_fwd_mtu(const struct sleeve_fwd *fwd, int *ret_mtu)
{
	if (!fwd->mtu_verified)
		return false;
	*ret_mtu = fwd->pmtu.mtu;
	return true;
}

int sleeve_fwd_effective_mtu(const struct sleeve_fwd *fwd)
{
	if (fwd->mtu_verified)
		return fwd->pmtu.mtu;
	return sleeve_mtu_for_pmtu(SLEEVE_DEFAULT_UNDERLAY_MTU, fwd->encrypted);
}
