/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A test helper: logs in as UID, answers the next invitation with a voice
 * session sending a FREQ Hz tone, and runs until killed. Prints "ready"
 * once logged in. The voice tests kill it to play a peer that vanishes.
 *
 *   voice-peer URI UID FREQ
 */
#include <stdio.h>
#include <stdlib.h>

#include "beckon-voice-session.h"

static BeckonVoiceSession *session;
static RtmClient *client;
static int frequency;

static void
on_accepted (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  RtmRemoteInvitation *invitation = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *source = g_strdup_printf ("audiotestsrc is-live=true freq=%d volume=0.5", frequency);

  if (!rtm_call_manager_accept_remote_invitation_finish (rtm_client_get_call_manager (client), result, &error))
    g_error ("accept: %s", error->message);
  session = beckon_voice_session_new (client,
                                      rtm_remote_invitation_get_channel_id (invitation),
                                      rtm_remote_invitation_get_caller_id (invitation),
                                      BECKON_VOICE_ROLE_CALLEE);
  g_object_set (session, "source-description", source, "sink-description", "fakesink",
                "echo-cancel", FALSE, NULL);
  if (!beckon_voice_session_start (session, &error))
    g_error ("start: %s", error->message);
  g_object_unref (invitation);
}

static void
on_invitation (RtmCallManager      *manager,
               RtmRemoteInvitation *invitation,
               gpointer             user_data)
{
  rtm_call_manager_accept_remote_invitation_async (manager, invitation, NULL, on_accepted,
                                                   g_object_ref (invitation));
}

static void
on_login (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!rtm_client_login_finish (RTM_CLIENT (object), result, &error))
    g_error ("login: %s", error->message);
  printf ("ready\n");
  fflush (stdout);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GMainLoop) loop = NULL;
  RtmCallManager *manager;

  if (argc != 4)
    {
      fprintf (stderr, "usage: voice-peer URI UID FREQ\n");
      return 2;
    }
  gst_init (&argc, &argv);
  beckon_voice_prepare (NULL);
  frequency = atoi (argv[3]);
  loop = g_main_loop_new (NULL, FALSE);
  client = rtm_client_new (argv[1]);
  manager = rtm_client_get_call_manager (client);
  g_signal_connect (manager, "remote-invitation-received", G_CALLBACK (on_invitation), NULL);
  rtm_client_login_async (client, argv[2], NULL, NULL, on_login, NULL);
  g_main_loop_run (loop);
  g_object_unref (client);
  return 0;
}
