/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-call"

#include "config.h"

#include <glib/gi18n.h>

#include "beckon-app-enums.h"
#include "beckon-call.h"
#include "beckon-strings.h"

struct _BeckonCall
{
  GObject              parent_instance;

  /* owned */
  RtmClient           *client;
  RtmLocalInvitation  *local;
  RtmRemoteInvitation *remote;
  BeckonVoiceSession  *session;
  GDateTime           *start_time;
  char                *id;
  char                *peer_id;
  char                *content;
  char                *response;
  char                *status;
  char                *detail;
  char                *quality_text;
  char                *source_description;
  char                *sink_description;
  GstDevice           *source_device;
  GstDevice           *sink_device;
  guint                tick_id;

  BeckonCallDirection  direction;
  BeckonCallState      state;
  BeckonCallEndReason  end_reason;
  BeckonCallQuality    quality;
  gint64               answered_us;
  gint64               ended_us;
  gint64               last_lost;
  double               input_level;
  double               output_level;
  gboolean             muted;
  gboolean             echo_cancel;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_DIRECTION,
  PROP_STATE,
  PROP_PEER_ID,
  PROP_CONTENT,
  PROP_RESPONSE,
  PROP_END_REASON,
  PROP_STATUS,
  PROP_DURATION,
  PROP_MUTED,
  PROP_INPUT_LEVEL,
  PROP_OUTPUT_LEVEL,
  PROP_QUALITY,
  PROP_QUALITY_TEXT,
  PROP_LOCAL_INVITATION,
  PROP_REMOTE_INVITATION,
  PROP_SESSION,
  N_PROPS
};

enum {
  STATE_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];
static guint last_call_number;

G_DEFINE_FINAL_TYPE (BeckonCall, beckon_call, G_TYPE_OBJECT)

static char *
describe_end (BeckonCall *self)
{
  gboolean outgoing = self->direction == BECKON_CALL_DIRECTION_OUTGOING;

  switch (self->end_reason)
    {
    case BECKON_CALL_END_CANCELLED:
      return g_strdup (outgoing ? _("Cancelled") : _("Missed call"));
    case BECKON_CALL_END_DECLINED:
      /* The peer's own words say more than ours. */
      if (outgoing && self->response && *self->response &&
          g_ascii_strcasecmp (self->response, "declined") != 0)
        return g_strdup (self->response);
      return g_strdup (_("Declined"));
    case BECKON_CALL_END_BUSY:
      return g_strdup (_("Busy"));
    case BECKON_CALL_END_PEER_OFFLINE:
      if (outgoing)
        return g_strdup_printf (_("%s is offline"), self->peer_id);
      return g_strdup (_("Missed call: the caller went offline"));
    case BECKON_CALL_END_NO_ANSWER:
      return g_strdup_printf (_("%s could not be reached"), self->peer_id);
    case BECKON_CALL_END_EXPIRED:
      return g_strdup (outgoing ? _("No answer") : _("Missed call"));
    case BECKON_CALL_END_NOT_SIGNED_IN:
      return g_strdup (_("Not signed in"));
    case BECKON_CALL_END_HANGUP_LOCAL:
      return g_strdup (_("Call ended"));
    case BECKON_CALL_END_HANGUP_REMOTE:
      return g_strdup_printf (_("%s hung up"), self->peer_id);
    case BECKON_CALL_END_MEDIA_FAILED:
      return g_strdup_printf (_("Audio failed: %s"),
                              self->detail ? self->detail : _("unknown error"));
    case BECKON_CALL_END_ERROR:
      return g_strdup_printf (_("Call failed: %s"),
                              self->detail ? self->detail : _("unknown error"));
    case BECKON_CALL_END_NONE:
    default:
      return g_strdup (_("Call ended"));
    }
}

static void
update_status (BeckonCall *self)
{
  g_autofree char *status = NULL;

  switch (self->state)
    {
    case BECKON_CALL_STATE_DIALING:
      status = g_strdup_printf (_("Calling %s…"), self->peer_id);
      break;
    case BECKON_CALL_STATE_ALERTING:
      status = g_strdup (_("Ringing"));
      break;
    case BECKON_CALL_STATE_INCOMING:
      status = g_strdup_printf (_("%s is calling"), self->peer_id);
      break;
    case BECKON_CALL_STATE_CONNECTING:
      status = g_strdup (_("Connecting…"));
      break;
    case BECKON_CALL_STATE_ACTIVE:
      status = beckon_format_duration (beckon_call_get_duration (self));
      break;
    case BECKON_CALL_STATE_ENDED:
    default:
      status = describe_end (self);
      break;
    }

  if (g_strcmp0 (status, self->status) == 0)
    return;

  g_free (self->status);
  self->status = g_steal_pointer (&status);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static void
set_state (BeckonCall      *self,
           BeckonCallState  state)
{
  BeckonCallState old_state = self->state;

  /* A state only moves forward. */
  if (state <= old_state)
    return;

  self->state = state;
  update_status (self);
  g_debug ("%s with %s: %s", self->id, self->peer_id, self->status);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_signal_emit (self, signals[STATE_CHANGED], 0, state, old_state);
}

static gboolean
on_tick (gpointer user_data)
{
  BeckonCall *self = user_data;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
  update_status (self);

  return G_SOURCE_CONTINUE;
}

static void
mark_answered (BeckonCall *self)
{
  if (self->answered_us != 0)
    return;

  self->answered_us = g_get_monotonic_time ();
  self->tick_id = g_timeout_add (1000, on_tick, self);
}

static void
end_call (BeckonCall          *self,
          BeckonCallEndReason  reason,
          const char          *detail)
{
  g_autoptr(BeckonCall) hold = NULL;

  if (self->state == BECKON_CALL_STATE_ENDED)
    return;

  /* Listeners of state-changed may drop the last other reference. */
  hold = g_object_ref (self);
  self->end_reason = reason;
  g_free (self->detail);
  self->detail = g_strdup (detail);
  if (self->answered_us != 0)
    self->ended_us = g_get_monotonic_time ();
  g_clear_handle_id (&self->tick_id, g_source_remove);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_END_REASON]);
  set_state (self, BECKON_CALL_STATE_ENDED);

  /* Any end but the audio's own tells the peer's audio too. Done after the
   * state moved, so the session's own ENDED finds the call ended. */
  if (self->session != NULL &&
      beckon_voice_session_get_state (self->session) != BECKON_VOICE_STATE_ENDED)
    beckon_voice_session_hangup (self->session);
}

static void
set_response (BeckonCall *self,
              const char *response)
{
  if (g_strcmp0 (self->response, response) == 0)
    return;

  g_free (self->response);
  self->response = g_strdup (response);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESPONSE]);
}

static void
on_session_state_changed (BeckonCall         *self,
                          BeckonVoiceState    state,
                          BeckonVoiceState    old_state,
                          BeckonVoiceSession *session)
{
  if (state == BECKON_VOICE_STATE_CONNECTED)
    {
      set_state (self, BECKON_CALL_STATE_ACTIVE);
    }
  else if (state == BECKON_VOICE_STATE_ENDED)
    {
      BeckonVoiceEndReason reason = beckon_voice_session_get_end_reason (session);
      const GError *error = beckon_voice_session_get_error (session);

      if (reason == BECKON_VOICE_END_HANGUP_LOCAL)
        end_call (self, BECKON_CALL_END_HANGUP_LOCAL, NULL);
      /* A peer whose audio failed says so in its bye: show why. */
      else if (reason == BECKON_VOICE_END_HANGUP_REMOTE && error == NULL)
        end_call (self, BECKON_CALL_END_HANGUP_REMOTE, NULL);
      else
        end_call (self, BECKON_CALL_END_MEDIA_FAILED,
                  error ? error->message : beckon_voice_end_reason_to_string (reason));
    }
}

static void
on_session_levels (BeckonCall         *self,
                   double              input_db,
                   double              output_db,
                   BeckonVoiceSession *session)
{
  self->input_level = input_db;
  self->output_level = output_db;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INPUT_LEVEL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTPUT_LEVEL]);
}

static void
on_session_statistics (BeckonCall         *self,
                       double              round_trip_ms,
                       double              jitter_ms,
                       gint64              packets_lost,
                       double              bitrate_kbps,
                       BeckonVoiceSession *session)
{
  BeckonCallQuality quality;
  gint64 lost = MAX (0, packets_lost - self->last_lost);
  const char *word;

  self->last_lost = MAX (self->last_lost, packets_lost);

  /* Rough thresholds after ITU-T G.114: past 150 ms one way people notice. */
  if (round_trip_ms < 300 && jitter_ms < 30 && lost <= 1)
    quality = BECKON_CALL_QUALITY_GOOD;
  else if (round_trip_ms < 600 && jitter_ms < 60 && lost <= 5)
    quality = BECKON_CALL_QUALITY_FAIR;
  else
    quality = BECKON_CALL_QUALITY_POOR;

  word = quality == BECKON_CALL_QUALITY_GOOD ? _("Good connection")
       : quality == BECKON_CALL_QUALITY_FAIR ? _("Fair connection")
       : _("Poor connection");

  g_free (self->quality_text);
  /* Translators: quality, round trip time, jitter, packets lost in the last second */
  self->quality_text = g_strdup_printf (_("%s · %.0f ms round trip · %.0f ms jitter · %d lost"),
                                        word, round_trip_ms, jitter_ms, (int) MIN (lost, G_MAXINT));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUALITY_TEXT]);

  if (quality != self->quality)
    {
      self->quality = quality;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUALITY]);
    }
}

static const char *
get_channel_id (BeckonCall *self)
{
  const char *channel = NULL;

  if (self->local != NULL)
    channel = rtm_local_invitation_get_channel_id (self->local);
  else if (self->remote != NULL)
    channel = rtm_remote_invitation_get_channel_id (self->remote);

  /* A caller that named no channel (rtm-call without --channel) gets the
   * invitation's id, which both sides know. */
  if (channel == NULL || *channel == '\0')
    channel = self->local ? rtm_local_invitation_get_invitation_id (self->local)
                          : rtm_remote_invitation_get_invitation_id (self->remote);

  return channel;
}

static gboolean
start_session (BeckonCall *self)
{
  g_autoptr(GError) error = NULL;
  const char *channel = get_channel_id (self);

  g_assert (self->session == NULL);

  if (channel == NULL)
    {
      end_call (self, BECKON_CALL_END_ERROR, _("the invitation names no channel"));
      return FALSE;
    }

  self->session = beckon_voice_session_new (self->client, channel, self->peer_id,
                                            self->direction == BECKON_CALL_DIRECTION_OUTGOING
                                              ? BECKON_VOICE_ROLE_CALLER
                                              : BECKON_VOICE_ROLE_CALLEE);
  if (self->source_description != NULL)
    g_object_set (self->session, "source-description", self->source_description, NULL);
  if (self->sink_description != NULL)
    g_object_set (self->session, "sink-description", self->sink_description, NULL);
  if (self->source_device != NULL)
    g_object_set (self->session, "source-device", self->source_device, NULL);
  if (self->sink_device != NULL)
    g_object_set (self->session, "sink-device", self->sink_device, NULL);
  g_object_set (self->session, "echo-cancel", self->echo_cancel, NULL);
  beckon_voice_session_set_muted (self->session, self->muted);

  g_signal_connect_object (self->session, "state-changed",
                           G_CALLBACK (on_session_state_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "levels",
                           G_CALLBACK (on_session_levels), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "statistics",
                           G_CALLBACK (on_session_statistics), self, G_CONNECT_SWAPPED);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);

  if (!beckon_voice_session_start (self->session, &error))
    {
      end_call (self, BECKON_CALL_END_MEDIA_FAILED, error->message);
      return FALSE;
    }

  return TRUE;
}

static BeckonCallEndReason
local_failure_to_reason (RtmLocalInvitationError code)
{
  switch (code)
    {
    case RTM_LOCAL_INVITATION_ERROR_PEER_OFFLINE:
      return BECKON_CALL_END_PEER_OFFLINE;
    case RTM_LOCAL_INVITATION_ERROR_PEER_NO_RESPONSE:
      return BECKON_CALL_END_NO_ANSWER;
    case RTM_LOCAL_INVITATION_ERROR_INVITATION_EXPIRE:
      return BECKON_CALL_END_EXPIRED;
    case RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN:
      return BECKON_CALL_END_NOT_SIGNED_IN;
    case RTM_LOCAL_INVITATION_ERROR_OK:
    default:
      return BECKON_CALL_END_ERROR;
    }
}

static void
on_local_received_by_peer (BeckonCall         *self,
                           RtmLocalInvitation *invitation)
{
  if (invitation != self->local)
    return;

  if (self->state == BECKON_CALL_STATE_DIALING)
    set_state (self, BECKON_CALL_STATE_ALERTING);
}

static void
on_local_accepted (BeckonCall         *self,
                   RtmLocalInvitation *invitation,
                   const char         *response)
{
  if (invitation != self->local)
    return;

  set_response (self, response);

  if (self->state == BECKON_CALL_STATE_ENDED)
    {
      /* We cancelled, but the answer won: join briefly so the peer's audio
       * hears the hang-up instead of waiting for its timeout. */
      if (self->session == NULL)
        {
          g_autoptr(BeckonVoiceSession) session = NULL;

          session = beckon_voice_session_new (self->client, get_channel_id (self),
                                              self->peer_id, BECKON_VOICE_ROLE_CALLER);
          if (beckon_voice_session_start (session, NULL))
            beckon_voice_session_hangup (session);
        }
      return;
    }

  mark_answered (self);
  set_state (self, BECKON_CALL_STATE_CONNECTING);
  start_session (self);
}

static void
on_local_refused (BeckonCall         *self,
                  RtmLocalInvitation *invitation,
                  const char         *response)
{
  if (invitation != self->local)
    return;

  set_response (self, response);
  if (response != NULL && g_ascii_strcasecmp (response, "busy") == 0)
    end_call (self, BECKON_CALL_END_BUSY, NULL);
  else
    end_call (self, BECKON_CALL_END_DECLINED, NULL);
}

static void
on_local_canceled (BeckonCall         *self,
                   RtmLocalInvitation *invitation)
{
  if (invitation == self->local)
    end_call (self, BECKON_CALL_END_CANCELLED, NULL);
}

static void
on_local_failure (BeckonCall              *self,
                  RtmLocalInvitation      *invitation,
                  RtmLocalInvitationError  code)
{
  if (invitation == self->local)
    end_call (self, local_failure_to_reason (code), NULL);
}

static void
on_remote_accepted (BeckonCall          *self,
                    RtmRemoteInvitation *invitation)
{
  /* The session started when we accepted; nothing more to do. */
}

static void
on_remote_refused (BeckonCall          *self,
                   RtmRemoteInvitation *invitation)
{
  if (invitation == self->remote)
    end_call (self, BECKON_CALL_END_DECLINED, NULL);
}

static void
on_remote_canceled (BeckonCall          *self,
                    RtmRemoteInvitation *invitation)
{
  if (invitation == self->remote)
    end_call (self, BECKON_CALL_END_CANCELLED, NULL);
}

static void
on_remote_failure (BeckonCall               *self,
                   RtmRemoteInvitation      *invitation,
                   RtmRemoteInvitationError  code)
{
  if (invitation != self->remote)
    return;

  switch (code)
    {
    case RTM_REMOTE_INVITATION_ERROR_PEER_OFFLINE:
      end_call (self, BECKON_CALL_END_PEER_OFFLINE, NULL);
      break;
    case RTM_REMOTE_INVITATION_ERROR_INVITATION_EXPIRE:
      end_call (self, BECKON_CALL_END_EXPIRED, NULL);
      break;
    case RTM_REMOTE_INVITATION_ERROR_NOT_LOGGEDIN:
      end_call (self, BECKON_CALL_END_NOT_SIGNED_IN, NULL);
      break;
    case RTM_REMOTE_INVITATION_ERROR_ACCEPT_FAILURE:
    case RTM_REMOTE_INVITATION_ERROR_OK:
    default:
      end_call (self, BECKON_CALL_END_ERROR, _("the answer could not be confirmed"));
      break;
    }
}

static void
connect_manager (BeckonCall *self)
{
  RtmCallManager *manager = rtm_client_get_call_manager (self->client);

  if (self->direction == BECKON_CALL_DIRECTION_OUTGOING)
    {
      g_signal_connect_object (manager, "local-invitation-received-by-peer",
                               G_CALLBACK (on_local_received_by_peer), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (manager, "local-invitation-accepted",
                               G_CALLBACK (on_local_accepted), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (manager, "local-invitation-refused",
                               G_CALLBACK (on_local_refused), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (manager, "local-invitation-canceled",
                               G_CALLBACK (on_local_canceled), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (manager, "local-invitation-failure",
                               G_CALLBACK (on_local_failure), self, G_CONNECT_SWAPPED);
    }
  else
    {
      g_signal_connect_object (manager, "remote-invitation-accepted",
                               G_CALLBACK (on_remote_accepted), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (manager, "remote-invitation-refused",
                               G_CALLBACK (on_remote_refused), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (manager, "remote-invitation-canceled",
                               G_CALLBACK (on_remote_canceled), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (manager, "remote-invitation-failure",
                               G_CALLBACK (on_remote_failure), self, G_CONNECT_SWAPPED);
    }
}

static void
beckon_call_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  BeckonCall *self = BECKON_CALL (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_DIRECTION:
      g_value_set_enum (value, self->direction);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PEER_ID:
      g_value_set_string (value, self->peer_id);
      break;
    case PROP_CONTENT:
      g_value_set_string (value, self->content);
      break;
    case PROP_RESPONSE:
      g_value_set_string (value, self->response);
      break;
    case PROP_END_REASON:
      g_value_set_enum (value, self->end_reason);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case PROP_DURATION:
      g_value_set_int64 (value, beckon_call_get_duration (self));
      break;
    case PROP_MUTED:
      g_value_set_boolean (value, self->muted);
      break;
    case PROP_INPUT_LEVEL:
      g_value_set_double (value, self->input_level);
      break;
    case PROP_OUTPUT_LEVEL:
      g_value_set_double (value, self->output_level);
      break;
    case PROP_QUALITY:
      g_value_set_enum (value, self->quality);
      break;
    case PROP_QUALITY_TEXT:
      g_value_set_string (value, self->quality_text);
      break;
    case PROP_LOCAL_INVITATION:
      g_value_set_object (value, self->local);
      break;
    case PROP_REMOTE_INVITATION:
      g_value_set_object (value, self->remote);
      break;
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_call_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  BeckonCall *self = BECKON_CALL (object);

  switch (prop_id)
    {
    case PROP_MUTED:
      beckon_call_set_muted (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_call_dispose (GObject *object)
{
  BeckonCall *self = BECKON_CALL (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_object (&self->local);
  g_clear_object (&self->remote);
  g_clear_object (&self->client);
  g_clear_object (&self->source_device);
  g_clear_object (&self->sink_device);

  G_OBJECT_CLASS (beckon_call_parent_class)->dispose (object);
}

static void
beckon_call_finalize (GObject *object)
{
  BeckonCall *self = BECKON_CALL (object);

  g_clear_pointer (&self->start_time, g_date_time_unref);
  g_free (self->id);
  g_free (self->peer_id);
  g_free (self->content);
  g_free (self->response);
  g_free (self->status);
  g_free (self->detail);
  g_free (self->quality_text);
  g_free (self->source_description);
  g_free (self->sink_description);

  G_OBJECT_CLASS (beckon_call_parent_class)->finalize (object);
}

static void
beckon_call_class_init (BeckonCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = beckon_call_get_property;
  object_class->set_property = beckon_call_set_property;
  object_class->dispose = beckon_call_dispose;
  object_class->finalize = beckon_call_finalize;

#define RO (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)
  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, RO);
  properties[PROP_DIRECTION] =
    g_param_spec_enum ("direction", NULL, NULL, BECKON_TYPE_CALL_DIRECTION,
                       BECKON_CALL_DIRECTION_OUTGOING, RO);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, BECKON_TYPE_CALL_STATE,
                       BECKON_CALL_STATE_DIALING, RO);
  properties[PROP_PEER_ID] = g_param_spec_string ("peer-id", NULL, NULL, NULL, RO);
  properties[PROP_CONTENT] = g_param_spec_string ("content", NULL, NULL, NULL, RO);
  properties[PROP_RESPONSE] = g_param_spec_string ("response", NULL, NULL, NULL, RO);
  properties[PROP_END_REASON] =
    g_param_spec_enum ("end-reason", NULL, NULL, BECKON_TYPE_CALL_END_REASON,
                       BECKON_CALL_END_NONE, RO);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, RO);
  properties[PROP_DURATION] =
    g_param_spec_int64 ("duration", NULL, NULL, 0, G_MAXINT64, 0, RO);
  properties[PROP_MUTED] =
    g_param_spec_boolean ("muted", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INPUT_LEVEL] =
    g_param_spec_double ("input-level", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, -100, RO);
  properties[PROP_OUTPUT_LEVEL] =
    g_param_spec_double ("output-level", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, -100, RO);
  properties[PROP_QUALITY] =
    g_param_spec_enum ("quality", NULL, NULL, BECKON_TYPE_CALL_QUALITY,
                       BECKON_CALL_QUALITY_UNKNOWN, RO);
  properties[PROP_QUALITY_TEXT] = g_param_spec_string ("quality-text", NULL, NULL, NULL, RO);
  properties[PROP_LOCAL_INVITATION] =
    g_param_spec_object ("local-invitation", NULL, NULL, RTM_TYPE_LOCAL_INVITATION, RO);
  properties[PROP_REMOTE_INVITATION] =
    g_param_spec_object ("remote-invitation", NULL, NULL, RTM_TYPE_REMOTE_INVITATION, RO);
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, BECKON_TYPE_VOICE_SESSION, RO);
#undef RO

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BeckonCall::state-changed:
   * @self: the call
   * @state: the new state
   * @old_state: the state before
   *
   * The call moved forward.
   */
  signals[STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  BECKON_TYPE_CALL_STATE, BECKON_TYPE_CALL_STATE);
}

static void
beckon_call_init (BeckonCall *self)
{
  self->id = g_strdup_printf ("call-%u", ++last_call_number);
  self->start_time = g_date_time_new_now_local ();
  self->input_level = -100;
  self->output_level = -100;
  self->echo_cancel = TRUE;
  self->quality_text = g_strdup (_("Measuring the connection…"));
}

BeckonCall *
beckon_call_new_outgoing (RtmClient          *client,
                          RtmLocalInvitation *invitation)
{
  BeckonCall *self;

  g_return_val_if_fail (RTM_IS_CLIENT (client), NULL);
  g_return_val_if_fail (RTM_IS_LOCAL_INVITATION (invitation), NULL);

  self = g_object_new (BECKON_TYPE_CALL, NULL);
  self->client = g_object_ref (client);
  self->local = g_object_ref (invitation);
  self->direction = BECKON_CALL_DIRECTION_OUTGOING;
  self->state = BECKON_CALL_STATE_DIALING;
  self->peer_id = g_strdup (rtm_local_invitation_get_callee_id (invitation));
  self->content = g_strdup (rtm_local_invitation_get_content (invitation));
  connect_manager (self);
  update_status (self);

  return self;
}

BeckonCall *
beckon_call_new_incoming (RtmClient           *client,
                          RtmRemoteInvitation *invitation)
{
  BeckonCall *self;

  g_return_val_if_fail (RTM_IS_CLIENT (client), NULL);
  g_return_val_if_fail (RTM_IS_REMOTE_INVITATION (invitation), NULL);

  self = g_object_new (BECKON_TYPE_CALL, NULL);
  self->client = g_object_ref (client);
  self->remote = g_object_ref (invitation);
  self->direction = BECKON_CALL_DIRECTION_INCOMING;
  self->state = BECKON_CALL_STATE_INCOMING;
  self->peer_id = g_strdup (rtm_remote_invitation_get_caller_id (invitation));
  self->content = g_strdup (rtm_remote_invitation_get_content (invitation));
  connect_manager (self);
  update_status (self);

  return self;
}

const char *
beckon_call_get_id (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), NULL);
  return self->id;
}

BeckonCallDirection
beckon_call_get_direction (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), 0);
  return self->direction;
}

BeckonCallState
beckon_call_get_state (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), 0);
  return self->state;
}

const char *
beckon_call_get_peer_id (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), NULL);
  return self->peer_id;
}

const char *
beckon_call_get_content (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), NULL);
  return self->content;
}

const char *
beckon_call_get_response (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), NULL);
  return self->response;
}

BeckonCallEndReason
beckon_call_get_end_reason (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), 0);
  return self->end_reason;
}

const char *
beckon_call_get_status (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), NULL);
  return self->status;
}

gint64
beckon_call_get_duration (BeckonCall *self)
{
  gint64 end;

  g_return_val_if_fail (BECKON_IS_CALL (self), 0);

  if (self->answered_us == 0)
    return 0;

  end = self->ended_us != 0 ? self->ended_us : g_get_monotonic_time ();
  return (end - self->answered_us) / G_USEC_PER_SEC;
}

GDateTime *
beckon_call_get_start_time (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), NULL);
  return self->start_time;
}

gboolean
beckon_call_get_answered (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), FALSE);
  return self->answered_us != 0;
}

gboolean
beckon_call_get_muted (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), FALSE);
  return self->muted;
}

void
beckon_call_set_muted (BeckonCall *self,
                       gboolean    muted)
{
  g_return_if_fail (BECKON_IS_CALL (self));

  muted = !!muted;
  if (self->muted == muted)
    return;

  self->muted = muted;
  if (self->session != NULL)
    beckon_voice_session_set_muted (self->session, muted);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
}

double
beckon_call_get_input_level (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), -100);
  return self->input_level;
}

double
beckon_call_get_output_level (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), -100);
  return self->output_level;
}

BeckonCallQuality
beckon_call_get_quality (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), 0);
  return self->quality;
}

const char *
beckon_call_get_quality_text (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), NULL);
  return self->quality_text;
}

RtmLocalInvitation *
beckon_call_get_local_invitation (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), NULL);
  return self->local;
}

RtmRemoteInvitation *
beckon_call_get_remote_invitation (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), NULL);
  return self->remote;
}

BeckonVoiceSession *
beckon_call_get_session (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), NULL);
  return self->session;
}

/**
 * beckon_call_is_ringing:
 * @self: a call
 *
 * Returns: whether the call waits for an answer, here or at the peer
 */
gboolean
beckon_call_is_ringing (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), FALSE);
  return self->state <= BECKON_CALL_STATE_INCOMING;
}

/**
 * beckon_call_is_live:
 * @self: a call
 *
 * Returns: whether the call was answered and has not ended
 */
gboolean
beckon_call_is_live (BeckonCall *self)
{
  g_return_val_if_fail (BECKON_IS_CALL (self), FALSE);
  return self->state == BECKON_CALL_STATE_CONNECTING ||
         self->state == BECKON_CALL_STATE_ACTIVE;
}

void
beckon_call_set_audio (BeckonCall *self,
                       const char *source_description,
                       const char *sink_description,
                       GstDevice  *source_device,
                       GstDevice  *sink_device,
                       gboolean    echo_cancel)
{
  g_return_if_fail (BECKON_IS_CALL (self));

  g_free (self->source_description);
  self->source_description = g_strdup (source_description);
  g_free (self->sink_description);
  self->sink_description = g_strdup (sink_description);
  g_set_object (&self->source_device, source_device);
  g_set_object (&self->sink_device, sink_device);
  self->echo_cancel = echo_cancel;
}

static void
on_cancel_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(BeckonCall) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rtm_call_manager_cancel_local_invitation_finish (RTM_CALL_MANAGER (object), result, &error))
    g_debug ("Cancelling %s: %s", self->id, error->message);
}

static void
on_send_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(BeckonCall) self = user_data;
  g_autoptr(GError) error = NULL;

  if (rtm_call_manager_send_local_invitation_finish (RTM_CALL_MANAGER (object), result, &error))
    {
      /* Cancelled while the invitation was on its way: cancel it now that
       * the server knows it, or the peer would ring until it expires. */
      if (self->state == BECKON_CALL_STATE_ENDED && self->end_reason == BECKON_CALL_END_CANCELLED)
        rtm_call_manager_cancel_local_invitation_async (RTM_CALL_MANAGER (object), self->local, NULL,
                                                        on_cancel_done, g_object_ref (self));
      return;
    }

  if (g_error_matches (error, RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN))
    end_call (self, BECKON_CALL_END_NOT_SIGNED_IN, NULL);
  else
    end_call (self, BECKON_CALL_END_ERROR, error->message);
}

void
beckon_call_send (BeckonCall *self)
{
  g_return_if_fail (BECKON_IS_CALL (self));
  g_return_if_fail (self->local != NULL);

  rtm_call_manager_send_local_invitation_async (rtm_client_get_call_manager (self->client),
                                                self->local, NULL, on_send_done,
                                                g_object_ref (self));
}

static void
on_accept_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(BeckonCall) self = user_data;
  g_autoptr(GError) error = NULL;

  if (rtm_call_manager_accept_remote_invitation_finish (RTM_CALL_MANAGER (object), result, &error))
    return;

  if (g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_END))
    {
      /* The caller cancelled first or the invitation rang out. */
      end_call (self, BECKON_CALL_END_CANCELLED, NULL);
      return;
    }

  end_call (self, BECKON_CALL_END_ERROR, error->message);
}

void
beckon_call_accept (BeckonCall *self)
{
  g_return_if_fail (BECKON_IS_CALL (self));

  if (self->state != BECKON_CALL_STATE_INCOMING)
    return;

  mark_answered (self);
  set_state (self, BECKON_CALL_STATE_CONNECTING);

  /* Join the channel before the caller hears of the answer, so its offer
   * finds us there. */
  if (!start_session (self))
    return;

  rtm_call_manager_accept_remote_invitation_async (rtm_client_get_call_manager (self->client),
                                                   self->remote, NULL, on_accept_done,
                                                   g_object_ref (self));
}

static void
on_refuse_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(BeckonCall) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Ended already; a failure only means the caller gave up first. */
  if (!rtm_call_manager_refuse_remote_invitation_finish (RTM_CALL_MANAGER (object), result, &error))
    g_debug ("Declining %s: %s", self->id, error->message);
}

void
beckon_call_decline (BeckonCall *self,
                     const char *response)
{
  g_return_if_fail (BECKON_IS_CALL (self));

  if (self->state != BECKON_CALL_STATE_INCOMING)
    return;

  if (response != NULL)
    rtm_remote_invitation_set_response (self->remote, response);
  set_response (self, response);

  rtm_call_manager_refuse_remote_invitation_async (rtm_client_get_call_manager (self->client),
                                                   self->remote, NULL, on_refuse_done,
                                                   g_object_ref (self));

  /* End at once so the ringing stops without waiting for the server. */
  if (response != NULL && g_ascii_strcasecmp (response, "busy") == 0)
    end_call (self, BECKON_CALL_END_BUSY, NULL);
  else
    end_call (self, BECKON_CALL_END_DECLINED, NULL);
}

void
beckon_call_hang_up (BeckonCall *self)
{
  g_return_if_fail (BECKON_IS_CALL (self));

  switch (self->state)
    {
    case BECKON_CALL_STATE_DIALING:
    case BECKON_CALL_STATE_ALERTING:
      rtm_call_manager_cancel_local_invitation_async (rtm_client_get_call_manager (self->client),
                                                      self->local, NULL, on_cancel_done,
                                                      g_object_ref (self));
      /* End at once so the ringback stops; a late answer is handled in
       * on_local_accepted(). */
      end_call (self, BECKON_CALL_END_CANCELLED, NULL);
      break;

    case BECKON_CALL_STATE_INCOMING:
      beckon_call_decline (self, NULL);
      break;

    case BECKON_CALL_STATE_CONNECTING:
    case BECKON_CALL_STATE_ACTIVE:
      end_call (self, BECKON_CALL_END_HANGUP_LOCAL, NULL);
      break;

    case BECKON_CALL_STATE_ENDED:
    default:
      break;
    }
}
