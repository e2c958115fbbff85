/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "rtm"

#include "rtm-client-private.h"

#include <string.h>

/**
 * RtmChannel:
 *
 * A named group of users who exchange messages.
 *
 * Get one with [method@Rtm.Client.create_channel] and join it with
 * [method@Rtm.Channel.join_async]. Members get each other's
 * [signal@Rtm.Channel::message-received] and hear who joins and leaves.
 * A joined channel is joined again after the client reconnects; a logout
 * leaves it. The voice session signals over a channel (docs/protocol.md,
 * "Voice signalling").
 */

struct _RtmChannel
{
  GObject       parent_instance;

  RtmClient    *client;      /* weak */
  char         *channel_id;
  gboolean      joined;
  /* the application joined and did not leave: join again after a reconnect */
  gboolean      wanted;
};

G_DEFINE_FINAL_TYPE (RtmChannel, rtm_channel, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_CHANNEL_ID,
  PROP_JOINED,
  N_PROPS
};

enum {
  MESSAGE_RECEIVED,
  MEMBER_JOINED,
  MEMBER_LEFT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_joined (RtmChannel *self,
            gboolean    joined)
{
  if (self->joined == joined)
    return;
  self->joined = joined;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOINED]);
}

static void
rtm_channel_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  RtmChannel *self = RTM_CHANNEL (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_CHANNEL_ID:
      g_value_set_string (value, self->channel_id);
      break;
    case PROP_JOINED:
      g_value_set_boolean (value, self->joined);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rtm_channel_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  RtmChannel *self = RTM_CHANNEL (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_set_weak_pointer (&self->client, g_value_get_object (value));
      break;
    case PROP_CHANNEL_ID:
      self->channel_id = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rtm_channel_dispose (GObject *object)
{
  RtmChannel *self = RTM_CHANNEL (object);

  /* Dropping a joined channel leaves it. */
  if (self->joined && self->client != NULL && rtm_client_is_logged_in (self->client))
    {
      g_autoptr(JsonObject) frame = rtm_frame_new (RTM_FRAME_CHANNEL_LEAVE);

      json_object_set_string_member (frame, "channel", self->channel_id);
      rtm_client_request (self->client, frame, NULL, NULL);
    }
  self->joined = FALSE;
  self->wanted = FALSE;

  g_clear_weak_pointer (&self->client);

  G_OBJECT_CLASS (rtm_channel_parent_class)->dispose (object);
}

static void
rtm_channel_finalize (GObject *object)
{
  RtmChannel *self = RTM_CHANNEL (object);

  g_clear_pointer (&self->channel_id, g_free);

  G_OBJECT_CLASS (rtm_channel_parent_class)->finalize (object);
}

static void
rtm_channel_class_init (RtmChannelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rtm_channel_get_property;
  object_class->set_property = rtm_channel_set_property;
  object_class->dispose = rtm_channel_dispose;
  object_class->finalize = rtm_channel_finalize;

  /**
   * RtmChannel:client:
   *
   * The client the channel belongs to (not a strong reference).
   */
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, RTM_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * RtmChannel:channel-id:
   *
   * The channel's id.
   */
  properties[PROP_CHANNEL_ID] =
    g_param_spec_string ("channel-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * RtmChannel:joined:
   *
   * Whether this client is a member of the channel on the server now. It
   * drops to %FALSE while the client reconnects and comes back once the
   * channel was joined again.
   */
  properties[PROP_JOINED] =
    g_param_spec_boolean ("joined", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * RtmChannel::message-received:
   * @self: the channel
   * @member_id: the sender's user id
   * @text: the message
   *
   * Emitted when another member sends a channel message.
   */
  signals[MESSAGE_RECEIVED] =
    g_signal_new ("message-received",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * RtmChannel::member-joined:
   * @self: the channel
   * @member_id: the user who joined
   *
   * Emitted when another user joins the channel.
   */
  signals[MEMBER_JOINED] =
    g_signal_new ("member-joined",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * RtmChannel::member-left:
   * @self: the channel
   * @member_id: the user who left
   *
   * Emitted when another user leaves the channel, logs out or disconnects.
   */
  signals[MEMBER_LEFT] =
    g_signal_new ("member-left",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
rtm_channel_init (RtmChannel *self)
{
}

RtmChannel *
rtm_channel_new (RtmClient  *client,
                 const char *channel_id)
{
  return g_object_new (RTM_TYPE_CHANNEL,
                       "client", client,
                       "channel-id", channel_id,
                       NULL);
}

void
rtm_channel_handle_event (RtmChannel   *self,
                          RtmFrameType  type,
                          JsonObject   *frame)
{
  switch (type)
    {
    case RTM_FRAME_MEMBER_JOINED:
    case RTM_FRAME_MEMBER_LEFT:
      {
        const char *uid = rtm_frame_get_id (frame, "uid", TRUE, NULL);

        if (uid != NULL)
          g_signal_emit (self, signals[type == RTM_FRAME_MEMBER_JOINED ? MEMBER_JOINED : MEMBER_LEFT], 0, uid);
      }
      break;

    case RTM_FRAME_CHANNEL_MESSAGE:
      {
        const char *from = rtm_frame_get_id (frame, "from", TRUE, NULL);
        const char *text = rtm_frame_get_string (frame, "text", TRUE, 0, NULL);

        if (from != NULL && text != NULL)
          g_signal_emit (self, signals[MESSAGE_RECEIVED], 0, from, text);
      }
      break;

    default:
      break;
    }
}

void
rtm_channel_connection_lost (RtmChannel *self)
{
  set_joined (self, FALSE);
}

void
rtm_channel_reset (RtmChannel *self)
{
  self->wanted = FALSE;
  set_joined (self, FALSE);
}

static void
on_rejoin_reply (JsonObject *reply_in,
                 GError     *error_in,
                 gpointer    user_data)
{
  g_autoptr(RtmChannel) self = user_data;
  g_autoptr(JsonObject) reply = reply_in;
  g_autoptr(GError) error = error_in;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (reply != NULL || g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_JOINED))
    set_joined (self, self->wanted);
  else
    g_debug ("joining %s again failed: %s", self->channel_id, error->message);
}

void
rtm_channel_rejoin (RtmChannel *self)
{
  g_autoptr(JsonObject) frame = NULL;

  if (!self->wanted || self->joined || self->client == NULL)
    return;

  frame = rtm_frame_new (RTM_FRAME_CHANNEL_JOIN);
  json_object_set_string_member (frame, "channel", self->channel_id);
  rtm_client_request (self->client, frame, on_rejoin_reply, g_object_ref (self));
}

/**
 * rtm_channel_get_channel_id:
 * @self: a #RtmChannel
 *
 * Gets the channel's id.
 *
 * Returns: the channel's id
 */
const char *
rtm_channel_get_channel_id (RtmChannel *self)
{
  g_return_val_if_fail (RTM_IS_CHANNEL (self), NULL);

  return self->channel_id;
}

/**
 * rtm_channel_get_joined:
 * @self: a #RtmChannel
 *
 * Gets whether this client is a member of the channel now.
 *
 * Returns: whether this client is a member of the channel now
 */
gboolean
rtm_channel_get_joined (RtmChannel *self)
{
  g_return_val_if_fail (RTM_IS_CHANNEL (self), FALSE);

  return self->joined;
}

static gboolean
start_request (RtmChannel          *self,
               GTask               *task,
               RtmFrameType         type,
               const char          *text,
               RtmClientReplyFunc   callback)
{
  g_autoptr(JsonObject) frame = NULL;

  if (self->client == NULL)
    {
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN, "the client is gone");
      return FALSE;
    }

  frame = rtm_frame_new (type);
  json_object_set_string_member (frame, "channel", self->channel_id);
  if (text != NULL)
    json_object_set_string_member (frame, "text", text);
  rtm_client_request (self->client, frame, callback, g_object_ref (task));
  return TRUE;
}

static void
on_join_reply (JsonObject *reply_in,
               GError     *error_in,
               gpointer    user_data)
{
  g_autoptr(GTask) task = user_data;
  RtmChannel *self = g_task_get_source_object (task);
  g_autoptr(JsonObject) reply = reply_in;
  g_autoptr(GError) error = error_in;

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->wanted = TRUE;
  set_joined (self, TRUE);
  g_task_return_boolean (task, TRUE);
}

/**
 * rtm_channel_join_async:
 * @self: a #RtmChannel
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when joined or failed
 * @user_data: data for @callback
 *
 * Joins the channel. Fails with %RTM_ERROR_ALREADY_JOINED when joined and
 * %RTM_ERROR_NOT_LOGGED_IN when not logged in.
 */
void
rtm_channel_join_async (RtmChannel          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RTM_IS_CHANNEL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rtm_channel_join_async);

  if (self->joined)
    {
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_ALREADY_JOINED,
                               "%s was joined already", self->channel_id);
      return;
    }
  start_request (self, task, RTM_FRAME_CHANNEL_JOIN, NULL, on_join_reply);
}

/**
 * rtm_channel_join_finish:
 * @self: a #RtmChannel
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Rtm.Channel.join_async].
 *
 * Returns: whether the channel was joined
 */
gboolean
rtm_channel_join_finish (RtmChannel    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (RTM_IS_CHANNEL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_leave_reply (JsonObject *reply_in,
                GError     *error_in,
                gpointer    user_data)
{
  g_autoptr(GTask) task = user_data;
  RtmChannel *self = g_task_get_source_object (task);
  g_autoptr(JsonObject) reply = reply_in;
  g_autoptr(GError) error = error_in;

  if (reply == NULL && !g_error_matches (error, RTM_ERROR, RTM_ERROR_NOT_IN_CHANNEL))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->wanted = FALSE;
  set_joined (self, FALSE);
  g_task_return_boolean (task, TRUE);
}

/**
 * rtm_channel_leave_async:
 * @self: a #RtmChannel
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when left
 * @user_data: data for @callback
 *
 * Leaves the channel. Fails with %RTM_ERROR_NOT_IN_CHANNEL when not
 * joined. While the client reconnects, it only stops the channel from
 * being joined again.
 */
void
rtm_channel_leave_async (RtmChannel          *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RTM_IS_CHANNEL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rtm_channel_leave_async);

  if (!self->joined)
    {
      if (self->wanted)
        {
          self->wanted = FALSE;
          g_task_return_boolean (task, TRUE);
          return;
        }
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_NOT_IN_CHANNEL,
                               "%s is not joined", self->channel_id);
      return;
    }
  start_request (self, task, RTM_FRAME_CHANNEL_LEAVE, NULL, on_leave_reply);
}

/**
 * rtm_channel_leave_finish:
 * @self: a #RtmChannel
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Rtm.Channel.leave_async].
 *
 * Returns: whether the channel was left
 */
gboolean
rtm_channel_leave_finish (RtmChannel    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (RTM_IS_CHANNEL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_message_reply (JsonObject *reply_in,
                  GError     *error_in,
                  gpointer    user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonObject) reply = reply_in;
  g_autoptr(GError) error = error_in;

  if (reply == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * rtm_channel_send_message_async:
 * @self: a #RtmChannel
 * @text: the message, at most 32 KiB of UTF-8
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the server took the message
 * @user_data: data for @callback
 *
 * Sends @text to the other members. Fails with %RTM_ERROR_INVALID_ARGUMENT
 * for a missing or too long text and %RTM_ERROR_NOT_IN_CHANNEL when not
 * joined.
 */
void
rtm_channel_send_message_async (RtmChannel          *self,
                                const char          *text,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RTM_IS_CHANNEL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rtm_channel_send_message_async);

  if (text == NULL || strlen (text) > RTM_MAX_TEXT_LENGTH || !g_utf8_validate (text, -1, NULL))
    {
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_INVALID_ARGUMENT,
                               "the text is missing, not UTF-8 or over 32 KiB");
      return;
    }
  start_request (self, task, RTM_FRAME_CHANNEL_MESSAGE, text, on_message_reply);
}

/**
 * rtm_channel_send_message_finish:
 * @self: a #RtmChannel
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Rtm.Channel.send_message_async].
 *
 * Returns: whether the server took the message
 */
gboolean
rtm_channel_send_message_finish (RtmChannel    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (RTM_IS_CHANNEL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_members_reply (JsonObject *reply_in,
                  GError     *error_in,
                  gpointer    user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonObject) reply = reply_in;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autofree const char **members = NULL;
  g_autoptr(GError) error = error_in;

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  members = rtm_frame_get_id_array (reply, "members", 0, &error);
  if (members == NULL)
    {
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_PROTOCOL, "bad members list: %s",
                               error->message);
      return;
    }
  builder = g_strv_builder_new ();
  g_strv_builder_addv (builder, members);
  g_task_return_pointer (task, g_strv_builder_end (builder), (GDestroyNotify) g_strfreev);
}

/**
 * rtm_channel_get_members_async:
 * @self: a #RtmChannel
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the member list
 * @user_data: data for @callback
 *
 * Asks the server for the channel's members. Fails with
 * %RTM_ERROR_NOT_IN_CHANNEL when not joined.
 */
void
rtm_channel_get_members_async (RtmChannel          *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RTM_IS_CHANNEL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rtm_channel_get_members_async);
  start_request (self, task, RTM_FRAME_CHANNEL_MEMBERS, NULL, on_members_reply);
}

/**
 * rtm_channel_get_members_finish:
 * @self: a #RtmChannel
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Rtm.Channel.get_members_async].
 *
 * Returns: (transfer full) (array zero-terminated=1): the members' user
 *   ids, this client's included, or %NULL on error
 */
GStrv
rtm_channel_get_members_finish (RtmChannel    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (RTM_IS_CHANNEL (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
