/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtm-server-poller.h: a GPollFunc on an epoll set.
 *
 * poll() costs the kernel a wait-queue entry on every fd at every call, so
 * a worker with 30 mostly idle connections paid for all 30 on each frame.
 * The poller keeps the context's fds registered in an epoll set between
 * calls and only tells the kernel what changed; the wait itself costs the
 * same however many connections are idle.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RtmServerPoller RtmServerPoller;

/* NULL where epoll is not available: use the context's poll function. */
RtmServerPoller *rtm_server_poller_new       (void);
void             rtm_server_poller_free      (RtmServerPoller *self);
/* The contract of GPollFunc. */
int              rtm_server_poller_poll      (RtmServerPoller *self,
                                              GPollFD         *fds,
                                              guint            n_fds,
                                              int              timeout);
/* @fd is a new open file: a registration under that number is stale (the
 * kernel dropped the old file's when it was closed). */
void             rtm_server_poller_forget_fd (RtmServerPoller *self,
                                              int              fd);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtmServerPoller, rtm_server_poller_free)

G_END_DECLS
