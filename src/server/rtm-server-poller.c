/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "rtm-server"

#include "rtm-server-poller.h"

#ifdef HAVE_EPOLL

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* One per distinct fd of a call: sources may share an fd (a socket's
 * input and output sources), epoll takes it once. */
typedef struct {
  int      fd;
  gushort  events;    /* the union of its entries' */
  int      first;     /* index of its first entry in the call's array */
} Slot;

struct _RtmServerPoller
{
  int                 epfd;
  GHashTable         *registered;   /* fd → events + 1, what the epoll set holds */
  GHashTable         *slot_of;      /* fd → slot index + 1, for this call */
  GArray             *slots;        /* of Slot, for this call */
  int                *next;         /* per entry: the next entry with its fd, or -1 */
  guint               n_next;
  struct epoll_event *ready;
  guint               n_ready;
  /* The last call's fds and events: most calls repeat them, and then
   * the slots and the epoll set are still right. */
  GPollFD            *last;
  guint               n_last;
  gboolean            dirty;
};

RtmServerPoller *
rtm_server_poller_new (void)
{
  RtmServerPoller *self;
  int epfd = epoll_create1 (EPOLL_CLOEXEC);

  if (epfd < 0)
    {
      g_debug ("epoll_create1: %s; polling with poll()", g_strerror (errno));
      return NULL;
    }
  self = g_new0 (RtmServerPoller, 1);
  self->epfd = epfd;
  self->registered = g_hash_table_new (NULL, NULL);
  self->slot_of = g_hash_table_new (NULL, NULL);
  self->slots = g_array_new (FALSE, FALSE, sizeof (Slot));
  return self;
}

void
rtm_server_poller_free (RtmServerPoller *self)
{
  if (self == NULL)
    return;
  close (self->epfd);
  g_hash_table_unref (self->registered);
  g_hash_table_unref (self->slot_of);
  g_array_unref (self->slots);
  g_free (self->next);
  g_free (self->ready);
  g_free (self->last);
  g_free (self);
}

void
rtm_server_poller_forget_fd (RtmServerPoller *self,
                             int              fd)
{
  g_return_if_fail (self != NULL);

  if (g_hash_table_remove (self->registered, GINT_TO_POINTER (fd)))
    epoll_ctl (self->epfd, EPOLL_CTL_DEL, fd, NULL);
  self->dirty = TRUE;
}

static gboolean
same_as_last (RtmServerPoller *self,
              GPollFD         *fds,
              guint            n_fds)
{
  if (self->dirty || n_fds != self->n_last)
    return FALSE;
  for (guint i = 0; i < n_fds; i++)
    if (fds[i].fd != self->last[i].fd || fds[i].events != self->last[i].events)
      return FALSE;
  return TRUE;
}

static void
remember_last (RtmServerPoller *self,
               GPollFD         *fds,
               guint            n_fds)
{
  self->last = g_renew (GPollFD, self->last, MAX (n_fds, 1));
  memcpy (self->last, fds, n_fds * sizeof (GPollFD));
  self->n_last = n_fds;
  self->dirty = FALSE;
}

/* Groups the entries by fd. */
static void
collect_slots (RtmServerPoller *self,
               GPollFD         *fds,
               guint            n_fds)
{
  g_hash_table_remove_all (self->slot_of);
  g_array_set_size (self->slots, 0);
  if (n_fds > self->n_next)
    {
      self->n_next = MAX (n_fds, self->n_next * 2);
      self->next = g_renew (int, self->next, self->n_next);
    }

  for (guint i = 0; i < n_fds; i++)
    {
      guint index = GPOINTER_TO_UINT (g_hash_table_lookup (self->slot_of, GINT_TO_POINTER (fds[i].fd)));

      fds[i].revents = 0;
      self->next[i] = -1;
      if (fds[i].fd < 0)
        continue;
      if (index == 0)
        {
          Slot slot = { fds[i].fd, fds[i].events, (int) i };

          g_array_append_val (self->slots, slot);
          g_hash_table_insert (self->slot_of, GINT_TO_POINTER (fds[i].fd),
                               GUINT_TO_POINTER (self->slots->len));
        }
      else
        {
          Slot *slot = &g_array_index (self->slots, Slot, index - 1);

          slot->events |= fds[i].events;
          self->next[i] = slot->first;
          slot->first = (int) i;
        }
    }
}

/* Brings the epoll set in line with the slots. FALSE if an fd cannot be
 * registered (closed already, or not pollable by epoll): poll() then
 * says what it is. */
static gboolean
sync_registrations (RtmServerPoller *self)
{
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = &g_array_index (self->slots, Slot, i);
      guint held = GPOINTER_TO_UINT (g_hash_table_lookup (self->registered, GINT_TO_POINTER (slot->fd)));
      struct epoll_event event = { .events = slot->events, .data.fd = slot->fd };
      int result = 0;

      if (held == (guint) slot->events + 1)
        continue;
      if (held != 0)
        result = epoll_ctl (self->epfd, EPOLL_CTL_MOD, slot->fd, &event);
      if (held == 0 || (result < 0 && errno == ENOENT))
        result = epoll_ctl (self->epfd, EPOLL_CTL_ADD, slot->fd, &event);
      if (result < 0 && errno == EEXIST)
        result = epoll_ctl (self->epfd, EPOLL_CTL_MOD, slot->fd, &event);
      if (result < 0)
        {
          g_hash_table_remove (self->registered, GINT_TO_POINTER (slot->fd));
          return FALSE;
        }
      g_hash_table_insert (self->registered, GINT_TO_POINTER (slot->fd),
                           GUINT_TO_POINTER ((guint) slot->events + 1));
    }

  g_hash_table_iter_init (&iter, self->registered);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (self->slot_of, key))
      {
        /* Fails harmlessly if the fd was closed: the kernel dropped it. */
        epoll_ctl (self->epfd, EPOLL_CTL_DEL, GPOINTER_TO_INT (key), NULL);
        g_hash_table_iter_remove (&iter);
      }
  return TRUE;
}

int
rtm_server_poller_poll (RtmServerPoller *self,
                        GPollFD         *fds,
                        guint            n_fds,
                        int              timeout)
{
  int n_events;
  int n_set = 0;

  g_return_val_if_fail (self != NULL, -1);

  if (same_as_last (self, fds, n_fds))
    {
      for (guint i = 0; i < n_fds; i++)
        fds[i].revents = 0;
    }
  else
    {
      collect_slots (self, fds, n_fds);
      if (!sync_registrations (self))
        {
          self->dirty = TRUE;
          return poll ((struct pollfd *) fds, n_fds, timeout);
        }
      remember_last (self, fds, n_fds);
    }

  if (self->slots->len > self->n_ready)
    {
      self->n_ready = MAX (self->slots->len, self->n_ready * 2);
      self->ready = g_renew (struct epoll_event, self->ready, self->n_ready);
    }
  n_events = epoll_wait (self->epfd, self->ready, (int) MAX (self->n_ready, 1), timeout);
  if (n_events < 0)
    return -1;

  for (int e = 0; e < n_events; e++)
    {
      guint index = GPOINTER_TO_UINT (g_hash_table_lookup (self->slot_of,
                                                           GINT_TO_POINTER (self->ready[e].data.fd)));

      if (index == 0)
        continue;
      for (int i = g_array_index (self->slots, Slot, index - 1).first; i >= 0; i = self->next[i])
        {
          fds[i].revents = self->ready[e].events & (fds[i].events | G_IO_ERR | G_IO_HUP | G_IO_NVAL);
          if (fds[i].revents != 0)
            n_set++;
        }
    }
  return n_set;
}

#else /* !HAVE_EPOLL */

RtmServerPoller *
rtm_server_poller_new (void)
{
  return NULL;
}

void
rtm_server_poller_free (RtmServerPoller *self)
{
}

int
rtm_server_poller_poll (RtmServerPoller *self,
                        GPollFD         *fds,
                        guint            n_fds,
                        int              timeout)
{
  g_return_val_if_reached (-1);
}

void
rtm_server_poller_forget_fd (RtmServerPoller *self,
                             int              fd)
{
}

#endif
