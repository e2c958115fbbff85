/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "rtm-server"

#include "rtm-server-user.h"

RtmServerUser *
rtm_server_user_new (const char *uid)
{
  RtmServerUser *self;

  g_return_val_if_fail (rtm_id_is_valid (uid), NULL);

  self = g_new0 (RtmServerUser, 1);
  self->uid = g_strdup (uid);
  self->connections = g_ptr_array_new ();
  return self;
}

void
rtm_server_user_free (RtmServerUser *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->connections);
  g_free (self->uid);
  g_free (self);
}

RtmServerConnection *
rtm_server_user_get_primary (RtmServerUser *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  /* The newest login: with one session per user, the only one. */
  if (self->connections->len == 0)
    return NULL;
  return g_ptr_array_index (self->connections, self->connections->len - 1);
}
