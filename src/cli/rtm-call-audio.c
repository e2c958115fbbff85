/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rtm-call"

#include "rtm-call-audio.h"

#include <beckon-voice-session.h>

/* The caller sends 440 Hz and the callee 660 Hz, so a listener can tell
 * the directions apart. */
#define TEST_SOURCE_FORMAT "audiotestsrc is-live=true wave=sine volume=0.3 freq=%u"
#define TEST_SINK          "fakesink sync=true"

enum {
  SIGNAL_ENDED,
  N_SIGNALS
};

struct _RtmCallAudio
{
  GObject             parent_instance;

  /* owned */
  RtmClient          *client;
  RtmCallPrinter     *printer;
  BeckonVoiceSession *session;
  char               *channel_id;
  char               *peer_id;

  gboolean            caller;
  gboolean            test_audio;
  double              duration;
  guint               duration_id;
  gint64              last_levels_us;
  gboolean            ended;
  RtmCallExit         exit_code;
};

G_DEFINE_FINAL_TYPE (RtmCallAudio, rtm_call_audio, G_TYPE_OBJECT)

static guint signals[N_SIGNALS];

static const char *
state_to_string (BeckonVoiceState state)
{
  switch (state)
    {
    case BECKON_VOICE_STATE_NEW:
      return "new";
    case BECKON_VOICE_STATE_CONNECTING:
      return "connecting";
    case BECKON_VOICE_STATE_CONNECTED:
      return "connected";
    case BECKON_VOICE_STATE_ENDED:
      return "ended";
    default:
      return "unknown";
    }
}

static gboolean
on_duration_elapsed (gpointer user_data)
{
  RtmCallAudio *self = user_data;

  self->duration_id = 0;
  rtm_call_printer_event (self->printer, "voice-duration-elapsed", NULL,
                          "%g s elapsed, hanging up", self->duration);
  beckon_voice_session_hangup (self->session);
  return G_SOURCE_REMOVE;
}

static void
on_state_changed (BeckonVoiceSession *session,
                  BeckonVoiceState    new_state,
                  BeckonVoiceState    old_state,
                  gpointer            user_data)
{
  RtmCallAudio *self = user_data;
  g_autoptr(JsonObject) fields = json_object_new ();

  json_object_set_string_member (fields, "state", state_to_string (new_state));
  json_object_set_string_member (fields, "peer", self->peer_id);

  if (new_state == BECKON_VOICE_STATE_ENDED)
    {
      BeckonVoiceEndReason reason = beckon_voice_session_get_end_reason (session);
      const GError *error = beckon_voice_session_get_error (session);
      const char *reason_name = beckon_voice_end_reason_to_string (reason);

      json_object_set_string_member (fields, "reason", reason_name);
      if (error != NULL)
        json_object_set_string_member (fields, "message", error->message);
      rtm_call_printer_event (self->printer, "voice-state", fields,
                              "call with %s ended: %s%s%s", self->peer_id, reason_name,
                              error ? ": " : "", error ? error->message : "");

      g_clear_handle_id (&self->duration_id, g_source_remove);
      if (self->ended)
        return;
      self->ended = TRUE;
      self->exit_code = (reason == BECKON_VOICE_END_HANGUP_LOCAL ||
                         reason == BECKON_VOICE_END_HANGUP_REMOTE)
                        ? RTM_CALL_EXIT_OK : RTM_CALL_EXIT_DROPPED;
      g_signal_emit (self, signals[SIGNAL_ENDED], 0);
      return;
    }

  rtm_call_printer_event (self->printer, "voice-state", fields,
                          "call with %s: %s", self->peer_id, state_to_string (new_state));

  if (new_state == BECKON_VOICE_STATE_CONNECTED && self->duration > 0 && self->duration_id == 0)
    self->duration_id = g_timeout_add ((guint) (self->duration * 1000), on_duration_elapsed, self);
}

static void
on_levels (BeckonVoiceSession *session,
           double              input_db,
           double              output_db,
           gpointer            user_data)
{
  RtmCallAudio *self = user_data;
  g_autoptr(JsonObject) fields = NULL;
  gint64 now = g_get_monotonic_time ();

  /* About ten a second arrive; once a second is enough to read. */
  if (now - self->last_levels_us < G_USEC_PER_SEC)
    return;
  self->last_levels_us = now;

  fields = json_object_new ();
  json_object_set_double_member (fields, "input_db", input_db);
  json_object_set_double_member (fields, "output_db", output_db);
  rtm_call_printer_event (self->printer, "voice-levels", fields,
                          "levels: sending %.1f dB, receiving %.1f dB", input_db, output_db);
}

static void
on_statistics (BeckonVoiceSession *session,
               double              round_trip_ms,
               double              jitter_ms,
               gint64              packets_lost,
               double              bitrate_kbps,
               gpointer            user_data)
{
  RtmCallAudio *self = user_data;
  g_autoptr(JsonObject) fields = json_object_new ();

  json_object_set_double_member (fields, "round_trip_ms", round_trip_ms);
  json_object_set_double_member (fields, "jitter_ms", jitter_ms);
  json_object_set_int_member (fields, "packets_lost", packets_lost);
  json_object_set_double_member (fields, "bitrate_kbps", bitrate_kbps);
  rtm_call_printer_event (self->printer, "voice-statistics", fields,
                          "statistics: round trip %.1f ms, jitter %.1f ms, "
                          "%" G_GINT64_FORMAT " packets lost, %.1f kbit/s",
                          round_trip_ms, jitter_ms, packets_lost, bitrate_kbps);
}

static void
rtm_call_audio_dispose (GObject *object)
{
  RtmCallAudio *self = RTM_CALL_AUDIO (object);

  g_clear_handle_id (&self->duration_id, g_source_remove);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      beckon_voice_session_hangup (self->session);
      g_clear_object (&self->session);
    }
  g_clear_object (&self->client);
  g_clear_object (&self->printer);

  G_OBJECT_CLASS (rtm_call_audio_parent_class)->dispose (object);
}

static void
rtm_call_audio_finalize (GObject *object)
{
  RtmCallAudio *self = RTM_CALL_AUDIO (object);

  g_free (self->channel_id);
  g_free (self->peer_id);

  G_OBJECT_CLASS (rtm_call_audio_parent_class)->finalize (object);
}

static void
rtm_call_audio_class_init (RtmCallAudioClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rtm_call_audio_dispose;
  object_class->finalize = rtm_call_audio_finalize;

  signals[SIGNAL_ENDED] =
    g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
rtm_call_audio_init (RtmCallAudio *self)
{
  self->exit_code = RTM_CALL_EXIT_OK;
}

gboolean
rtm_call_audio_prepare (GError **error)
{
  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  return beckon_voice_prepare (error);
}

RtmCallAudio *
rtm_call_audio_new (RtmClient      *client,
                    RtmCallPrinter *printer,
                    const char     *channel_id,
                    const char     *peer_id,
                    gboolean        caller,
                    gboolean        test_audio,
                    double          duration)
{
  RtmCallAudio *self;

  g_return_val_if_fail (RTM_IS_CLIENT (client), NULL);
  g_return_val_if_fail (RTM_CALL_IS_PRINTER (printer), NULL);
  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (peer_id != NULL, NULL);

  self = g_object_new (RTM_CALL_TYPE_AUDIO, NULL);
  self->client = g_object_ref (client);
  self->printer = g_object_ref (printer);
  self->channel_id = g_strdup (channel_id);
  self->peer_id = g_strdup (peer_id);
  self->caller = caller;
  self->test_audio = test_audio;
  self->duration = duration;
  return self;
}

gboolean
rtm_call_audio_start (RtmCallAudio  *self,
                      GError       **error)
{
  g_return_val_if_fail (RTM_CALL_IS_AUDIO (self), FALSE);
  g_return_val_if_fail (self->session == NULL, FALSE);

  self->session = beckon_voice_session_new (self->client, self->channel_id, self->peer_id,
                                            self->caller ? BECKON_VOICE_ROLE_CALLER
                                                         : BECKON_VOICE_ROLE_CALLEE);
  if (self->test_audio)
    {
      g_autofree char *source = g_strdup_printf (TEST_SOURCE_FORMAT, self->caller ? 440u : 660u);

      g_object_set (self->session,
                    "source-description", source,
                    "sink-description", TEST_SINK,
                    NULL);
    }

  g_signal_connect (self->session, "state-changed", G_CALLBACK (on_state_changed), self);
  g_signal_connect (self->session, "levels", G_CALLBACK (on_levels), self);
  g_signal_connect (self->session, "statistics", G_CALLBACK (on_statistics), self);

  if (!beckon_voice_session_start (self->session, error))
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      self->ended = TRUE;
      self->exit_code = RTM_CALL_EXIT_DROPPED;
      return FALSE;
    }
  return TRUE;
}

void
rtm_call_audio_hangup (RtmCallAudio *self)
{
  g_return_if_fail (RTM_CALL_IS_AUDIO (self));

  if (self->session != NULL && !self->ended)
    beckon_voice_session_hangup (self->session);
}

gboolean
rtm_call_audio_get_ended (RtmCallAudio *self)
{
  g_return_val_if_fail (RTM_CALL_IS_AUDIO (self), TRUE);

  return self->ended;
}

const char *
rtm_call_audio_get_peer_id (RtmCallAudio *self)
{
  g_return_val_if_fail (RTM_CALL_IS_AUDIO (self), NULL);

  return self->peer_id;
}

RtmCallExit
rtm_call_audio_get_exit_code (RtmCallAudio *self)
{
  g_return_val_if_fail (RTM_CALL_IS_AUDIO (self), RTM_CALL_EXIT_DROPPED);

  return self->exit_code;
}
