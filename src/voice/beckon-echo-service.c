/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "beckon-echo"

#include "beckon-echo-service.h"

#include <gst/app/app.h>

#define DEFAULT_DELAY_MS 1000
#define ECHO_CAPS "audio/x-raw,format=S16LE,rate=48000,channels=1,layout=interleaved"

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_DELAY,
  PROP_LATENCY,
  PROP_MEDIA_TIMEOUT,
  PROP_N_CALLS,
  N_PROPS
};

enum {
  SIGNAL_SESSION_ADDED,
  SIGNAL_SESSION_REMOVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

struct _BeckonEchoService
{
  GObject       parent_instance;

  RtmClient    *client;
  guint         delay;
  guint         latency;
  guint         media_timeout;

  GPtrArray    *sessions;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (BeckonEchoService, beckon_echo_service, G_TYPE_OBJECT)

/* Runs on the session's receiving streaming thread: the delayed audio goes
 * straight to the session's own source. appsrc restamps it with the time
 * it re-enters the pipeline. */
static GstFlowReturn
on_echo_sample (GstAppSink *sink,
                gpointer    user_data)
{
  GstAppSrc *source = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buffer;

  if (sample == NULL)
    return GST_FLOW_EOS;
  buffer = gst_buffer_copy (gst_sample_get_buffer (sample));
  GST_BUFFER_PTS (buffer) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DTS (buffer) = GST_CLOCK_TIME_NONE;
  /* Flushing when the call ends: nothing to report. */
  gst_app_src_push_buffer (source, buffer);
  return GST_FLOW_OK;
}

static void
on_session_state_changed (BeckonVoiceSession *session,
                          BeckonVoiceState    state,
                          BeckonVoiceState    old_state,
                          gpointer            user_data)
{
  BeckonEchoService *self = user_data;
  g_autoptr(BeckonVoiceSession) hold = NULL;

  if (state != BECKON_VOICE_STATE_ENDED)
    return;

  hold = g_object_ref (session);
  g_debug ("echo call with %s ended: %s", beckon_voice_session_get_peer_id (session),
           beckon_voice_end_reason_to_string (beckon_voice_session_get_end_reason (session)));
  g_signal_handlers_disconnect_by_data (session, self);
  if (g_ptr_array_remove (self->sessions, session))
    {
      g_signal_emit (self, signals[SIGNAL_SESSION_REMOVED], 0, session);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CALLS]);
    }
}

static BeckonVoiceSession *
make_session (BeckonEchoService  *self,
              const char         *channel_id,
              const char         *caller_id,
              GError            **error)
{
  g_autoptr(BeckonVoiceSession) session = NULL;
  g_autoptr(GstCaps) caps = gst_caps_from_string (ECHO_CAPS);
  g_autofree char *description = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstElement) appsink = NULL;
  GstElement *source;
  GstAppSinkCallbacks callbacks = { .new_sample = on_echo_sample };

  source = gst_element_factory_make ("appsrc", NULL);
  if (source == NULL)
    {
      g_set_error_literal (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_MISSING_ELEMENT,
                           "The GStreamer element “appsrc” is not installed");
      return NULL;
    }
  g_object_set (source,
                "is-live", TRUE,
                "format", GST_FORMAT_TIME,
                "do-timestamp", TRUE,
                "caps", caps,
                "max-bytes", (guint64) 48000 * 2 * 3,
                NULL);

  /* The queue holds the caller's audio until it is `delay` long, then lets
   * it through as fast as it comes: a constant delay. */
  description = g_strdup_printf ("queue min-threshold-time=%" G_GUINT64_FORMAT
                                 " max-size-time=%" G_GUINT64_FORMAT
                                 " max-size-buffers=0 max-size-bytes=0"
                                 " ! appsink name=echo sync=false caps=\"%s\"",
                                 (guint64) self->delay * GST_MSECOND,
                                 (guint64) (self->delay + 2000) * GST_MSECOND,
                                 ECHO_CAPS);
  sink = gst_parse_bin_from_description (description, TRUE, error);
  if (sink == NULL)
    {
      gst_object_unref (gst_object_ref_sink (source));
      return NULL;
    }
  gst_object_ref_sink (sink);
  appsink = gst_bin_get_by_name (GST_BIN (sink), "echo");
  /* The sink keeps the source alive: it goes with the pipeline. */
  gst_app_sink_set_callbacks (GST_APP_SINK (appsink), &callbacks,
                              gst_object_ref (source), gst_object_unref);

  session = beckon_voice_session_new (self->client, channel_id, caller_id, BECKON_VOICE_ROLE_CALLEE);
  g_object_set (session,
                "source-element", source,
                "sink-element", sink,
                /* Cancelling the caller's voice would cancel the echo itself. */
                "echo-cancel", FALSE,
                "latency", self->latency,
                "media-timeout", self->media_timeout,
                NULL);
  return g_steal_pointer (&session);
}

typedef struct {
  BeckonEchoService   *self;
  RtmRemoteInvitation *invitation;
} AcceptData;

static void
accept_data_free (AcceptData *data)
{
  g_object_unref (data->self);
  g_object_unref (data->invitation);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AcceptData, accept_data_free)

static void
on_accepted (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(AcceptData) data = user_data;
  BeckonEchoService *self = data->self;
  g_autoptr(BeckonVoiceSession) session = NULL;
  g_autoptr(GError) error = NULL;
  const char *channel_id = rtm_remote_invitation_get_channel_id (data->invitation);
  const char *caller_id = rtm_remote_invitation_get_caller_id (data->invitation);

  if (!rtm_call_manager_accept_remote_invitation_finish (RTM_CALL_MANAGER (object), result, &error))
    {
      g_debug ("accepting %s's call failed: %s", caller_id, error->message);
      return;
    }
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  session = make_session (self, channel_id, caller_id, &error);
  if (session == NULL || !beckon_voice_session_start (session, &error))
    {
      g_warning ("Cannot answer %s with an echo: %s", caller_id, error->message);
      return;
    }

  g_signal_connect (session, "state-changed", G_CALLBACK (on_session_state_changed), self);
  g_ptr_array_add (self->sessions, g_object_ref (session));
  g_signal_emit (self, signals[SIGNAL_SESSION_ADDED], 0, session);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CALLS]);
}

static void
on_refused (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!rtm_call_manager_refuse_remote_invitation_finish (RTM_CALL_MANAGER (object), result, &error))
    g_debug ("refusing failed: %s", error->message);
}

static void
on_invitation_received (RtmCallManager      *manager,
                        RtmRemoteInvitation *invitation,
                        gpointer             user_data)
{
  BeckonEchoService *self = user_data;
  const char *channel_id = rtm_remote_invitation_get_channel_id (invitation);
  AcceptData *data;

  if (channel_id == NULL || *channel_id == '\0')
    {
      rtm_remote_invitation_set_response (invitation, "no channel to meet in");
      rtm_call_manager_refuse_remote_invitation_async (manager, invitation, self->cancellable,
                                                       on_refused, NULL);
      return;
    }

  data = g_new0 (AcceptData, 1);
  data->self = g_object_ref (self);
  data->invitation = g_object_ref (invitation);
  /* The session starts once the server confirmed: an invitation the
   * caller canceled meanwhile gets none. */
  rtm_call_manager_accept_remote_invitation_async (manager, invitation, self->cancellable,
                                                   on_accepted, data);
}

static void
beckon_echo_service_constructed (GObject *object)
{
  BeckonEchoService *self = (BeckonEchoService *) object;
  RtmCallManager *manager = rtm_client_get_call_manager (self->client);

  G_OBJECT_CLASS (beckon_echo_service_parent_class)->constructed (object);

  g_signal_connect_object (manager, "remote-invitation-received",
                           G_CALLBACK (on_invitation_received), self, 0);
}

static void
beckon_echo_service_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BeckonEchoService *self = BECKON_ECHO_SERVICE (object);

  switch (prop_id)
    {
    case PROP_CLIENT: g_value_set_object (value, self->client); break;
    case PROP_DELAY: g_value_set_uint (value, self->delay); break;
    case PROP_LATENCY: g_value_set_uint (value, self->latency); break;
    case PROP_MEDIA_TIMEOUT: g_value_set_uint (value, self->media_timeout); break;
    case PROP_N_CALLS: g_value_set_uint (value, self->sessions->len); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_echo_service_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BeckonEchoService *self = BECKON_ECHO_SERVICE (object);

  switch (prop_id)
    {
    case PROP_CLIENT: self->client = g_value_dup_object (value); break;
    case PROP_DELAY: self->delay = g_value_get_uint (value); break;
    case PROP_LATENCY: self->latency = g_value_get_uint (value); break;
    case PROP_MEDIA_TIMEOUT: self->media_timeout = g_value_get_uint (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec); return;
    }
  if (prop_id != PROP_CLIENT)
    g_object_notify_by_pspec (object, pspec);
}

static void
beckon_echo_service_dispose (GObject *object)
{
  BeckonEchoService *self = (BeckonEchoService *) object;

  g_cancellable_cancel (self->cancellable);
  if (self->sessions != NULL)
    beckon_echo_service_hangup_all (self);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (beckon_echo_service_parent_class)->dispose (object);
}

static void
beckon_echo_service_finalize (GObject *object)
{
  BeckonEchoService *self = (BeckonEchoService *) object;

  g_clear_pointer (&self->sessions, g_ptr_array_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (beckon_echo_service_parent_class)->finalize (object);
}

static void
beckon_echo_service_class_init (BeckonEchoServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = beckon_echo_service_constructed;
  object_class->get_property = beckon_echo_service_get_property;
  object_class->set_property = beckon_echo_service_set_property;
  object_class->dispose = beckon_echo_service_dispose;
  object_class->finalize = beckon_echo_service_finalize;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, RTM_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DELAY] =
    g_param_spec_uint ("delay", NULL, NULL, 0, 10000, DEFAULT_DELAY_MS, rw);
  properties[PROP_LATENCY] =
    g_param_spec_uint ("latency", NULL, NULL, 0, 5000, 30, rw);
  properties[PROP_MEDIA_TIMEOUT] =
    g_param_spec_uint ("media-timeout", NULL, NULL, 0, G_MAXUINT, 5000, rw);
  properties[PROP_N_CALLS] =
    g_param_spec_uint ("n-calls", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SESSION_ADDED] =
    g_signal_new ("session-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, BECKON_TYPE_VOICE_SESSION);
  signals[SIGNAL_SESSION_REMOVED] =
    g_signal_new ("session-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, BECKON_TYPE_VOICE_SESSION);
}

static void
beckon_echo_service_init (BeckonEchoService *self)
{
  self->sessions = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
}

BeckonEchoService *
beckon_echo_service_new (RtmClient *client)
{
  g_return_val_if_fail (RTM_IS_CLIENT (client), NULL);

  return g_object_new (BECKON_TYPE_ECHO_SERVICE, "client", client, NULL);
}

RtmClient *
beckon_echo_service_get_client (BeckonEchoService *self)
{
  g_return_val_if_fail (BECKON_IS_ECHO_SERVICE (self), NULL);

  return self->client;
}

guint
beckon_echo_service_get_n_calls (BeckonEchoService *self)
{
  g_return_val_if_fail (BECKON_IS_ECHO_SERVICE (self), 0);

  return self->sessions->len;
}

void
beckon_echo_service_hangup_all (BeckonEchoService *self)
{
  g_autoptr(GPtrArray) sessions = NULL;

  g_return_if_fail (BECKON_IS_ECHO_SERVICE (self));

  /* Hanging up removes each from the list: walk a copy. */
  sessions = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->sessions->len; i++)
    g_ptr_array_add (sessions, g_object_ref (g_ptr_array_index (self->sessions, i)));
  for (guint i = 0; i < sessions->len; i++)
    beckon_voice_session_hangup (g_ptr_array_index (sessions, i));
}
