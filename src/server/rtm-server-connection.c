/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "rtm-server"

#include "rtm-server-connection.h"

#include <string.h>

#include "rtm-server-private.h"

struct _RtmServerReplySlot
{
  char     *data;    /* NULL until complete */
  gsize     length;
};

/* Kept small: a server holds tens of thousands of these. Timers are the
 * server's (a sweep on each thread), lists are created on first use. */
struct _RtmServerConnection
{
  GObject                  parent_instance;

  RtmServer               *server;         /* unowned: the server outlives us */
  SoupWebsocketConnection *websocket;
  char                    *uid;            /* NULL until logged in */
  char                    *peer;           /* "host:port", for the log */

  GQueue                  *replies;        /* of RtmServerReplySlot, while one is deferred */
  GPtrArray               *invitations;    /* of RtmServerInvitation, referenced */
  GPtrArray               *channels;       /* of owned channel ids */
  GPtrArray               *subscriptions;  /* of owned uids */

  gint64                   opened_at;      /* monotonic µs */
  gint64                   last_heard;
  gint64                   last_pinged;
  double                   ping_share;    /* of keepalive-interval, 0.5–1 */
  gint64                   bucket_time;
  double                   bucket;         /* frames allowed now */
  guint                    dropped;        /* frames dropped in a row */

  guint                    detached : 1;
};

G_DEFINE_FINAL_TYPE (RtmServerConnection, rtm_server_connection, G_TYPE_OBJECT)

static void
reply_slot_free (RtmServerReplySlot *slot)
{
  g_free (slot->data);
  g_free (slot);
}

static void
send_data (RtmServerConnection *self,
           char                *data,
           gsize                length)
{
  g_autoptr(GBytes) bytes = g_bytes_new_take (data, length);

  if (!rtm_server_connection_is_open (self))
    return;
  soup_websocket_connection_send_message (self->websocket, SOUP_WEBSOCKET_DATA_TEXT, bytes);
}

static void
flush_replies (RtmServerConnection *self)
{
  RtmServerReplySlot *slot;

  while ((slot = g_queue_peek_head (self->replies)) != NULL && slot->data != NULL)
    {
      g_queue_pop_head (self->replies);
      send_data (self, g_steal_pointer (&slot->data), slot->length);
      reply_slot_free (slot);
    }
  if (g_queue_is_empty (self->replies))
    g_clear_pointer (&self->replies, g_queue_free);
}

/* Token bucket: rate-limit frames per second, a burst of twice that. */
static gboolean
take_token (RtmServerConnection *self,
            gint64               now)
{
  RtmServerConfig *config = rtm_server_get_config (self->server);
  double burst = config->rate_limit * 2;

  self->bucket += (double) (now - self->bucket_time) * config->rate_limit / G_USEC_PER_SEC;
  self->bucket_time = now;
  if (self->bucket > burst)
    self->bucket = burst;
  if (self->bucket < 1.0)
    return FALSE;
  self->bucket -= 1.0;
  return TRUE;
}

/* The req of a frame we are about to refuse, if it has a readable one. */
static gint64
peek_req (JsonObject *frame)
{
  gint64 req = 0;

  if (frame == NULL || !rtm_frame_get_req (frame, &req, NULL))
    return 0;
  return req;
}

static void
handle_text (RtmServerConnection *self,
             const char          *data,
             gsize                length)
{
  RtmServerConfig *config = rtm_server_get_config (self->server);
  g_autoptr(JsonObject) frame = NULL;
  g_autoptr(JsonObject) partial = NULL;
  g_autoptr(GError) error = NULL;
  RtmFrameType type = RTM_FRAME_UNKNOWN;
  gint64 req = 0;

  frame = rtm_frame_parse (data, length, config->max_frame_size, &type, &partial, &error);
  if (frame == NULL)
    {
      rtm_server_connection_reply_error (self, peek_req (partial),
                                         (RtmWireError) error->code, error->message);
      return;
    }

  if (type == RTM_FRAME_ACK)
    {
      rtm_server_handle_frame (self->server, self, type, 0, frame);
      return;
    }
  if (type >= RTM_FRAME_REPLY)
    {
      g_autofree char *message = g_strdup_printf ("\"%s\" is a server frame, not a request",
                                                  rtm_frame_type_to_string (type));

      rtm_server_connection_reply_error (self, peek_req (frame), RTM_WIRE_UNKNOWN_TYPE, message);
      return;
    }
  if (!rtm_frame_get_req (frame, &req, &error))
    {
      rtm_server_connection_reply_error (self, 0, (RtmWireError) error->code, error->message);
      return;
    }
  if (self->uid == NULL && type != RTM_FRAME_LOGIN && type != RTM_FRAME_PING)
    {
      rtm_server_connection_reply_error (self, req, RTM_WIRE_NOT_LOGGED_IN, "log in first");
      return;
    }
  rtm_server_handle_frame (self->server, self, type, req, frame);
}

static void
on_message (SoupWebsocketConnection *websocket,
            int                      data_type,
            GBytes                  *message,
            gpointer                 user_data)
{
  RtmServerConnection *self = user_data;
  RtmServerConfig *config = rtm_server_get_config (self->server);
  gint64 now = g_get_monotonic_time ();
  gsize length = 0;
  const char *data = g_bytes_get_data (message, &length);

  if (self->detached)
    return;
  self->last_heard = now;

  if (!take_token (self, now))
    {
      g_autoptr(JsonObject) frame = NULL;

      if (++self->dropped >= config->flood_close)
        {
          g_debug ("%s: flooding, closing", self->peer);
          rtm_server_connection_close (self, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "flood");
          return;
        }
      /* Only small frames are worth parsing for their req. */
      if (data_type == SOUP_WEBSOCKET_DATA_TEXT && length <= 1024)
        frame = rtm_frame_parse (data, length, 0, NULL, NULL, NULL);
      rtm_server_connection_reply_error (self, peek_req (frame), RTM_WIRE_TOO_OFTEN,
                                         "over the rate limit; the frame was dropped");
      return;
    }
  self->dropped = 0;

  if (data_type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      rtm_server_connection_reply_error (self, 0, RTM_WIRE_BAD_FRAME,
                                         "binary messages are not frames; send text");
      return;
    }
  handle_text (self, data, length);
}

static void
on_pong (SoupWebsocketConnection *websocket,
         GBytes                  *message,
         gpointer                 user_data)
{
  RtmServerConnection *self = user_data;

  self->last_heard = g_get_monotonic_time ();
}

static void
on_closed (SoupWebsocketConnection *websocket,
           gpointer                 user_data)
{
  RtmServerConnection *self = user_data;

  g_debug ("%s: closed (%s, code %u)", self->peer, self->uid ? self->uid : "not logged in",
           soup_websocket_connection_get_close_code (websocket));
  if (!self->detached)
    {
      self->detached = TRUE;
      rtm_server_detach_connection (self->server, self);
    }
  rtm_server_remove_connection (self->server, self);
}

static void
rtm_server_connection_dispose (GObject *object)
{
  RtmServerConnection *self = (RtmServerConnection *) object;

  if (self->websocket != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->websocket, self);
      g_clear_object (&self->websocket);
    }
  g_clear_pointer (&self->invitations, g_ptr_array_unref);
  g_clear_pointer (&self->channels, g_ptr_array_unref);
  g_clear_pointer (&self->subscriptions, g_ptr_array_unref);

  G_OBJECT_CLASS (rtm_server_connection_parent_class)->dispose (object);
}

static void
rtm_server_connection_finalize (GObject *object)
{
  RtmServerConnection *self = (RtmServerConnection *) object;

  if (self->replies != NULL)
    g_queue_free_full (self->replies, (GDestroyNotify) reply_slot_free);
  g_free (self->uid);
  g_free (self->peer);

  G_OBJECT_CLASS (rtm_server_connection_parent_class)->finalize (object);
}

static void
rtm_server_connection_class_init (RtmServerConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rtm_server_connection_dispose;
  object_class->finalize = rtm_server_connection_finalize;
}

static void
rtm_server_connection_init (RtmServerConnection *self)
{
  self->opened_at = self->last_heard = self->last_pinged = self->bucket_time = g_get_monotonic_time ();
}

RtmServerConnection *
rtm_server_connection_new (RtmServer               *server,
                           SoupWebsocketConnection *websocket,
                           const char              *peer)
{
  RtmServerConnection *self;
  RtmServerConfig *config;

  g_return_val_if_fail (server != NULL, NULL);
  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (websocket), NULL);

  config = rtm_server_get_config (server);
  self = g_object_new (RTM_TYPE_SERVER_CONNECTION, NULL);
  self->server = server;
  self->websocket = g_object_ref (websocket);
  self->bucket = config->rate_limit * 2;
  /* Clients that connected together (a login storm, everyone coming back
   * after a restart) and then fell silent would otherwise be pinged
   * together, every interval, by one sweep holding the server for tens of
   * milliseconds: each connection waits its own share of the interval. */
  self->ping_share = 0.5 + 0.5 * g_random_double ();

  self->peer = g_strdup (peer != NULL ? peer : "peer");

  /* libsoup closes with 1009 past this; we answer TOO_LARGE below it. */
  soup_websocket_connection_set_max_incoming_payload_size (websocket, RTM_HARD_MAX_FRAME_SIZE);
  /* No libsoup keepalive: its timer is one more GSource per connection
   * that the thread walks on every wake-up. The thread's sweep pings. */
  soup_websocket_connection_set_keepalive_interval (websocket, 0);

  g_signal_connect (websocket, "message", G_CALLBACK (on_message), self);
  g_signal_connect (websocket, "pong", G_CALLBACK (on_pong), self);
  g_signal_connect (websocket, "closed", G_CALLBACK (on_closed), self);

  g_debug ("%s: open", self->peer);
  return self;
}

SoupWebsocketConnection *
rtm_server_connection_get_websocket (RtmServerConnection *self)
{
  g_return_val_if_fail (RTM_IS_SERVER_CONNECTION (self), NULL);

  return self->websocket;
}

const char *
rtm_server_connection_get_uid (RtmServerConnection *self)
{
  g_return_val_if_fail (RTM_IS_SERVER_CONNECTION (self), NULL);

  return self->uid;
}

void
rtm_server_connection_set_uid (RtmServerConnection *self,
                               const char          *uid)
{
  g_return_if_fail (RTM_IS_SERVER_CONNECTION (self));

  g_free (self->uid);
  self->uid = g_strdup (uid);
}

const char *
rtm_server_connection_get_peer (RtmServerConnection *self)
{
  g_return_val_if_fail (RTM_IS_SERVER_CONNECTION (self), NULL);

  return self->peer;
}

gboolean
rtm_server_connection_is_open (RtmServerConnection *self)
{
  g_return_val_if_fail (RTM_IS_SERVER_CONNECTION (self), FALSE);

  return self->websocket != NULL &&
         soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN;
}

void
rtm_server_connection_send (RtmServerConnection *self,
                            JsonObject          *frame)
{
  gsize length = 0;
  char *data;

  g_return_if_fail (RTM_IS_SERVER_CONNECTION (self));
  g_return_if_fail (frame != NULL);

  if (!rtm_server_connection_is_open (self))
    return;
  data = rtm_frame_to_data (frame, &length);
  send_data (self, data, length);
}

void
rtm_server_connection_reply (RtmServerConnection *self,
                             JsonObject          *frame)
{
  g_return_if_fail (RTM_IS_SERVER_CONNECTION (self));
  g_return_if_fail (frame != NULL);

  if (self->replies == NULL)
    {
      rtm_server_connection_send (self, frame);
      return;
    }
  /* A reply before this one waits for an ack: queue behind it. */
  rtm_server_connection_complete_reply (self, rtm_server_connection_defer_reply (self), frame);
}

void
rtm_server_connection_reply_error (RtmServerConnection *self,
                                   gint64               req,
                                   RtmWireError         code,
                                   const char          *message)
{
  g_autoptr(JsonObject) frame = NULL;

  g_return_if_fail (RTM_IS_SERVER_CONNECTION (self));

  frame = rtm_frame_new_error (req, code, message);
  if (req > 0)
    rtm_server_connection_reply (self, frame);
  else
    rtm_server_connection_send (self, frame);
}

RtmServerReplySlot *
rtm_server_connection_defer_reply (RtmServerConnection *self)
{
  RtmServerReplySlot *slot;

  g_return_val_if_fail (RTM_IS_SERVER_CONNECTION (self), NULL);

  slot = g_new0 (RtmServerReplySlot, 1);
  if (self->replies == NULL)
    self->replies = g_queue_new ();
  g_queue_push_tail (self->replies, slot);
  return slot;
}

void
rtm_server_connection_complete_reply (RtmServerConnection *self,
                                      RtmServerReplySlot  *slot,
                                      JsonObject          *frame)
{
  g_return_if_fail (RTM_IS_SERVER_CONNECTION (self));
  g_return_if_fail (slot != NULL && slot->data == NULL);
  g_return_if_fail (self->replies != NULL);

  slot->data = rtm_frame_to_data (frame, &slot->length);
  flush_replies (self);
}

void
rtm_server_connection_close (RtmServerConnection *self,
                             gushort              code,
                             const char          *reason)
{
  g_autoptr(RtmServerConnection) hold = NULL;

  g_return_if_fail (RTM_IS_SERVER_CONNECTION (self));

  hold = g_object_ref (self);
  if (!self->detached)
    {
      self->detached = TRUE;
      rtm_server_detach_connection (self->server, self);
    }
  if (rtm_server_connection_is_open (self))
    soup_websocket_connection_close (self->websocket, code, reason);
}

void
rtm_server_connection_check_deadlines (RtmServerConnection *self,
                                       gint64               now)
{
  RtmServerConfig *config;

  g_return_if_fail (RTM_IS_SERVER_CONNECTION (self));

  if (self->detached)
    return;
  config = rtm_server_get_config (self->server);
  if (self->uid == NULL && now - self->opened_at > config->auth_timeout * G_USEC_PER_SEC)
    {
      g_debug ("%s: not logged in after %g s, closing", self->peer, config->auth_timeout);
      rtm_server_connection_close (self, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                   "authentication timeout");
    }
  else if (now - self->last_heard > config->keepalive_timeout * G_USEC_PER_SEC)
    {
      g_debug ("%s: silent for %g s, closing", self->peer, config->keepalive_timeout);
      rtm_server_connection_close (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "keepalive timeout");
    }
  /* A connection heard from lately is alive: only silent ones are pinged. */
  else if (now - MAX (self->last_heard, self->last_pinged) >=
           (gint64) (self->ping_share * config->keepalive_interval * G_USEC_PER_SEC) &&
           rtm_server_connection_is_open (self))
    {
      g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);

      /* libsoup 3 has no call to send a ping, but it frames whatever
       * opcode send_message() gets (its own keepalive sends 0x9 the same
       * way). The pong comes back through on_pong(). */
      soup_websocket_connection_send_message (self->websocket, (SoupWebsocketDataType) 0x9, empty);
      self->last_pinged = now;
    }
}

GPtrArray *
rtm_server_connection_get_invitations (RtmServerConnection *self)
{
  g_return_val_if_fail (RTM_IS_SERVER_CONNECTION (self), NULL);

  if (self->invitations == NULL)
    self->invitations = g_ptr_array_new_with_free_func (g_object_unref);
  return self->invitations;
}

void
rtm_server_connection_remove_invitation (RtmServerConnection *self,
                                         gpointer             invitation)
{
  g_return_if_fail (RTM_IS_SERVER_CONNECTION (self));

  if (self->invitations != NULL)
    g_ptr_array_remove_fast (self->invitations, invitation);
}

GPtrArray *
rtm_server_connection_get_channels (RtmServerConnection *self)
{
  g_return_val_if_fail (RTM_IS_SERVER_CONNECTION (self), NULL);

  if (self->channels == NULL)
    self->channels = g_ptr_array_new_with_free_func (g_free);
  return self->channels;
}

GPtrArray *
rtm_server_connection_get_subscriptions (RtmServerConnection *self)
{
  g_return_val_if_fail (RTM_IS_SERVER_CONNECTION (self), NULL);

  if (self->subscriptions == NULL)
    self->subscriptions = g_ptr_array_new_with_free_func (g_free);
  return self->subscriptions;
}

GPtrArray *
rtm_server_connection_steal_invitations (RtmServerConnection *self)
{
  g_return_val_if_fail (RTM_IS_SERVER_CONNECTION (self), NULL);

  return g_steal_pointer (&self->invitations);
}

GPtrArray *
rtm_server_connection_steal_channels (RtmServerConnection *self)
{
  g_return_val_if_fail (RTM_IS_SERVER_CONNECTION (self), NULL);

  return g_steal_pointer (&self->channels);
}

GPtrArray *
rtm_server_connection_steal_subscriptions (RtmServerConnection *self)
{
  g_return_val_if_fail (RTM_IS_SERVER_CONNECTION (self), NULL);

  return g_steal_pointer (&self->subscriptions);
}
