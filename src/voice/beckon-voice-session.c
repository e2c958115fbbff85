/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "beckon-voice"

#include "beckon-voice-session.h"
#include "beckon-voice-pipeline.h"

#include <json-glib/json-glib.h>

#define DEFAULT_LATENCY_MS 30
#define DEFAULT_CONNECT_TIMEOUT_MS 20000
#define DEFAULT_MEDIA_TIMEOUT_MS 3000
#define WATCHDOG_INTERVAL_MS 200

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_CHANNEL_ID,
  PROP_PEER_ID,
  PROP_ROLE,
  PROP_SOURCE_DESCRIPTION,
  PROP_SINK_DESCRIPTION,
  PROP_SOURCE_DEVICE,
  PROP_SINK_DEVICE,
  PROP_SOURCE_ELEMENT,
  PROP_SINK_ELEMENT,
  PROP_LATENCY,
  PROP_ECHO_CANCEL,
  PROP_MUTED,
  PROP_CONNECT_TIMEOUT,
  PROP_MEDIA_TIMEOUT,
  PROP_STATE,
  PROP_END_REASON,
  PROP_ERROR,
  N_PROPS
};

enum {
  SIGNAL_STATE_CHANGED,
  SIGNAL_LEVELS,
  SIGNAL_STATISTICS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

struct _BeckonVoiceSession
{
  GObject               parent_instance;

  /* Configuration */
  RtmClient            *client;
  char                 *channel_id;
  char                 *peer_id;
  BeckonVoiceRole       role;
  char                 *source_description;
  char                 *sink_description;
  GstDevice            *source_device;
  GstDevice            *sink_device;
  GstElement           *source_element;
  GstElement           *sink_element;
  guint                 latency;
  gboolean              echo_cancel;
  gboolean              muted;
  guint                 connect_timeout;
  guint                 media_timeout;

  /* State */
  BeckonVoiceState      state;
  BeckonVoiceEndReason  end_reason;
  GError               *error;
  char                 *local_id;

  /* Owned while the call runs */
  RtmChannel           *channel;
  BeckonVoicePipeline  *pipeline;
  GCancellable         *cancellable;
  GQueue                outbox;        /* messages held until the peer can hear them */
  GMainContext         *context;
  GSource              *connect_timer;
  GSource              *watchdog;
  gint64                connected_time;
  gboolean              joined;
  gboolean              joining;
  gboolean              peer_present;
  gboolean              peer_seen;     /* it was in the channel at some point */
  gboolean              start_failed;
  char                 *late_bye;     /* hung up while joining: said once joined */
};

G_DEFINE_FINAL_TYPE (BeckonVoiceSession, beckon_voice_session, G_TYPE_OBJECT)

static GSource *
add_timer (BeckonVoiceSession *self,
           guint               ms,
           GSourceFunc         func,
           const char         *name)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_static_name (source, name);
  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

static void
clear_timer (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void end_call (BeckonVoiceSession   *self,
                      BeckonVoiceEndReason  reason,
                      const GError         *error);

const char *
beckon_voice_end_reason_to_string (BeckonVoiceEndReason reason)
{
  switch (reason)
    {
    case BECKON_VOICE_END_NONE: return "none";
    case BECKON_VOICE_END_HANGUP_LOCAL: return "hangup-local";
    case BECKON_VOICE_END_HANGUP_REMOTE: return "hangup-remote";
    case BECKON_VOICE_END_ICE_FAILED: return "ice-failed";
    case BECKON_VOICE_END_NO_MEDIA: return "no-media";
    case BECKON_VOICE_END_MEDIA_ERROR: return "media-error";
    case BECKON_VOICE_END_CONNECT_TIMEOUT: return "connect-timeout";
    case BECKON_VOICE_END_SIGNALLING_ERROR: return "signalling-error";
    default: return "unknown";
    }
}

static void
set_state (BeckonVoiceSession *self,
           BeckonVoiceState    state)
{
  BeckonVoiceState old_state = self->state;

  /* A state only moves forward. */
  if (state <= old_state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, state, old_state);
}

/* Signalling: JSON in channel messages, see docs/protocol.md */

static char *
build_message (BeckonVoiceSession *self,
               void (*fill) (JsonBuilder *builder, gconstpointer data),
               gconstpointer       data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "voice");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "to");
  json_builder_add_string_value (builder, self->peer_id);
  fill (builder, data);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

typedef struct {
  const char *type;
  const char *sdp;
} SdpData;

static void
fill_sdp (JsonBuilder   *builder,
          gconstpointer  data)
{
  const SdpData *sdp = data;

  json_builder_set_member_name (builder, "sdp");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, sdp->type);
  json_builder_set_member_name (builder, "sdp");
  json_builder_add_string_value (builder, sdp->sdp);
  json_builder_end_object (builder);
}

typedef struct {
  guint       mline;
  const char *candidate;
} IceData;

static void
fill_ice (JsonBuilder   *builder,
          gconstpointer  data)
{
  const IceData *ice = data;

  json_builder_set_member_name (builder, "ice");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "candidate");
  json_builder_add_string_value (builder, ice->candidate);
  json_builder_set_member_name (builder, "sdpMLineIndex");
  json_builder_add_int_value (builder, ice->mline);
  json_builder_end_object (builder);
}

static void
fill_bye (JsonBuilder   *builder,
          gconstpointer  data)
{
  json_builder_set_member_name (builder, "bye");
  json_builder_add_string_value (builder, data);
}

static void
on_message_sent (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(BeckonVoiceSession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) wrapped = NULL;

  if (rtm_channel_send_message_finish (RTM_CHANNEL (object), result, &error))
    return;
  if (self->state == BECKON_VOICE_STATE_ENDED)
    return;
  wrapped = g_error_new (BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_SIGNALLING,
                         "Cannot send on the call's channel: %s", error->message);
  end_call (self, BECKON_VOICE_END_SIGNALLING_ERROR, wrapped);
}

static gboolean
can_send (BeckonVoiceSession *self)
{
  /* The caller speaks first, so it waits until the callee is in the
   * channel; a message to an absent member is lost. */
  return self->joined && (self->role == BECKON_VOICE_ROLE_CALLEE || self->peer_present);
}

static void
flush_outbox (BeckonVoiceSession *self)
{
  char *text;

  if (!can_send (self))
    return;
  while ((text = g_queue_pop_head (&self->outbox)) != NULL)
    {
      rtm_channel_send_message_async (self->channel, text, NULL,
                                      on_message_sent, g_object_ref (self));
      g_free (text);
    }
}

static void
send_or_queue (BeckonVoiceSession *self,
               char               *text)
{
  g_queue_push_tail (&self->outbox, text);
  flush_outbox (self);
}

static void
on_leave_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!rtm_channel_leave_finish (RTM_CHANNEL (object), result, &error))
    g_debug ("leaving %s: %s", rtm_channel_get_channel_id (RTM_CHANNEL (object)), error->message);
}

static void
on_bye_sent (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  RtmChannel *channel = RTM_CHANNEL (object);
  g_autoptr(GError) error = NULL;

  if (!rtm_channel_send_message_finish (channel, result, &error))
    g_debug ("bye not sent: %s", error->message);
  /* Leave only now: leaving first would drop the bye. */
  rtm_channel_leave_async (channel, NULL, on_leave_done, NULL);
}

/* A bye for a peer that is not in the channel yet would be lost: a
 * channel message reaches only current members. The courier outlives the
 * session (it holds no reference to it), stays in the channel until the
 * peer joins, says bye and leaves; or gives up after @timeout_ms. */
typedef struct {
  RtmChannel *channel;
  char       *peer_id;
  char       *text;
  GSource    *timer;
  gulong      joined_handler;
  gboolean    joining;
  gboolean    done;
} ByeCourier;

static void
bye_courier_clear (gpointer data)
{
  ByeCourier *courier = data;

  g_assert (courier->timer == NULL && courier->joined_handler == 0);
  g_clear_object (&courier->channel);
  g_free (courier->peer_id);
  g_free (courier->text);
}

static ByeCourier *
bye_courier_ref (ByeCourier *courier)
{
  return g_rc_box_acquire (courier);
}

static void
bye_courier_unref (ByeCourier *courier)
{
  g_rc_box_release_full (courier, bye_courier_clear);
}

/* Stops waiting; sends the bye (and then leaves) or just leaves. */
static void
bye_courier_finish (ByeCourier *courier,
                    gboolean    deliver,
                    gboolean    leave)
{
  if (courier->done)
    return;
  courier->done = TRUE;
  clear_timer (&courier->timer);
  g_clear_signal_handler (&courier->joined_handler, courier->channel);

  if (deliver)
    rtm_channel_send_message_async (courier->channel, courier->text, NULL, on_bye_sent, NULL);
  else if (leave)
    rtm_channel_leave_async (courier->channel, NULL, on_leave_done, NULL);
  /* The timer's and the handler's reference. */
  bye_courier_unref (courier);
}

static gboolean
on_courier_timeout (gpointer user_data)
{
  ByeCourier *courier = user_data;

  g_debug ("%s never joined %s: its bye is dropped", courier->peer_id,
           rtm_channel_get_channel_id (courier->channel));
  /* A join in flight is left when it completes. */
  bye_courier_finish (courier, FALSE, !courier->joining);
  return G_SOURCE_REMOVE;
}

static void
on_courier_member_joined (RtmChannel *channel,
                          const char *member_id,
                          gpointer    user_data)
{
  ByeCourier *courier = user_data;

  if (g_strcmp0 (member_id, courier->peer_id) == 0)
    bye_courier_finish (courier, TRUE, TRUE);
}

static void
on_courier_members (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ByeCourier *courier = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) members = rtm_channel_get_members_finish (RTM_CHANNEL (object), result, &error);

  if (members == NULL)
    g_debug ("members of %s: %s", rtm_channel_get_channel_id (courier->channel), error->message);
  else if (g_strv_contains ((const char * const *) members, courier->peer_id))
    bye_courier_finish (courier, TRUE, TRUE);
  bye_courier_unref (courier);
}

static void
on_courier_joined (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ByeCourier *courier = user_data;
  g_autoptr(GError) error = NULL;

  courier->joining = FALSE;
  if (!rtm_channel_join_finish (courier->channel, result, &error) &&
      !g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_JOINED))
    {
      g_debug ("cannot join %s to say bye: %s", rtm_channel_get_channel_id (courier->channel),
               error->message);
      bye_courier_finish (courier, FALSE, FALSE);
    }
  else if (!courier->done)
    {
      rtm_channel_get_members_async (courier->channel, NULL, on_courier_members,
                                     bye_courier_ref (courier));
    }
  else
    {
      /* Gave up while joining. */
      rtm_channel_leave_async (courier->channel, NULL, on_leave_done, NULL);
    }
  bye_courier_unref (courier);
}

static void
send_bye_when_peer_joins (RtmChannel   *channel,
                          gboolean      joined,
                          const char   *peer_id,
                          const char   *text,
                          guint         timeout_ms,
                          GMainContext *context)
{
  ByeCourier *courier = g_rc_box_new0 (ByeCourier);

  courier->channel = g_object_ref (channel);
  courier->peer_id = g_strdup (peer_id);
  courier->text = g_strdup (text);
  /* One reference for the timer and the handler, dropped by finish(). */
  courier->timer = g_timeout_source_new (timeout_ms);
  g_source_set_static_name (courier->timer, "[beckon-voice] bye courier");
  g_source_set_callback (courier->timer, on_courier_timeout, courier, NULL);
  g_source_attach (courier->timer, context);
  courier->joined_handler = g_signal_connect (channel, "member-joined",
                                              G_CALLBACK (on_courier_member_joined), courier);

  courier->joining = !joined;
  if (joined)
    rtm_channel_get_members_async (channel, NULL, on_courier_members, bye_courier_ref (courier));
  else
    rtm_channel_join_async (channel, NULL, on_courier_joined, bye_courier_ref (courier));
}

static guint
courier_timeout (BeckonVoiceSession *self)
{
  /* As long as the peer would wait for us before giving up itself. */
  return self->connect_timeout > 0 ? self->connect_timeout : DEFAULT_CONNECT_TIMEOUT_MS;
}

/* Tears the call down without signals: shared by end_call() and dispose. */
static void
teardown (BeckonVoiceSession *self,
          const char         *bye)
{
  clear_timer (&self->connect_timer);
  clear_timer (&self->watchdog);
  g_cancellable_cancel (self->cancellable);
  g_queue_clear_full (&self->outbox, g_free);

  if (self->pipeline != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->pipeline, self);
      beckon_voice_pipeline_stop (self->pipeline);
      g_clear_object (&self->pipeline);
    }

  if (self->channel != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->channel, self);
      if (self->joined && bye != NULL)
        {
          g_autofree char *text = build_message (self, fill_bye, bye);

          if (self->peer_seen)
            rtm_channel_send_message_async (self->channel, text, NULL, on_bye_sent, NULL);
          else
            send_bye_when_peer_joins (self->channel, TRUE, self->peer_id, text,
                                      courier_timeout (self), self->context);
        }
      else if (self->joined)
        {
          rtm_channel_leave_async (self->channel, NULL, on_leave_done, NULL);
        }
      else if (self->joining && bye != NULL)
        {
          /* The callee may be in the channel already: on_joined() says bye. */
          g_free (self->late_bye);
          self->late_bye = build_message (self, fill_bye, bye);
        }
      self->joined = FALSE;
      g_clear_object (&self->channel);
    }

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
}

static void
end_call (BeckonVoiceSession   *self,
          BeckonVoiceEndReason  reason,
          const GError         *error)
{
  g_autoptr(BeckonVoiceSession) hold = NULL;
  const char *bye;

  if (self->state == BECKON_VOICE_STATE_ENDED)
    return;

  /* Handlers of state-changed may drop the last reference. */
  hold = g_object_ref (self);

  g_debug ("%s: call with %s ends: %s%s%s", self->local_id ? self->local_id : "?", self->peer_id,
           beckon_voice_end_reason_to_string (reason),
           error ? ": " : "", error ? error->message : "");

  switch (reason)
    {
    case BECKON_VOICE_END_HANGUP_REMOTE:
      bye = NULL;
      break;
    case BECKON_VOICE_END_HANGUP_LOCAL:
      bye = "hangup";
      break;
    case BECKON_VOICE_END_NONE:
    case BECKON_VOICE_END_ICE_FAILED:
    case BECKON_VOICE_END_NO_MEDIA:
    case BECKON_VOICE_END_MEDIA_ERROR:
    case BECKON_VOICE_END_CONNECT_TIMEOUT:
    case BECKON_VOICE_END_SIGNALLING_ERROR:
    default:
      bye = beckon_voice_end_reason_to_string (reason);
      break;
    }

  teardown (self, bye);

  self->end_reason = reason;
  if (error != NULL)
    {
      g_clear_error (&self->error);
      self->error = g_error_copy (error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_END_REASON]);
  set_state (self, BECKON_VOICE_STATE_ENDED);
}

static void
end_with_error (BeckonVoiceSession   *self,
                BeckonVoiceEndReason  reason,
                BeckonVoiceError      code,
                const char           *message)
{
  g_autoptr(GError) error = g_error_new_literal (BECKON_VOICE_ERROR, code, message);

  end_call (self, reason, error);
}

/* Timers */

static gboolean
on_connect_timeout (gpointer user_data)
{
  BeckonVoiceSession *self = user_data;

  end_with_error (self, BECKON_VOICE_END_CONNECT_TIMEOUT, BECKON_VOICE_ERROR_FAILED,
                  "The call did not connect in time");
  return G_SOURCE_REMOVE;
}

static gboolean
on_watchdog (gpointer user_data)
{
  BeckonVoiceSession *self = user_data;
  gint64 last = MAX (self->connected_time, beckon_voice_pipeline_get_last_media_time (self->pipeline));

  /* webrtcbin 1.22 never notices a vanished peer: its ICE and connection
   * states stay put. Missing packets are the only sign. */
  if (g_get_monotonic_time () - last > (gint64) self->media_timeout * 1000)
    {
      end_with_error (self, BECKON_VOICE_END_NO_MEDIA, BECKON_VOICE_ERROR_FAILED,
                      "The peer's audio stopped arriving");
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* Pipeline signals, on our main context */

static void
on_local_description (BeckonVoicePipeline *pipeline,
                      const char          *type,
                      const char          *sdp,
                      gpointer             user_data)
{
  BeckonVoiceSession *self = user_data;
  SdpData data = { type, sdp };

  send_or_queue (self, build_message (self, fill_sdp, &data));
}

static void
on_local_candidate (BeckonVoicePipeline *pipeline,
                    guint                mline,
                    const char          *candidate,
                    gpointer             user_data)
{
  BeckonVoiceSession *self = user_data;
  IceData data = { mline, candidate };

  send_or_queue (self, build_message (self, fill_ice, &data));
}

static void
on_pipeline_connected (BeckonVoicePipeline *pipeline,
                       gpointer             user_data)
{
  BeckonVoiceSession *self = user_data;

  if (self->state != BECKON_VOICE_STATE_CONNECTING)
    return;

  clear_timer (&self->connect_timer);
  self->connected_time = g_get_monotonic_time ();
  if (self->media_timeout > 0)
    self->watchdog = add_timer (self, WATCHDOG_INTERVAL_MS, on_watchdog, "[beckon-voice] media watchdog");
  set_state (self, BECKON_VOICE_STATE_CONNECTED);
}

static void
on_pipeline_ice_failed (BeckonVoicePipeline *pipeline,
                        gpointer             user_data)
{
  end_with_error (user_data, BECKON_VOICE_END_ICE_FAILED, BECKON_VOICE_ERROR_FAILED,
                  "No network path to the peer was found");
}

static void
on_pipeline_failed (BeckonVoicePipeline *pipeline,
                    GError              *error,
                    gpointer             user_data)
{
  end_call (user_data, BECKON_VOICE_END_MEDIA_ERROR, error);
}

static void
on_pipeline_levels (BeckonVoicePipeline *pipeline,
                    double               input_db,
                    double               output_db,
                    gpointer             user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_LEVELS], 0, input_db, output_db);
}

static void
on_pipeline_statistics (BeckonVoicePipeline *pipeline,
                        double               rtt_ms,
                        double               jitter_ms,
                        gint64               lost,
                        double               kbps,
                        gpointer             user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_STATISTICS], 0, rtt_ms, jitter_ms, lost, kbps);
}

/* Channel signals */

static const char *
peer_failure_message (const char *why)
{
  if (g_str_equal (why, "media-error"))
    return "The other side's audio failed (no usable microphone or speaker, or a broken description)";
  if (g_str_equal (why, "ice-failed"))
    return "The other side found no network path";
  if (g_str_equal (why, "no-media"))
    return "The other side stopped hearing this side";
  if (g_str_equal (why, "connect-timeout"))
    return "The other side could not connect in time";
  if (g_str_equal (why, "signalling-error"))
    return "The other side lost its connection to the server";
  return "The other side's call failed";
}

static void
handle_peer_message (BeckonVoiceSession *self,
                     JsonObject         *message)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  if ((node = json_object_get_member (message, "bye")) != NULL)
    {
      const char *why = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
                        ? json_node_get_string (node) : NULL;

      /* A plain hang-up is no error; the peer's failure is worth saying. */
      if (why != NULL && g_strcmp0 (why, "hangup") != 0)
        g_set_error (&error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_FAILED,
                     "%s", peer_failure_message (why));
      end_call (self, BECKON_VOICE_END_HANGUP_REMOTE, error);
      return;
    }

  if ((node = json_object_get_member (message, "sdp")) != NULL)
    {
      JsonObject *sdp = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *type = sdp ? json_object_get_string_member_with_default (sdp, "type", NULL) : NULL;
      const char *text = sdp ? json_object_get_string_member_with_default (sdp, "sdp", NULL) : NULL;

      if (type == NULL || text == NULL)
        g_set_error_literal (&error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_BAD_SDP,
                             "The peer's description is malformed");
      else
        beckon_voice_pipeline_set_remote_description (self->pipeline, type, text, &error);
    }
  else if ((node = json_object_get_member (message, "ice")) != NULL)
    {
      JsonObject *ice = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonNode *candidate = ice ? json_object_get_member (ice, "candidate") : NULL;
      JsonNode *mline = ice ? json_object_get_member (ice, "sdpMLineIndex") : NULL;

      if (candidate == NULL || !JSON_NODE_HOLDS_VALUE (candidate) ||
          json_node_get_value_type (candidate) != G_TYPE_STRING ||
          mline == NULL || !JSON_NODE_HOLDS_VALUE (mline) ||
          json_node_get_value_type (mline) != G_TYPE_INT64 ||
          json_node_get_int (mline) < 0 || json_node_get_int (mline) > G_MAXINT)
        g_set_error_literal (&error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_BAD_SDP,
                             "The peer sent a malformed ICE candidate");
      else
        beckon_voice_pipeline_add_remote_candidate (self->pipeline,
                                                    (guint) json_node_get_int (mline),
                                                    json_node_get_string (candidate),
                                                    &error);
    }

  if (error != NULL)
    end_call (self, BECKON_VOICE_END_MEDIA_ERROR, error);
}

static void
on_channel_message (RtmChannel *channel,
                    const char *member_id,
                    const char *text,
                    gpointer    user_data)
{
  BeckonVoiceSession *self = user_data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *message;
  JsonNode *root;

  if (self->state != BECKON_VOICE_STATE_CONNECTING && self->state != BECKON_VOICE_STATE_CONNECTED)
    return;
  /* Channels carry other traffic too; only our peer's voice messages to us count. */
  if (g_strcmp0 (member_id, self->peer_id) != 0)
    return;
  /* It spoke on the channel, so it is in it. */
  self->peer_seen = TRUE;
  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  message = json_node_get_object (root);
  if (json_object_get_int_member_with_default (message, "voice", 0) != 1)
    return;
  if (g_strcmp0 (json_object_get_string_member_with_default (message, "to", NULL), self->local_id) != 0)
    return;

  handle_peer_message (self, message);
}

static void
on_member_joined (RtmChannel *channel,
                  const char *member_id,
                  gpointer    user_data)
{
  BeckonVoiceSession *self = user_data;

  if (g_strcmp0 (member_id, self->peer_id) != 0)
    return;
  self->peer_present = TRUE;
  self->peer_seen = TRUE;
  flush_outbox (self);
}

static void
on_member_left (RtmChannel *channel,
                const char *member_id,
                gpointer    user_data)
{
  BeckonVoiceSession *self = user_data;

  /* Media is peer to peer and may outlive the peer's RTM connection;
   * the media watchdog decides. Only stop talking to an absent peer. */
  if (g_strcmp0 (member_id, self->peer_id) == 0)
    self->peer_present = FALSE;
}

static void
on_members (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(BeckonVoiceSession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) members = rtm_channel_get_members_finish (RTM_CHANNEL (object), result, &error);

  if (members == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("members of %s: %s", self->channel_id, error->message);
      return;
    }
  if (self->state != BECKON_VOICE_STATE_CONNECTING)
    return;
  if (g_strv_contains ((const char * const *) members, self->peer_id))
    {
      self->peer_present = TRUE;
      self->peer_seen = TRUE;
      flush_outbox (self);
    }
}

static void
on_joined (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BeckonVoiceSession) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rtm_channel_join_finish (RTM_CHANNEL (object), result, &error) &&
      !g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_JOINED))
    {
      self->joining = FALSE;
      g_clear_pointer (&self->late_bye, g_free);
      if (self->state == BECKON_VOICE_STATE_CONNECTING)
        {
          g_autoptr(GError) wrapped = g_error_new (BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_SIGNALLING,
                                                   "Cannot join the call's channel: %s", error->message);

          end_call (self, BECKON_VOICE_END_SIGNALLING_ERROR, wrapped);
        }
      return;
    }

  self->joining = FALSE;
  if (self->state != BECKON_VOICE_STATE_CONNECTING)
    {
      /* Hung up while joining. */
      g_autofree char *bye = g_steal_pointer (&self->late_bye);

      if (bye != NULL)
        send_bye_when_peer_joins (RTM_CHANNEL (object), TRUE, self->peer_id, bye,
                                  courier_timeout (self), self->context);
      else
        rtm_channel_leave_async (RTM_CHANNEL (object), NULL, on_leave_done, NULL);
      return;
    }

  self->joined = TRUE;
  /* The callee needs to know too: its bye must not go to an empty channel. */
  rtm_channel_get_members_async (self->channel, self->cancellable, on_members, g_object_ref (self));
  flush_outbox (self);
}

static void
on_client_state_changed (RtmClient                 *client,
                         RtmConnectionState         state,
                         RtmConnectionChangeReason  reason,
                         gpointer                   user_data)
{
  BeckonVoiceSession *self = user_data;

  if (state == RTM_CONNECTION_STATE_DISCONNECTED || state == RTM_CONNECTION_STATE_ABORTED)
    end_with_error (self, BECKON_VOICE_END_SIGNALLING_ERROR, BECKON_VOICE_ERROR_SIGNALLING,
                    "The RTM client is no longer logged in");
}

/* Devices */

static gboolean
have_audio_device (const char *klass)
{
  g_autoptr(GstDeviceMonitor) monitor = gst_device_monitor_new ();
  GList *devices;
  gboolean found;

  gst_device_monitor_add_filter (monitor, klass, NULL);
  devices = gst_device_monitor_get_devices (monitor);
  found = devices != NULL;
  g_list_free_full (devices, gst_object_unref);
  return found;
}

static GstElement *
make_endpoint (GstElement  *element,
               GstDevice   *device,
               const char  *description,
               const char  *fallback,
               const char  *what,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GstElement *result;

  /* Returns a full (not floating) reference. */
  if (element != NULL)
    return gst_object_ref (element);

  if (device != NULL)
    {
      result = gst_device_create_element (device, NULL);
      if (result != NULL)
        return gst_object_ref_sink (result);
      g_autofree char *name = gst_device_get_display_name (device);

      g_set_error (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_DEVICE,
                   "The %s “%s” cannot be used", what, name);
      return NULL;
    }

  if (description != NULL)
    {
      result = gst_parse_bin_from_description (description, TRUE, &local_error);
      if (result != NULL)
        return gst_object_ref_sink (result);
      g_set_error (error, BECKON_VOICE_ERROR,
                   g_error_matches (local_error, GST_PARSE_ERROR, GST_PARSE_ERROR_NO_SUCH_ELEMENT)
                     ? BECKON_VOICE_ERROR_MISSING_ELEMENT : BECKON_VOICE_ERROR_DEVICE,
                   "The %s “%s” cannot be made: %s", what, description, local_error->message);
      return NULL;
    }

  /* With no sound server and no ALSA device autoaudiosrc still "works":
   * it picks openalsrc, which fails once playing, with GStreamer
   * criticals. Ask the device monitor first, so the failure is a clear
   * GError from start(). */
  if (!have_audio_device (g_str_has_suffix (fallback, "src") ? "Audio/Source" : "Audio/Sink"))
    {
      g_set_error (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_DEVICE,
                   "No %s was found: no sound server (PipeWire, PulseAudio) is running "
                   "and no sound card is available", what);
      return NULL;
    }

  result = gst_element_factory_make (fallback, NULL);
  if (result != NULL)
    return gst_object_ref_sink (result);
  g_set_error (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_MISSING_ELEMENT,
               "The GStreamer element “%s” is not installed", fallback);
  return NULL;
}

/* GObject */

static void
beckon_voice_session_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  BeckonVoiceSession *self = BECKON_VOICE_SESSION (object);

  switch (prop_id)
    {
    case PROP_CLIENT: g_value_set_object (value, self->client); break;
    case PROP_CHANNEL_ID: g_value_set_string (value, self->channel_id); break;
    case PROP_PEER_ID: g_value_set_string (value, self->peer_id); break;
    case PROP_ROLE: g_value_set_enum (value, self->role); break;
    case PROP_SOURCE_DESCRIPTION: g_value_set_string (value, self->source_description); break;
    case PROP_SINK_DESCRIPTION: g_value_set_string (value, self->sink_description); break;
    case PROP_SOURCE_DEVICE: g_value_set_object (value, self->source_device); break;
    case PROP_SINK_DEVICE: g_value_set_object (value, self->sink_device); break;
    case PROP_SOURCE_ELEMENT: g_value_set_object (value, self->source_element); break;
    case PROP_SINK_ELEMENT: g_value_set_object (value, self->sink_element); break;
    case PROP_LATENCY: g_value_set_uint (value, self->latency); break;
    case PROP_ECHO_CANCEL: g_value_set_boolean (value, self->echo_cancel); break;
    case PROP_MUTED: g_value_set_boolean (value, self->muted); break;
    case PROP_CONNECT_TIMEOUT: g_value_set_uint (value, self->connect_timeout); break;
    case PROP_MEDIA_TIMEOUT: g_value_set_uint (value, self->media_timeout); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_END_REASON: g_value_set_enum (value, self->end_reason); break;
    case PROP_ERROR: g_value_set_boxed (value, self->error); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_string (char       **field,
            const GValue *value)
{
  g_free (*field);
  *field = g_value_dup_string (value);
}

static void
beckon_voice_session_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  BeckonVoiceSession *self = BECKON_VOICE_SESSION (object);

  /* What the pipeline is made of is read at start. */
  switch (prop_id)
    {
    case PROP_CLIENT: g_set_object (&self->client, g_value_get_object (value)); break;
    case PROP_CHANNEL_ID: set_string (&self->channel_id, value); break;
    case PROP_PEER_ID: set_string (&self->peer_id, value); break;
    case PROP_ROLE: self->role = g_value_get_enum (value); break;
    case PROP_SOURCE_DESCRIPTION: set_string (&self->source_description, value); break;
    case PROP_SINK_DESCRIPTION: set_string (&self->sink_description, value); break;
    case PROP_SOURCE_DEVICE: g_set_object (&self->source_device, g_value_get_object (value)); break;
    case PROP_SINK_DEVICE: g_set_object (&self->sink_device, g_value_get_object (value)); break;
    case PROP_SOURCE_ELEMENT:
      gst_clear_object (&self->source_element);
      if (g_value_get_object (value) != NULL)
        self->source_element = gst_object_ref_sink (g_value_get_object (value));
      break;
    case PROP_SINK_ELEMENT:
      gst_clear_object (&self->sink_element);
      if (g_value_get_object (value) != NULL)
        self->sink_element = gst_object_ref_sink (g_value_get_object (value));
      break;
    case PROP_LATENCY: self->latency = g_value_get_uint (value); break;
    case PROP_ECHO_CANCEL: self->echo_cancel = g_value_get_boolean (value); break;
    case PROP_MUTED: beckon_voice_session_set_muted (self, g_value_get_boolean (value)); return;
    case PROP_CONNECT_TIMEOUT: self->connect_timeout = g_value_get_uint (value); break;
    case PROP_MEDIA_TIMEOUT: self->media_timeout = g_value_get_uint (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec); return;
    }
  if (prop_id != PROP_CLIENT && prop_id != PROP_CHANNEL_ID && prop_id != PROP_PEER_ID && prop_id != PROP_ROLE)
    g_object_notify_by_pspec (object, pspec);
}

static void
beckon_voice_session_dispose (GObject *object)
{
  BeckonVoiceSession *self = (BeckonVoiceSession *) object;

  /* Dropped without hanging up: still tell the peer. */
  teardown (self, "hangup");

  g_clear_object (&self->client);
  g_clear_object (&self->source_device);
  g_clear_object (&self->sink_device);
  gst_clear_object (&self->source_element);
  gst_clear_object (&self->sink_element);

  G_OBJECT_CLASS (beckon_voice_session_parent_class)->dispose (object);
}

static void
beckon_voice_session_finalize (GObject *object)
{
  BeckonVoiceSession *self = (BeckonVoiceSession *) object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_error (&self->error);
  g_free (self->channel_id);
  g_free (self->peer_id);
  g_free (self->local_id);
  g_free (self->late_bye);
  g_free (self->source_description);
  g_free (self->sink_description);

  G_OBJECT_CLASS (beckon_voice_session_parent_class)->finalize (object);
}

static void
beckon_voice_session_class_init (BeckonVoiceSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = beckon_voice_session_get_property;
  object_class->set_property = beckon_voice_session_set_property;
  object_class->dispose = beckon_voice_session_dispose;
  object_class->finalize = beckon_voice_session_finalize;

  /**
   * BeckonVoiceSession:client:
   *
   * The logged-in client whose channel carries the signalling.
   */
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, RTM_TYPE_CLIENT, co);
  /**
   * BeckonVoiceSession:channel-id:
   *
   * The RTM channel both parties join: the invitation's `channelId`.
   */
  properties[PROP_CHANNEL_ID] =
    g_param_spec_string ("channel-id", NULL, NULL, NULL, co);
  /**
   * BeckonVoiceSession:peer-id:
   *
   * The user id at the other end.
   */
  properties[PROP_PEER_ID] =
    g_param_spec_string ("peer-id", NULL, NULL, NULL, co);
  /**
   * BeckonVoiceSession:role:
   *
   * The caller offers, the callee answers.
   */
  properties[PROP_ROLE] =
    g_param_spec_enum ("role", NULL, NULL, BECKON_TYPE_VOICE_ROLE, BECKON_VOICE_ROLE_CALLER, co);
  /**
   * BeckonVoiceSession:source-description:
   *
   * A gst-launch description of the microphone, e.g.
   * `audiotestsrc is-live=true freq=440`; %NULL for `autoaudiosrc`.
   */
  properties[PROP_SOURCE_DESCRIPTION] =
    g_param_spec_string ("source-description", NULL, NULL, NULL, rw);
  /**
   * BeckonVoiceSession:sink-description:
   *
   * A gst-launch description of the speaker; %NULL for `autoaudiosink`.
   */
  properties[PROP_SINK_DESCRIPTION] =
    g_param_spec_string ("sink-description", NULL, NULL, NULL, rw);
  /**
   * BeckonVoiceSession:source-device:
   *
   * The microphone; wins over #BeckonVoiceSession:source-description.
   */
  properties[PROP_SOURCE_DEVICE] =
    g_param_spec_object ("source-device", NULL, NULL, GST_TYPE_DEVICE, rw);
  /**
   * BeckonVoiceSession:sink-device:
   *
   * The speaker; wins over #BeckonVoiceSession:sink-description.
   */
  properties[PROP_SINK_DEVICE] =
    g_param_spec_object ("sink-device", NULL, NULL, GST_TYPE_DEVICE, rw);
  /**
   * BeckonVoiceSession:source-element:
   *
   * An element (or bin with one source pad) to use as the microphone;
   * wins over the device and the description. For tests and the echo
   * service (`appsrc`).
   */
  properties[PROP_SOURCE_ELEMENT] =
    g_param_spec_object ("source-element", NULL, NULL, GST_TYPE_ELEMENT, rw);
  /**
   * BeckonVoiceSession:sink-element:
   *
   * An element (or bin with one sink pad) to play the peer's audio into;
   * wins over the device and the description. It receives 48 kHz audio.
   */
  properties[PROP_SINK_ELEMENT] =
    g_param_spec_object ("sink-element", NULL, NULL, GST_TYPE_ELEMENT, rw);
  /**
   * BeckonVoiceSession:latency:
   *
   * The jitter buffer, in milliseconds. Mouth-to-ear delay is about this
   * plus 50 ms on a LAN.
   */
  properties[PROP_LATENCY] =
    g_param_spec_uint ("latency", NULL, NULL, 0, 5000, DEFAULT_LATENCY_MS, rw | G_PARAM_CONSTRUCT);
  /**
   * BeckonVoiceSession:echo-cancel:
   *
   * Echo cancellation, noise suppression and gain control (webrtcdsp).
   * Ignored where the elements are not installed.
   */
  properties[PROP_ECHO_CANCEL] =
    g_param_spec_boolean ("echo-cancel", NULL, NULL, TRUE, rw | G_PARAM_CONSTRUCT);
  /**
   * BeckonVoiceSession:muted:
   *
   * Sends silence instead of the microphone.
   */
  properties[PROP_MUTED] =
    g_param_spec_boolean ("muted", NULL, NULL, FALSE, rw);
  /**
   * BeckonVoiceSession:connect-timeout:
   *
   * Milliseconds from start to connected before the call ends with
   * %BECKON_VOICE_END_CONNECT_TIMEOUT; 0 waits forever.
   */
  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_uint ("connect-timeout", NULL, NULL, 0, G_MAXUINT, DEFAULT_CONNECT_TIMEOUT_MS,
                       rw | G_PARAM_CONSTRUCT);
  /**
   * BeckonVoiceSession:media-timeout:
   *
   * Milliseconds without a packet from the peer, once connected, before
   * the call ends with %BECKON_VOICE_END_NO_MEDIA; 0 never.
   */
  properties[PROP_MEDIA_TIMEOUT] =
    g_param_spec_uint ("media-timeout", NULL, NULL, 0, G_MAXUINT, DEFAULT_MEDIA_TIMEOUT_MS,
                       rw | G_PARAM_CONSTRUCT);
  /**
   * BeckonVoiceSession:state:
   *
   * NEW → CONNECTING → CONNECTED → ENDED; it only moves forward.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, BECKON_TYPE_VOICE_STATE, BECKON_VOICE_STATE_NEW, ro);
  /**
   * BeckonVoiceSession:end-reason:
   *
   * Why the call ended, once #BeckonVoiceSession:state is ENDED.
   */
  properties[PROP_END_REASON] =
    g_param_spec_enum ("end-reason", NULL, NULL, BECKON_TYPE_VOICE_END_REASON, BECKON_VOICE_END_NONE, ro);
  /**
   * BeckonVoiceSession:error:
   *
   * The error that ended the call, if one did.
   */
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BeckonVoiceSession::state-changed:
   * @self: the session
   * @new_state: the state now
   * @old_state: the state before
   *
   * The call moved forward. On ENDED, #BeckonVoiceSession:end-reason and
   * #BeckonVoiceSession:error are already set.
   */
  signals[SIGNAL_STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  BECKON_TYPE_VOICE_STATE, BECKON_TYPE_VOICE_STATE);
  /**
   * BeckonVoiceSession::levels:
   * @self: the session
   * @input_db: RMS of what is sent, dBFS (-100 for silence or muted)
   * @output_db: RMS of what is played, dBFS (-100 for silence)
   *
   * About ten times a second while the call runs, for meters.
   */
  signals[SIGNAL_LEVELS] =
    g_signal_new ("levels", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  /**
   * BeckonVoiceSession::statistics:
   * @self: the session
   * @round_trip_ms: from RTCP, 0 until known
   * @jitter_ms: of the peer's packets
   * @packets_lost: of the peer's packets, since the start
   * @bitrate_kbps: of the peer's packets, over the last second
   *
   * Once a second while the call runs, from webrtcbin's statistics.
   */
  signals[SIGNAL_STATISTICS] =
    g_signal_new ("statistics", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_DOUBLE, G_TYPE_DOUBLE, G_TYPE_INT64, G_TYPE_DOUBLE);
}

static void
beckon_voice_session_init (BeckonVoiceSession *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->outbox);
}

/**
 * beckon_voice_session_new:
 * @client: a logged-in client
 * @channel_id: the invitation's channel
 * @peer_id: the other party
 * @role: whether this end offers (caller) or answers (callee)
 *
 * Returns: (transfer full): a session in state NEW
 */
BeckonVoiceSession *
beckon_voice_session_new (RtmClient       *client,
                          const char      *channel_id,
                          const char      *peer_id,
                          BeckonVoiceRole  role)
{
  g_return_val_if_fail (RTM_IS_CLIENT (client), NULL);
  g_return_val_if_fail (channel_id != NULL && *channel_id != '\0', NULL);
  g_return_val_if_fail (peer_id != NULL && *peer_id != '\0', NULL);
  g_return_val_if_fail (role == BECKON_VOICE_ROLE_CALLER || role == BECKON_VOICE_ROLE_CALLEE, NULL);

  return g_object_new (BECKON_TYPE_VOICE_SESSION,
                       "client", client,
                       "channel-id", channel_id,
                       "peer-id", peer_id,
                       "role", role,
                       NULL);
}

/* The peer accepted (or invited) and waits for us: tell it at once
 * instead of letting it wait out its connect timeout. */
static gboolean
fail_start (BeckonVoiceSession *self)
{
  g_autoptr(RtmChannel) channel = g_steal_pointer (&self->channel);
  g_autofree char *text = NULL;

  self->start_failed = TRUE;
  if (channel == NULL)
    channel = rtm_client_create_channel (self->client, self->channel_id, NULL);
  if (channel == NULL)
    return FALSE;
  text = build_message (self, fill_bye, beckon_voice_end_reason_to_string (BECKON_VOICE_END_MEDIA_ERROR));
  send_bye_when_peer_joins (channel, rtm_channel_get_joined (channel), self->peer_id, text,
                            courier_timeout (self), self->context);
  return FALSE;
}

gboolean
beckon_voice_session_start (BeckonVoiceSession  *self,
                            GError             **error)
{
  g_autoptr(GstElement) source = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *user_id;

  g_return_val_if_fail (BECKON_IS_VOICE_SESSION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state != BECKON_VOICE_STATE_NEW || self->start_failed)
    {
      g_set_error_literal (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_STATE,
                           self->start_failed ? "The call failed to start already"
                                              : "The call was started already");
      return FALSE;
    }

  user_id = rtm_client_get_user_id (self->client);
  if (user_id == NULL || rtm_client_get_connection_state (self->client) != RTM_CONNECTION_STATE_CONNECTED)
    {
      g_set_error_literal (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_SIGNALLING,
                           "The RTM client is not logged in");
      return FALSE;
    }
  self->local_id = g_strdup (user_id);

  if (!beckon_voice_prepare (error))
    return fail_start (self);

  source = make_endpoint (self->source_element, self->source_device, self->source_description,
                          "autoaudiosrc", "microphone", error);
  if (source == NULL)
    return fail_start (self);
  sink = make_endpoint (self->sink_element, self->sink_device, self->sink_description,
                        "autoaudiosink", "speaker", error);
  if (sink == NULL)
    return fail_start (self);

  self->channel = rtm_client_create_channel (self->client, self->channel_id, &local_error);
  if (self->channel == NULL)
    {
      g_set_error (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_SIGNALLING,
                   "Cannot use the channel “%s”: %s", self->channel_id, local_error->message);
      return FALSE;
    }

  self->pipeline = beckon_voice_pipeline_new (self->role == BECKON_VOICE_ROLE_CALLER,
                                              source, sink, self->latency, self->echo_cancel,
                                              rtm_client_get_ice_servers (self->client));
  beckon_voice_pipeline_set_muted (self->pipeline, self->muted);
  g_signal_connect (self->pipeline, "local-description", G_CALLBACK (on_local_description), self);
  g_signal_connect (self->pipeline, "local-candidate", G_CALLBACK (on_local_candidate), self);
  g_signal_connect (self->pipeline, "connected", G_CALLBACK (on_pipeline_connected), self);
  g_signal_connect (self->pipeline, "media-flowing", G_CALLBACK (on_pipeline_connected), self);
  g_signal_connect (self->pipeline, "ice-failed", G_CALLBACK (on_pipeline_ice_failed), self);
  g_signal_connect (self->pipeline, "failed", G_CALLBACK (on_pipeline_failed), self);
  g_signal_connect (self->pipeline, "levels", G_CALLBACK (on_pipeline_levels), self);
  g_signal_connect (self->pipeline, "statistics", G_CALLBACK (on_pipeline_statistics), self);

  if (!beckon_voice_pipeline_start (self->pipeline, error))
    {
      g_signal_handlers_disconnect_by_data (self->pipeline, self);
      g_clear_object (&self->pipeline);
      return fail_start (self);
    }

  g_signal_connect (self->channel, "message-received", G_CALLBACK (on_channel_message), self);
  g_signal_connect (self->channel, "member-joined", G_CALLBACK (on_member_joined), self);
  g_signal_connect (self->channel, "member-left", G_CALLBACK (on_member_left), self);
  g_signal_connect (self->client, "connection-state-changed", G_CALLBACK (on_client_state_changed), self);

  if (self->connect_timeout > 0)
    self->connect_timer = add_timer (self, self->connect_timeout, on_connect_timeout,
                                     "[beckon-voice] connect timeout");

  set_state (self, BECKON_VOICE_STATE_CONNECTING);
  /* Not cancellable: a join the server did must be left again. */
  self->joining = TRUE;
  rtm_channel_join_async (self->channel, NULL, on_joined, g_object_ref (self));
  return TRUE;
}

void
beckon_voice_session_hangup (BeckonVoiceSession *self)
{
  g_return_if_fail (BECKON_IS_VOICE_SESSION (self));

  end_call (self, BECKON_VOICE_END_HANGUP_LOCAL, NULL);
}

BeckonVoiceState
beckon_voice_session_get_state (BeckonVoiceSession *self)
{
  g_return_val_if_fail (BECKON_IS_VOICE_SESSION (self), BECKON_VOICE_STATE_NEW);

  return self->state;
}

BeckonVoiceEndReason
beckon_voice_session_get_end_reason (BeckonVoiceSession *self)
{
  g_return_val_if_fail (BECKON_IS_VOICE_SESSION (self), BECKON_VOICE_END_NONE);

  return self->end_reason;
}

const GError *
beckon_voice_session_get_error (BeckonVoiceSession *self)
{
  g_return_val_if_fail (BECKON_IS_VOICE_SESSION (self), NULL);

  return self->error;
}

const char *
beckon_voice_session_get_peer_id (BeckonVoiceSession *self)
{
  g_return_val_if_fail (BECKON_IS_VOICE_SESSION (self), NULL);

  return self->peer_id;
}

gboolean
beckon_voice_session_get_muted (BeckonVoiceSession *self)
{
  g_return_val_if_fail (BECKON_IS_VOICE_SESSION (self), FALSE);

  return self->muted;
}

void
beckon_voice_session_set_muted (BeckonVoiceSession *self,
                                gboolean            muted)
{
  g_return_if_fail (BECKON_IS_VOICE_SESSION (self));

  muted = !!muted;
  if (self->muted == muted)
    return;
  self->muted = muted;
  if (self->pipeline != NULL)
    beckon_voice_pipeline_set_muted (self->pipeline, muted);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
}

/**
 * beckon_voice_prepare:
 * @error: return location for a #BeckonVoiceError
 *
 * Initialises GStreamer if needed and makes the process's DTLS
 * certificate (≈ 50–200 ms of RSA key generation) so the first call does
 * not pay for it. webrtcbin's DTLS elements share one generated
 * certificate per process, so making one `dtlsdec` is enough.
 *
 * Returns: %FALSE if GStreamer or its DTLS elements are missing
 */
gboolean
beckon_voice_prepare (GError **error)
{
  static gsize prepared = 0;
  static gboolean ok = FALSE;
  static GError *failure = NULL;

  if (g_once_init_enter (&prepared))
    {
      GError *local_error = NULL;

      if (gst_init_check (NULL, NULL, &local_error))
        {
          GstElement *dtls = gst_element_factory_make ("dtlsdec", NULL);

          if (dtls != NULL)
            {
              gst_object_unref (gst_object_ref_sink (dtls));
              ok = TRUE;
            }
          else
            local_error = g_error_new_literal (BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_MISSING_ELEMENT,
                                               "The GStreamer element “dtlsdec” is not installed");
        }
      else
        {
          GError *init_error = local_error;

          local_error = g_error_new (BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_MISSING_ELEMENT,
                                     "GStreamer cannot start: %s", init_error->message);
          g_error_free (init_error);
        }
      failure = local_error;
      g_once_init_leave (&prepared, 1);
    }

  if (!ok && error != NULL)
    *error = g_error_copy (failure);
  return ok;
}
