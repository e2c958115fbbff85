/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "voice-test-common.h"

#include <check.h>
#include "rtm-test-server.h"
#include <gst/app/app.h>
#include <math.h>

struct _VoiceMeter
{
  GMutex  lock;
  guint64 samples;
  guint64 crossings;
  double  energy;
  gint    side;     /* -1 below -HYSTERESIS, +1 above +HYSTERESIS, 0 not yet */
  gint64  first_sound;
  gint64  impulse;
  guint   quiet_run;
  gint    peak;
};

VoiceMeter *
voice_meter_new (void)
{
  VoiceMeter *meter = g_new0 (VoiceMeter, 1);

  g_mutex_init (&meter->lock);
  return meter;
}

void
voice_meter_free (VoiceMeter *meter)
{
  g_mutex_clear (&meter->lock);
  g_free (meter);
}

/* A crossing counts only once the signal swings past ±HYSTERESIS, so
 * low-level noise around zero (concealment, noise suppression) adds
 * none: plain sign changes read a 440 Hz tone as 455-488 Hz under load. */
#define HYSTERESIS 1000  /* about -30 dBFS */

/* On the receiving streaming thread. */
static GstFlowReturn
on_new_sample (GstAppSink *sink,
               gpointer    user_data)
{
  VoiceMeter *meter = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buffer;
  GstMapInfo map;
  gint64 now = g_get_monotonic_time ();

  if (sample == NULL)
    return GST_FLOW_EOS;
  buffer = gst_sample_get_buffer (sample);
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_FLOW_OK;

  g_mutex_lock (&meter->lock);
  for (gsize i = 0; i < map.size / 2; i++)
    {
      gint16 s = ((const gint16 *) map.data)[i];

      gint side = s > HYSTERESIS ? 1 : s < -HYSTERESIS ? -1 : 0;

      if (side != 0 && side != meter->side)
        {
          if (meter->side != 0)
            meter->crossings++;
          meter->side = side;
        }
      meter->energy += (double) s * s;
      meter->peak = MAX (meter->peak, ABS (s));
      if (meter->first_sound == 0 && ABS (s) > 328)  /* -40 dBFS */
        meter->first_sound = now;
      if (ABS (s) > 16384)
        {
          if (meter->impulse == 0 && meter->quiet_run > 4800)
            meter->impulse = now;
          meter->quiet_run = 0;
        }
      else if (ABS (s) < 4000)
        {
          meter->quiet_run++;
        }
    }
  meter->samples += map.size / 2;
  g_mutex_unlock (&meter->lock);

  gst_buffer_unmap (buffer, &map);
  return GST_FLOW_OK;
}

GstElement *
voice_meter_make_sink (VoiceMeter *meter)
{
  return voice_meter_make_sink_full (meter, FALSE);
}

GstElement *
voice_meter_make_sink_full (VoiceMeter *meter,
                            gboolean    sync)
{
  GstElement *sink = gst_element_factory_make ("appsink", NULL);
  g_autoptr(GstCaps) caps = gst_caps_from_string ("audio/x-raw,format=S16LE,rate=48000,channels=1");
  GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample };

  g_object_set (sink, "caps", caps, "sync", sync, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, meter, NULL);
  return sink;
}

void
voice_meter_reset (VoiceMeter *meter)
{
  g_mutex_lock (&meter->lock);
  meter->samples = 0;
  meter->crossings = 0;
  meter->energy = 0;
  meter->impulse = 0;
  meter->peak = 0;
  g_mutex_unlock (&meter->lock);
}

int
voice_meter_get_peak (VoiceMeter *meter)
{
  int peak;

  g_mutex_lock (&meter->lock);
  peak = meter->peak;
  g_mutex_unlock (&meter->lock);
  return peak;
}

double
voice_meter_get_seconds (VoiceMeter *meter)
{
  double seconds;

  g_mutex_lock (&meter->lock);
  seconds = meter->samples / 48000.0;
  g_mutex_unlock (&meter->lock);
  return seconds;
}

double
voice_meter_get_frequency (VoiceMeter *meter)
{
  double frequency = 0;

  g_mutex_lock (&meter->lock);
  if (meter->samples > 0)
    frequency = meter->crossings / 2.0 / (meter->samples / 48000.0);
  g_mutex_unlock (&meter->lock);
  return frequency;
}

double
voice_meter_get_rms_db (VoiceMeter *meter)
{
  double db = -200;

  g_mutex_lock (&meter->lock);
  if (meter->samples > 0 && meter->energy > 0)
    db = 20 * log10 (sqrt (meter->energy / meter->samples) / 32768.0);
  g_mutex_unlock (&meter->lock);
  return db;
}

gint64
voice_meter_get_first_sound_time (VoiceMeter *meter)
{
  gint64 t;

  g_mutex_lock (&meter->lock);
  t = meter->first_sound;
  g_mutex_unlock (&meter->lock);
  return t;
}

gint64
voice_meter_get_impulse_time (VoiceMeter *meter)
{
  gint64 t;

  g_mutex_lock (&meter->lock);
  t = meter->impulse;
  g_mutex_unlock (&meter->lock);
  return t;
}

/* RTM */

typedef struct {
  gboolean  done;
  GError   *error;
} Wait;

static void
on_login (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Wait *wait = user_data;

  rtm_client_login_finish (RTM_CLIENT (object), result, &wait->error);
  wait->done = TRUE;
}

RtmClient *
voice_test_login (const char *uri,
                  const char *uid)
{
  RtmClient *client = rtm_client_new (uri);
  Wait wait = { 0 };

  rtm_client_login_async (client, uid, NULL, NULL, on_login, &wait);
  rtm_test_wait_for (wait.done, 5000, "the login");
  ck_assert_msg (wait.error == NULL, "login as %s failed: %s", uid, wait.error->message);
  return client;
}

static void
on_state_changed (BeckonVoiceSession *session,
                  BeckonVoiceState    state,
                  BeckonVoiceState    old_state,
                  gpointer            user_data)
{
  *(gboolean *) user_data = TRUE;
}

void
voice_test_wait_state (BeckonVoiceSession *session,
                       BeckonVoiceState    state,
                       guint               timeout_ms,
                       const char         *what)
{
  GMainContext *context = g_main_context_get_thread_default ();
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean changed = FALSE;
  gulong id = g_signal_connect (session, "state-changed", G_CALLBACK (on_state_changed), &changed);

  while (beckon_voice_session_get_state (session) < state && g_get_monotonic_time () < deadline)
    {
      changed = FALSE;
      g_main_context_iteration (context, FALSE);
      if (!changed)
        g_usleep (1000);
    }
  g_signal_handler_disconnect (session, id);

  ck_assert_msg (beckon_voice_session_get_state (session) >= state,
                 "%s did not happen within %u ms", what, timeout_ms);
}

void
voice_test_wait_audio (VoiceMeter *meter,
                       double      seconds,
                       guint       timeout_ms,
                       const char *what)
{
  GMainContext *context = g_main_context_get_thread_default ();
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (voice_meter_get_seconds (meter) < seconds && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (context, FALSE))
        g_usleep (2000);
    }
  ck_assert_msg (voice_meter_get_seconds (meter) >= seconds,
                 "%s: only %.2f s of audio within %u ms", what,
                 voice_meter_get_seconds (meter), timeout_ms);
}

void
voice_test_assert_finalized_impl (GObject    **object,
                                  guint        timeout_ms,
                                  const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gpointer watched = *object;

  if (watched == NULL)
    return;
  *object = NULL;
  g_object_add_weak_pointer (watched, &watched);
  g_object_unref (watched);
  while (watched != NULL && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  if (watched != NULL)
    g_object_remove_weak_pointer (watched, &watched);
  ck_assert_msg (watched == NULL, "%s was not finalized within %u ms (%u references left)",
                 what, timeout_ms, watched ? G_OBJECT (watched)->ref_count : 0);
}

typedef struct {
  RtmClient           *client;
  char                *callee_id;
  char                *channel_id;
  VoiceTestConfigure   configure;
  gpointer             user_data;
  BeckonVoiceSession  *session;
  GError              *error;
  gboolean             done;
} Invite;

static void
on_local_accepted (RtmCallManager     *manager,
                   RtmLocalInvitation *invitation,
                   const char         *response,
                   gpointer            user_data)
{
  Invite *invite = user_data;

  if (invite->done)
    return;
  invite->session = beckon_voice_session_new (invite->client, invite->channel_id,
                                              invite->callee_id, BECKON_VOICE_ROLE_CALLER);
  if (invite->configure != NULL)
    invite->configure (invite->session, invite->user_data);
  beckon_voice_session_start (invite->session, &invite->error);
  invite->done = TRUE;
}

static void
on_local_ended (RtmCallManager     *manager,
                RtmLocalInvitation *invitation,
                gpointer            user_data)
{
  Invite *invite = user_data;

  if (!invite->done)
    g_set_error (&invite->error, RTM_ERROR, RTM_ERROR_FAILED, "the invitation ended unanswered");
  invite->done = TRUE;
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Invite *invite = user_data;
  g_autoptr(GError) error = NULL;

  if (!rtm_call_manager_send_local_invitation_finish (RTM_CALL_MANAGER (object), result, &error) &&
      !invite->done)
    {
      invite->error = g_steal_pointer (&error);
      invite->done = TRUE;
    }
}

BeckonVoiceSession *
voice_test_invite (RtmClient          *caller,
                   const char         *callee_id,
                   const char         *channel_id,
                   VoiceTestConfigure  configure,
                   gpointer            user_data,
                   guint               timeout_ms)
{
  RtmCallManager *manager = rtm_client_get_call_manager (caller);
  g_autoptr(RtmLocalInvitation) invitation = rtm_call_manager_create_local_invitation (manager, callee_id);
  Invite invite = { caller, (char *) callee_id, (char *) channel_id, configure, user_data };
  gulong accepted, refused, failed;

  rtm_local_invitation_set_channel_id (invitation, channel_id);
  accepted = g_signal_connect (manager, "local-invitation-accepted", G_CALLBACK (on_local_accepted), &invite);
  refused = g_signal_connect (manager, "local-invitation-refused", G_CALLBACK (on_local_ended), &invite);
  failed = g_signal_connect (manager, "local-invitation-failure", G_CALLBACK (on_local_ended), &invite);
  rtm_call_manager_send_local_invitation_async (manager, invitation, NULL, on_sent, &invite);
  rtm_test_wait_for (invite.done, timeout_ms, "the invitation's acceptance");
  g_signal_handler_disconnect (manager, accepted);
  g_signal_handler_disconnect (manager, refused);
  g_signal_handler_disconnect (manager, failed);

  ck_assert_msg (invite.error == NULL, "calling %s failed: %s", callee_id, invite.error->message);
  return invite.session;
}

typedef struct {
  RtmClient            *client;
  RtmRemoteInvitation  *invitation;
  VoiceTestConfigure    configure;
  gpointer              user_data;
  BeckonVoiceSession  **out;
  gulong                handler;
} Answer;

static void
on_answer_accepted (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Answer *answer = user_data;
  g_autoptr(GError) error = NULL;
  BeckonVoiceSession *session;

  ck_assert_msg (rtm_call_manager_accept_remote_invitation_finish (RTM_CALL_MANAGER (object), result, &error),
                 "accepting failed: %s", error ? error->message : "?");
  session = beckon_voice_session_new (answer->client,
                                      rtm_remote_invitation_get_channel_id (answer->invitation),
                                      rtm_remote_invitation_get_caller_id (answer->invitation),
                                      BECKON_VOICE_ROLE_CALLEE);
  if (answer->configure != NULL)
    answer->configure (session, answer->user_data);
  ck_assert_msg (beckon_voice_session_start (session, &error), "the callee's session did not start: %s",
                 error ? error->message : "?");
  *answer->out = session;
  g_object_unref (answer->invitation);
  g_free (answer);
}

static void
on_remote_received (RtmCallManager      *manager,
                    RtmRemoteInvitation *invitation,
                    gpointer             user_data)
{
  Answer *answer = user_data;

  g_signal_handler_disconnect (manager, answer->handler);
  answer->invitation = g_object_ref (invitation);
  rtm_call_manager_accept_remote_invitation_async (manager, invitation, NULL, on_answer_accepted, answer);
}

void
voice_test_answer_next (RtmClient            *callee,
                        VoiceTestConfigure    configure,
                        gpointer              user_data,
                        BeckonVoiceSession  **out)
{
  Answer *answer = g_new0 (Answer, 1);

  answer->client = callee;
  answer->configure = configure;
  answer->user_data = user_data;
  answer->out = out;
  answer->handler = g_signal_connect (rtm_client_get_call_manager (callee), "remote-invitation-received",
                                      G_CALLBACK (on_remote_received), answer);
}
