/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-strings"

#include "config.h"

#include <glib/gi18n.h>

#include "beckon-strings.h"

char *
beckon_connection_state_to_string (RtmConnectionState         state,
                                   RtmConnectionChangeReason  reason,
                                   const char                *user_id)
{
  switch (state)
    {
    case RTM_CONNECTION_STATE_CONNECTING:
      return g_strdup (_("Connecting…"));
    case RTM_CONNECTION_STATE_CONNECTED:
      if (user_id != NULL)
        return g_strdup_printf (_("Connected as %s"), user_id);
      return g_strdup (_("Connected"));
    case RTM_CONNECTION_STATE_RECONNECTING:
      return g_strdup (_("Connection lost, reconnecting…"));
    case RTM_CONNECTION_STATE_ABORTED:
      if (reason == RTM_CONNECTION_CHANGE_REASON_REMOTE_LOGIN)
        return g_strdup (_("Signed out: the same user signed in elsewhere"));
      if (reason == RTM_CONNECTION_CHANGE_REASON_TOKEN_EXPIRED)
        return g_strdup (_("Signed out: the token expired"));
      return g_strdup (_("Signed out by the server"));
    case RTM_CONNECTION_STATE_DISCONNECTED:
    default:
      switch (reason)
        {
        case RTM_CONNECTION_CHANGE_REASON_LOGIN_FAILURE:
          return g_strdup (_("Signed out: the sign-in failed"));
        case RTM_CONNECTION_CHANGE_REASON_LOGIN_TIMEOUT:
          return g_strdup (_("Signed out: the server did not answer"));
        case RTM_CONNECTION_CHANGE_REASON_TOKEN_EXPIRED:
          return g_strdup (_("Signed out: the token expired"));
        case RTM_CONNECTION_CHANGE_REASON_REMOTE_LOGIN:
          return g_strdup (_("Signed out: the same user signed in elsewhere"));
        case RTM_CONNECTION_CHANGE_REASON_LOGIN:
        case RTM_CONNECTION_CHANGE_REASON_LOGIN_SUCCESS:
        case RTM_CONNECTION_CHANGE_REASON_INTERRUPTED:
        case RTM_CONNECTION_CHANGE_REASON_LOGOUT:
        case RTM_CONNECTION_CHANGE_REASON_BANNED_BY_SERVER:
        default:
          return g_strdup (_("Signed out"));
        }
    }
}

char *
beckon_format_duration (gint64 seconds)
{
  seconds = MAX (seconds, 0);
  if (seconds >= 3600)
    return g_strdup_printf ("%d:%02d:%02d", (int) (seconds / 3600),
                            (int) (seconds / 60 % 60), (int) (seconds % 60));
  return g_strdup_printf ("%02d:%02d", (int) (seconds / 60), (int) (seconds % 60));
}

gboolean
beckon_user_id_is_valid (const char *user_id)
{
  static const char extra[] = "!#$%&()+-:;<=.>?@[]^_{|}~,";
  gsize len;

  if (user_id == NULL)
    return FALSE;

  len = strlen (user_id);
  if (len == 0 || len > 64)
    return FALSE;

  /* The protocol's set: letters, digits and a few marks, no space. */
  for (const char *p = user_id; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr (extra, *p) == NULL)
      return FALSE;

  return TRUE;
}
