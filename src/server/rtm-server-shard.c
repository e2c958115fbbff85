/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "rtm-server"

#include "rtm-server-shard.h"

#include <unistd.h>

struct _RtmServerShard
{
  GMainContext *context;
  GThread      *thread;
  RtmServerLock *lock;     /* the server's */
  gint          quit;      /* atomic */
  RtmServerPollState state;  /* the thread's */
};

void
rtm_server_lock_init (RtmServerLock *lock)
{
  g_mutex_init (&lock->mutex);
  lock->held = FALSE;
  g_queue_init (&lock->waiters);
}

void
rtm_server_lock_clear (RtmServerLock *lock)
{
  g_mutex_clear (&lock->mutex);
}

void
rtm_server_lock_acquire (RtmServerLock *lock)
{
  g_mutex_lock (&lock->mutex);
  if (lock->held || !g_queue_is_empty (&lock->waiters))
    {
      GCond turn;
      GList link = { &turn, NULL, NULL };

      g_cond_init (&turn);
      g_queue_push_tail_link (&lock->waiters, &link);
      /* The releaser unlinks us when it passes the lock on: until then
       * any wake-up is spurious. */
      while (link.data != NULL)
        g_cond_wait (&turn, &lock->mutex);
      g_cond_clear (&turn);
    }
  lock->held = TRUE;
  g_mutex_unlock (&lock->mutex);
}

void
rtm_server_lock_release (RtmServerLock *lock)
{
  GList *next;

  g_mutex_lock (&lock->mutex);
  lock->held = FALSE;
  next = g_queue_pop_head_link (&lock->waiters);
  if (next != NULL)
    {
      GCond *turn = next->data;

      /* Held on the waiter's behalf, so no newcomer slips in between. */
      lock->held = TRUE;
      next->data = NULL;
      g_cond_signal (turn);
    }
  g_mutex_unlock (&lock->mutex);
}

/* GLib signals a context's wake-up fd whenever a source's fds are added
 * or removed, also from the thread that owns it: while dispatching, it
 * blocks and unblocks each source. Left set, it makes the next poll
 * return at once for a whole empty turn over every connection, once per
 * frame. Cleared after dispatch and before prepare, so a wake-up from
 * another thread is either seen by this turn's prepare or comes after. */
static void
drain_wakeup (int fd)
{
  char buffer[16];

  if (fd < 0)
    return;
  while (read (fd, buffer, sizeof buffer) > 0)
    ;
}

void
rtm_server_shard_iterate (GMainContext       *context,
                          RtmServerLock      *lock,
                          RtmServerPollState *state)
{
  GPollFunc poll_func = g_main_context_get_poll_func (context);

  /* One critical section per turn: what the last poll found is checked
   * and dispatched, then the next poll is prepared. Between two turns the
   * thread always makes a syscall, so the lock changes hands. */
  rtm_server_lock_acquire (lock);
  if (state->n_fds >= 0 &&
      g_main_context_check (context, state->max_priority, state->fds, state->n_fds))
    {
      g_main_context_dispatch (context);
      drain_wakeup (state->wakeup_fd);
    }

  state->max_priority = G_PRIORITY_DEFAULT;
  g_main_context_prepare (context, &state->max_priority);
  while ((state->n_fds = g_main_context_query (context, state->max_priority, &state->timeout,
                                               state->fds, state->n_allocated)) > state->n_allocated)
    {
      state->n_allocated = MAX (state->n_fds, state->n_allocated * 2);
      state->fds = g_renew (GPollFD, state->fds, state->n_allocated);
    }
  rtm_server_lock_release (lock);

  /* Another thread attaching a source here wakes this poll (GLib keeps a
   * wakeup fd among the fds), so nothing waits for the next timeout. */
  if (state->poller != NULL)
    rtm_server_poller_poll (state->poller, state->fds, (guint) state->n_fds, state->timeout);
  else
    poll_func (state->fds, (guint) state->n_fds, state->timeout);
}

static gpointer
run_shard (gpointer data)
{
  RtmServerShard *self = data;

  g_main_context_push_thread_default (self->context);
  while (!g_atomic_int_get (&self->quit))
    rtm_server_shard_iterate (self->context, self->lock, &self->state);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/* The wake-up fd of a context that has no sources yet (it polls that one
 * fd only), for RtmServerPollState.wakeup_fd; -1 if it cannot tell. */
static int
find_wakeup_fd (GMainContext *context)
{
  GPollFD fds[2];
  int priority = G_PRIORITY_DEFAULT;
  int timeout;
  int fd = -1;

  if (!g_main_context_acquire (context))
    return -1;
  g_main_context_prepare (context, &priority);
  if (g_main_context_query (context, priority, &timeout, fds, G_N_ELEMENTS (fds)) == 1)
    fd = fds[0].fd;
  g_main_context_check (context, priority, fds, 0);
  g_main_context_release (context);
  return fd;
}

RtmServerShard *
rtm_server_shard_new (RtmServerLock *lock,
                      guint   index)
{
  RtmServerShard *self = g_new0 (RtmServerShard, 1);
  g_autofree char *name = g_strdup_printf ("rtm-shard-%u", index);

  self->lock = lock;
  self->context = g_main_context_new ();
  self->state = (RtmServerPollState) RTM_SERVER_POLL_STATE_INIT;
  self->state.wakeup_fd = find_wakeup_fd (self->context);
  self->state.poller = rtm_server_poller_new ();
  self->thread = g_thread_new (name, run_shard, self);
  return self;
}

static gboolean
wake_only (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

void
rtm_server_shard_free (RtmServerShard *self)
{
  if (self == NULL)
    return;
  g_atomic_int_set (&self->quit, TRUE);
  /* A source, not g_main_context_wakeup(): the thread may clear the
   * wake-up fd (see drain_wakeup()) just after this, but its next
   * prepare sees the source and its poll does not block. */
  rtm_server_shard_invoke (self, wake_only, NULL, NULL);
  g_thread_join (self->thread);
  g_main_context_unref (self->context);
  g_free (self->state.fds);
  rtm_server_poller_free (self->state.poller);
  g_free (self);
}

GMainContext *
rtm_server_shard_get_context (RtmServerShard *self)
{
  return self->context;
}

void
rtm_server_shard_forget_fd (RtmServerShard *self,
                            int             fd)
{
  if (self->state.poller != NULL)
    rtm_server_poller_forget_fd (self->state.poller, fd);
}

void
rtm_server_shard_invoke (RtmServerShard *self,
                         GSourceFunc     func,
                         gpointer        data,
                         GDestroyNotify  notify)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  g_source_attach (source, self->context);
  g_source_unref (source);
}
