/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtm-server-shard.h: a thread with its own GMainContext that carries the
 * I/O of a share of the connections.
 *
 * A GMainContext iteration walks and polls every source it holds, so with
 * all connections in one context each frame costs time in proportion to
 * the number of clients. Shards divide that. All protocol work still runs
 * one thing at a time: every thread dispatches only while holding the
 * server's lock, and polls without it.
 */
#pragma once

#include <glib.h>

#include "rtm-server-poller.h"

G_BEGIN_DECLS

typedef struct _RtmServerShard RtmServerShard;

/* A fair lock: threads get it in the order they asked. A plain mutex lets
 * the thread that just released it take it straight back (its poll found
 * more work), starving the shards queued behind it. Each waiter sleeps on
 * its own condition and a release wakes only the next one: waking every
 * waiter to compare tickets cost a context switch per waiting thread per
 * hand-over, which with 16 or more workers ate the server's core. */
typedef struct {
  GMutex   mutex;
  gboolean held;
  GQueue   waiters;   /* of GCond on the waiters' stacks, first come first */
} RtmServerLock;

void rtm_server_lock_init    (RtmServerLock *lock);
void rtm_server_lock_clear   (RtmServerLock *lock);
void rtm_server_lock_acquire (RtmServerLock *lock);
void rtm_server_lock_release (RtmServerLock *lock);

/* Reusable poll buffer for rtm_server_shard_iterate(). */
typedef struct {
  GPollFD *fds;
  int      n_allocated;
  int      n_fds;          /* -1 before the first turn */
  int      max_priority;
  int      timeout;
  int      wakeup_fd;      /* the context's own wake-up fd, or -1 */
  RtmServerPoller *poller; /* owned; NULL: the context's poll function */
} RtmServerPollState;

#define RTM_SERVER_POLL_STATE_INIT { NULL, 0, -1, G_PRIORITY_DEFAULT, -1, -1, NULL }

RtmServerShard *rtm_server_shard_new          (RtmServerLock      *lock,
                                               guint               index);
/* Stops the thread and waits for it; call without holding the lock. */
void            rtm_server_shard_free         (RtmServerShard     *self);
GMainContext   *rtm_server_shard_get_context  (RtmServerShard     *self);
/* In the shard's thread: @fd was just opened (a new connection). */
void            rtm_server_shard_forget_fd    (RtmServerShard     *self,
                                               int                 fd);
/* Runs @func (under the lock) in the shard's thread. */
void            rtm_server_shard_invoke       (RtmServerShard     *self,
                                               GSourceFunc         func,
                                               gpointer            data,
                                               GDestroyNotify      notify);

/* One iteration of @context, which the calling thread must own:
 * prepare and dispatch under @lock, poll without it. */
void            rtm_server_shard_iterate      (GMainContext       *context,
                                               RtmServerLock      *lock,
                                               RtmServerPollState *state);

G_END_DECLS
