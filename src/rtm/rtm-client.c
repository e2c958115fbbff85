/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "rtm"

#include "rtm-client-private.h"
#include "rtm-enum-types.h"

#include <libsoup/soup.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

/**
 * RtmClient:
 *
 * A connection to an rtm-server for one user.
 *
 * Create one with [ctor@Rtm.Client.new], log in with
 * [method@Rtm.Client.login_async] and place or answer calls through its
 * [class@Rtm.CallManager] ([method@Rtm.Client.get_call_manager]).
 *
 * The client keeps itself connected: it pings the server to find a dead
 * connection, and after a dropped connection it goes to
 * %RTM_CONNECTION_STATE_RECONNECTING, reconnects with exponential backoff,
 * logs in again, joins its channels again and subscribes to the same
 * presence again. When the server ends the session (the same user logged in
 * elsewhere) it goes to %RTM_CONNECTION_STATE_ABORTED and stays there.
 *
 * All signals are emitted in the thread-default main context the client
 * was created in; use the client from that context's thread only.
 *
 * Dropping the last reference closes the connection; invitations still in
 * flight then end with %RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN and
 * %RTM_REMOTE_INVITATION_ERROR_NOT_LOGGEDIN, as on a logout.
 */

/* What a subscribed peer was last known as. */
#define PRESENCE_UNKNOWN 0
#define PRESENCE_OFFLINE 1
#define PRESENCE_ONLINE  2

#define RECONNECT_MIN_MS 250
#define RECONNECT_MAX_MS 8000

typedef struct
{
  gint64              req;
  RtmClientReplyFunc  func;
  gpointer            user_data;
  GSource            *timeout;
} PendingRequest;

struct _RtmClient
{
  GObject                 parent_instance;

  /* owned for the client's life */
  char                   *server_uri;
  GMainContext           *context;
  SoupSession            *session;
  GCancellable           *cancellable;      /* cancelled in dispose */
  RtmCallManager         *call_manager;
  GHashTable             *channels;         /* id → RtmChannel, unowned (weak) */
  GHashTable             *subscribed;       /* uid → PRESENCE_*, to subscribe again */
  GRand                  *rand;             /* backoff jitter */
  guint                   request_timeout;
  guint                   keepalive_interval;

  /* the session */
  RtmConnectionState      state;
  char                   *user_id;
  char                   *token;
  GStrv                   ice_servers;
  GTask                  *login_task;       /* the application's login in progress */
  GCancellable           *login_cancellable;
  gulong                  login_cancelled_id;
  GTask                  *logout_task;      /* the application's logout in progress */
  guint                   reconnect_attempt;
  GSource                *reconnect_source;

  /* the current connection attempt or connection */
  GCancellable           *connect_cancellable;
  GSource                *attempt_timeout;
  SoupWebsocketConnection *connection;
  gboolean                connection_logged_in;
  gboolean                kicked;
  GSource                *keepalive_source;
  gint64                  next_req;
  GHashTable             *pending;          /* req → PendingRequest */
  /* frames held back while an event is dispatched, so that the event's
   * ack goes out before anything a handler sends */
  guint                   dispatch_depth;
  GPtrArray              *deferred;
  GSource                *flush_source;     /* sends them if a handler runs a nested loop */
};

G_DEFINE_FINAL_TYPE (RtmClient, rtm_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SERVER_URI,
  PROP_USER_ID,
  PROP_CONNECTION_STATE,
  PROP_REQUEST_TIMEOUT,
  PROP_KEEPALIVE_INTERVAL,
  PROP_ICE_SERVERS,
  PROP_TLS_DATABASE,
  N_PROPS
};

enum {
  CONNECTION_STATE_CHANGED,
  MESSAGE_RECEIVED,
  PEER_ONLINE_STATUS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_connection (RtmClient *self);
static void pending_request_free (gpointer data);
static void connection_lost  (RtmClient *self,
                              gushort    close_code);

static void
pending_request_free (gpointer data)
{
  PendingRequest *pending = data;

  if (pending->timeout != NULL)
    {
      g_source_destroy (pending->timeout);
      g_source_unref (pending->timeout);
    }
  g_free (pending);
}

/* Takes @reply and @error: they go to the request's func, or are dropped
 * when it has none. */
static void
complete_pending (PendingRequest *pending,
                  JsonObject     *reply,
                  GError         *error)
{
  RtmClientReplyFunc func = g_steal_pointer (&pending->func);

  if (func != NULL)
    {
      func (reply, error, pending->user_data);
    }
  else
    {
      g_clear_pointer (&reply, json_object_unref);
      g_clear_error (&error);
    }
  pending_request_free (pending);
}

/* ws:// or wss:// with a host; soup_message_new() asserts on less. */
static gboolean
server_uri_is_valid (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  const char *scheme;
  const char *host;

  if (uri == NULL)
    return FALSE;
  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (parsed == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (parsed);
  host = g_uri_get_host (parsed);
  return (g_ascii_strcasecmp (scheme, "ws") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0) &&
         host != NULL && *host != '\0';
}

static GSource *
add_timeout (RtmClient   *self,
             guint        ms,
             GSourceFunc  func,
             gpointer     data)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, self->context);
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
set_state (RtmClient                 *self,
           RtmConnectionState         state,
           RtmConnectionChangeReason  reason)
{
  if (self->state == state)
    return;

  g_debug ("%s: connection state %d → %d (reason %d)",
           self->user_id ? self->user_id : "-", self->state, state, reason);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION_STATE]);
  g_signal_emit (self, signals[CONNECTION_STATE_CHANGED], 0, state, reason);
}

/* G_MESSAGES_DEBUG=rtm-wire prints every frame. */
static gboolean
wire_debug (void)
{
  static int enabled = -1;

  if (enabled < 0)
    enabled = !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, "rtm-wire");
  return enabled;
}

static void
send_text_now (RtmClient  *self,
               const char *text)
{
  if (self->connection == NULL ||
      soup_websocket_connection_get_state (self->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  if (wire_debug ())
    g_log ("rtm-wire", G_LOG_LEVEL_DEBUG, "%s %p → %s", self->user_id, self->connection, text);
  soup_websocket_connection_send_text (self->connection, text);
}

static void flush_deferred (RtmClient *self);

static gboolean
on_flush_deferred (gpointer user_data)
{
  RtmClient *self = user_data;

  /* A handler is running a nested main loop: send what it queued rather
   * than leave its requests unanswered. The server copes with an answer
   * ahead of the event's ack (it counts as the ack). */
  g_clear_pointer (&self->flush_source, g_source_unref);
  flush_deferred (self);
  return G_SOURCE_REMOVE;
}

static void
send_frame (RtmClient  *self,
            JsonObject *frame)
{
  g_autofree char *text = rtm_frame_to_data (frame, NULL);

  if (self->dispatch_depth == 0)
    {
      send_text_now (self, text);
      return;
    }

  g_ptr_array_add (self->deferred, g_steal_pointer (&text));
  if (self->flush_source == NULL)
    {
      self->flush_source = g_idle_source_new ();
      g_source_set_priority (self->flush_source, G_PRIORITY_HIGH);
      g_source_set_callback (self->flush_source, on_flush_deferred, self, NULL);
      g_source_attach (self->flush_source, self->context);
    }
}

static void
flush_deferred (RtmClient *self)
{
  g_autoptr(GPtrArray) frames = NULL;

  clear_source (&self->flush_source);
  if (self->deferred->len == 0)
    return;
  frames = g_steal_pointer (&self->deferred);
  self->deferred = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < frames->len; i++)
    send_text_now (self, g_ptr_array_index (frames, i));
}

/* Fails every request in flight: the connection that would answer is gone. */
static void
fail_pending (RtmClient  *self,
              GQuark      domain,
              int         code,
              const char *message)
{
  g_autoptr(GHashTable) old = NULL;
  GHashTableIter iter;
  gpointer value;

  if (g_hash_table_size (self->pending) == 0)
    return;

  old = g_steal_pointer (&self->pending);
  self->pending = g_hash_table_new (g_int64_hash, g_int64_equal);

  g_hash_table_iter_init (&iter, old);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_hash_table_iter_steal (&iter);
      complete_pending (value, NULL, g_error_new_literal (domain, code, message));
    }
}

static void
close_connection (RtmClient *self,
                  gushort    code)
{
  g_cancellable_cancel (self->connect_cancellable);
  g_clear_object (&self->connect_cancellable);
  clear_source (&self->attempt_timeout);
  clear_source (&self->keepalive_source);

  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->connection, code, NULL);
      g_clear_object (&self->connection);
    }

  self->connection_logged_in = FALSE;
  self->kicked = FALSE;
  g_ptr_array_set_size (self->deferred, 0);
  clear_source (&self->flush_source);
}

static void
foreach_channel (RtmClient *self,
                 void     (*func) (RtmChannel *))
{
  g_autoptr(GPtrArray) channels = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  /* A handler may drop a channel while we walk. */
  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (channels, g_object_ref (value));
  for (guint i = 0; i < channels->len; i++)
    func (g_ptr_array_index (channels, i));
}

static RtmConnectionChangeReason
reason_for_login_error (const GError *error)
{
  if (g_error_matches (error, RTM_ERROR, RTM_ERROR_TIMEOUT))
    return RTM_CONNECTION_CHANGE_REASON_LOGIN_TIMEOUT;
  if (g_error_matches (error, RTM_ERROR, RTM_ERROR_TOKEN_EXPIRED))
    return RTM_CONNECTION_CHANGE_REASON_TOKEN_EXPIRED;
  return RTM_CONNECTION_CHANGE_REASON_LOGIN_FAILURE;
}

static gboolean
on_reconnect_timeout (gpointer user_data)
{
  RtmClient *self = user_data;

  g_clear_pointer (&self->reconnect_source, g_source_unref);
  start_connection (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (RtmClient *self)
{
  guint delay = RECONNECT_MIN_MS;

  for (guint i = 0; i < self->reconnect_attempt && delay < RECONNECT_MAX_MS; i++)
    delay *= 2;
  delay = MIN (delay, RECONNECT_MAX_MS);
  /* ±20 % so that many clients do not come back in step. */
  delay = (guint) (delay * g_rand_double_range (self->rand, 0.8, 1.2));
  self->reconnect_attempt++;

  g_debug ("%s: reconnecting in %u ms", self->user_id, delay);
  clear_source (&self->reconnect_source);
  self->reconnect_source = add_timeout (self, delay, on_reconnect_timeout, self);
}

static GTask *
take_login_task (RtmClient *self)
{
  if (self->login_cancellable != NULL)
    {
      g_cancellable_disconnect (self->login_cancellable, self->login_cancelled_id);
      self->login_cancelled_id = 0;
      g_clear_object (&self->login_cancellable);
    }
  return g_steal_pointer (&self->login_task);
}

static void end_session (RtmClient                 *self,
                         RtmConnectionState         state,
                         RtmConnectionChangeReason  reason);

static gboolean
on_login_cancel_idle (gpointer user_data)
{
  RtmClient *self = user_data;

  if (self->login_task != NULL && self->state == RTM_CONNECTION_STATE_CONNECTING)
    end_session (self, RTM_CONNECTION_STATE_DISCONNECTED, RTM_CONNECTION_CHANGE_REASON_LOGIN_FAILURE);
  return G_SOURCE_REMOVE;
}

/* Cancelling a login stops it: no connection comes up behind the
 * application's back. */
static void
on_login_cancelled (GCancellable *cancellable,
                    gpointer      user_data)
{
  RtmClient *self = user_data;
  GSource *idle = g_idle_source_new ();

  g_source_set_callback (idle, on_login_cancel_idle, g_object_ref (self), g_object_unref);
  g_source_attach (idle, self->context);
  g_source_unref (idle);
}

/* A connection attempt (login or reconnect) failed. */
static void
attempt_failed (RtmClient *self,
                GError    *error)
{
  close_connection (self, SOUP_WEBSOCKET_CLOSE_NORMAL);
  fail_pending (self, RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN, "the connection closed");

  if (self->state == RTM_CONNECTION_STATE_CONNECTING)
    {
      g_autoptr(GTask) task = take_login_task (self);

      g_clear_pointer (&self->user_id, g_free);
      g_clear_pointer (&self->token, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_ID]);
      set_state (self, RTM_CONNECTION_STATE_DISCONNECTED, reason_for_login_error (error));
      if (task != NULL)
        g_task_return_error (task, error);
      else
        g_error_free (error);
      return;
    }

  if (self->state == RTM_CONNECTION_STATE_RECONNECTING)
    {
      /* A token the server refuses now will not work later either. */
      if (g_error_matches (error, RTM_ERROR, RTM_ERROR_INVALID_TOKEN) ||
          g_error_matches (error, RTM_ERROR, RTM_ERROR_TOKEN_EXPIRED))
        {
          foreach_channel (self, rtm_channel_reset);
          set_state (self, RTM_CONNECTION_STATE_ABORTED, reason_for_login_error (error));
        }
      else
        {
          g_debug ("%s: reconnect failed: %s", self->user_id, error->message);
          schedule_reconnect (self);
        }
    }

  g_error_free (error);
}

static void
on_ping_reply (JsonObject *reply_in,
               GError     *error_in,
               gpointer    user_data)
{
  RtmClient *self = user_data;
  g_autoptr(JsonObject) reply = reply_in;
  g_autoptr(GError) error = error_in;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* No answer in time: the server or the path to it is dead. */
  if (g_error_matches (error, RTM_ERROR, RTM_ERROR_TIMEOUT) &&
      self->state == RTM_CONNECTION_STATE_CONNECTED && self->connection != NULL)
    {
      g_debug ("%s: ping timed out, dropping the connection", self->user_id);
      connection_lost (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
    }
}

static gboolean
on_keepalive (gpointer user_data)
{
  RtmClient *self = user_data;
  g_autoptr(JsonObject) frame = rtm_frame_new (RTM_FRAME_PING);

  rtm_client_request (self, frame, on_ping_reply, self);
  return G_SOURCE_CONTINUE;
}

/* Records the presence a subscribe reply tells; with @emit, reports the
 * peers whose presence changed while the client was away. */
static void
record_presence (RtmClient  *self,
                 JsonObject *reply,
                 gboolean    emit)
{
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  JsonNode *node = json_object_get_member (reply, "online");
  JsonObjectIter iter;
  const char *uid;
  JsonNode *value;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;

  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &uid, &value))
    {
      gboolean online = JSON_NODE_HOLDS_VALUE (value) &&
                        json_node_get_value_type (value) == G_TYPE_BOOLEAN &&
                        json_node_get_boolean (value);
      int now = online ? PRESENCE_ONLINE : PRESENCE_OFFLINE;
      gpointer before;

      if (!g_hash_table_lookup_extended (self->subscribed, uid, NULL, &before))
        continue;
      if (GPOINTER_TO_INT (before) == now)
        continue;
      g_hash_table_insert (self->subscribed, g_strdup (uid), GINT_TO_POINTER (now));
      if (emit && GPOINTER_TO_INT (before) != PRESENCE_UNKNOWN)
        g_ptr_array_add (changed, g_strdup (uid));
    }

  for (guint i = 0; i < changed->len; i++)
    {
      const char *peer = g_ptr_array_index (changed, i);

      g_signal_emit (self, signals[PEER_ONLINE_STATUS_CHANGED], 0, peer,
                     GPOINTER_TO_INT (g_hash_table_lookup (self->subscribed, peer)) == PRESENCE_ONLINE);
    }
}

static void
on_resubscribe_reply (JsonObject *reply_in,
                      GError     *error_in,
                      gpointer    user_data)
{
  RtmClient *self = user_data;
  g_autoptr(JsonObject) reply = reply_in;
  g_autoptr(GError) error = error_in;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      g_debug ("subscribing to presence again failed: %s", error->message);
      return;
    }
  record_presence (self, reply, TRUE);
}

static void
resubscribe (RtmClient *self)
{
  g_autoptr(JsonArray) uids = NULL;
  GHashTableIter iter;
  gpointer key;

  if (g_hash_table_size (self->subscribed) == 0)
    return;

  g_hash_table_iter_init (&iter, self->subscribed);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (uids == NULL)
        uids = json_array_new ();
      json_array_add_string_element (uids, key);
      if (json_array_get_length (uids) == RTM_MAX_PRESENCE_UIDS)
        {
          g_autoptr(JsonObject) frame = rtm_frame_new (RTM_FRAME_SUBSCRIBE_PRESENCE);

          json_object_set_array_member (frame, "uids", g_steal_pointer (&uids));
          rtm_client_request (self, frame, on_resubscribe_reply, self);
        }
    }
  if (uids != NULL)
    {
      g_autoptr(JsonObject) frame = rtm_frame_new (RTM_FRAME_SUBSCRIBE_PRESENCE);

      json_object_set_array_member (frame, "uids", g_steal_pointer (&uids));
      rtm_client_request (self, frame, on_resubscribe_reply, self);
    }
}

static void
on_login_reply (JsonObject *reply_in,
                GError     *error_in,
                gpointer    user_data)
{
  RtmClient *self = user_data;
  g_autoptr(JsonObject) reply = reply_in;
  g_autoptr(GError) error = error_in;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) ice_servers = NULL;
  JsonNode *node;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      /* The connection closed under the attempt; that path handles it. */
      if (self->connection == NULL)
        return;
      attempt_failed (self, g_steal_pointer (&error));
      return;
    }

  /* The cancel handler's idle may not have run yet (I/O outranks idles):
   * a login the application canceled must not come up anyway. */
  if (self->login_cancellable != NULL && g_cancellable_is_cancelled (self->login_cancellable))
    {
      end_session (self, RTM_CONNECTION_STATE_DISCONNECTED, RTM_CONNECTION_CHANGE_REASON_LOGIN_FAILURE);
      return;
    }

  node = json_object_get_member (reply, "ice_servers");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (item));
        }
    }
  ice_servers = g_strv_builder_end (builder);
  if (self->ice_servers == NULL || !g_strv_equal ((const char * const *) self->ice_servers,
                                                  (const char * const *) ice_servers))
    {
      g_strfreev (self->ice_servers);
      self->ice_servers = g_steal_pointer (&ice_servers);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ICE_SERVERS]);
    }

  clear_source (&self->attempt_timeout);
  self->connection_logged_in = TRUE;
  self->reconnect_attempt = 0;
  if (self->keepalive_interval > 0)
    self->keepalive_source = add_timeout (self, self->keepalive_interval, on_keepalive, self);

  {
    g_autoptr(GTask) task = take_login_task (self);
    gboolean reconnected = self->state == RTM_CONNECTION_STATE_RECONNECTING;

    set_state (self, RTM_CONNECTION_STATE_CONNECTED, RTM_CONNECTION_CHANGE_REASON_LOGIN_SUCCESS);
    if (reconnected)
      {
        foreach_channel (self, rtm_channel_rejoin);
        resubscribe (self);
      }
    if (task != NULL)
      g_task_return_boolean (task, TRUE);
  }
}

static void
dispatch_reply (RtmClient    *self,
                RtmFrameType  type,
                JsonObject   *frame)
{
  PendingRequest *pending;
  gint64 req = 0;

  if (!rtm_frame_get_int (frame, "req", FALSE, 0, &req, NULL) || req <= 0)
    {
      if (type == RTM_FRAME_ERROR)
        g_debug ("server error: %s: %s",
                 rtm_frame_get_string (frame, "code", FALSE, 0, NULL),
                 rtm_frame_get_string (frame, "message", FALSE, 0, NULL));
      return;
    }

  pending = g_hash_table_lookup (self->pending, &req);
  if (pending == NULL)
    {
      g_debug ("reply for unknown request %" G_GINT64_FORMAT, req);
      return;
    }

  g_hash_table_steal (self->pending, &req);
  if (type == RTM_FRAME_REPLY)
    complete_pending (pending, json_object_ref (frame), NULL);
  else
    complete_pending (pending, NULL,
                      rtm_error_new_from_wire (rtm_frame_get_string (frame, "code", FALSE, 0, NULL),
                                               rtm_frame_get_string (frame, "message", FALSE, 0, NULL)));
}

/* Returns whether the event's ack may go out now. */
static gboolean
dispatch_event (RtmClient    *self,
                RtmFrameType  type,
                JsonObject   *frame)
{
  switch (type)
    {
    case RTM_FRAME_REPLY:
    case RTM_FRAME_ERROR:
      dispatch_reply (self, type, frame);
      break;

    case RTM_FRAME_KICKED:
      /* The close (4001) follows, but frames the server answered in
       * between belong to a session that is over: end it now. */
      self->kicked = TRUE;
      if (!self->connection_logged_in)
        break;
      /* Any other reason a later server may give is a ban. */
      if (g_strcmp0 (rtm_frame_get_string (frame, "reason", FALSE, 0, NULL), "REMOTE_LOGIN") != 0 &&
          self->logout_task == NULL)
        end_session (self, RTM_CONNECTION_STATE_ABORTED, RTM_CONNECTION_CHANGE_REASON_BANNED_BY_SERVER);
      else
        connection_lost (self, RTM_CLOSE_REMOTE_LOGIN);
      break;

    case RTM_FRAME_PRESENCE:
      {
        const char *uid = rtm_frame_get_id (frame, "uid", TRUE, NULL);
        gboolean online = FALSE;

        if (uid != NULL && rtm_frame_get_bool (frame, "online", TRUE, FALSE, &online, NULL))
          {
            if (g_hash_table_contains (self->subscribed, uid))
              g_hash_table_insert (self->subscribed, g_strdup (uid),
                                   GINT_TO_POINTER (online ? PRESENCE_ONLINE : PRESENCE_OFFLINE));
            g_signal_emit (self, signals[PEER_ONLINE_STATUS_CHANGED], 0, uid, online);
          }
      }
      break;

    case RTM_FRAME_PEER_MESSAGE:
      {
        const char *from = rtm_frame_get_id (frame, "from", TRUE, NULL);
        const char *text = rtm_frame_get_string (frame, "text", TRUE, 0, NULL);

        if (from != NULL && text != NULL)
          g_signal_emit (self, signals[MESSAGE_RECEIVED], 0, from, text);
      }
      break;

    case RTM_FRAME_MEMBER_JOINED:
    case RTM_FRAME_MEMBER_LEFT:
    case RTM_FRAME_CHANNEL_MESSAGE:
      {
        const char *channel_id = rtm_frame_get_id (frame, "channel", TRUE, NULL);
        RtmChannel *channel = channel_id ? g_hash_table_lookup (self->channels, channel_id) : NULL;

        if (channel != NULL)
          {
            G_GNUC_UNUSED g_autoptr(RtmChannel) hold = g_object_ref (channel);

            rtm_channel_handle_event (channel, type, frame);
          }
      }
      break;

    case RTM_FRAME_INVITATION_RECEIVED:
    case RTM_FRAME_INVITATION_RECEIVED_BY_PEER:
    case RTM_FRAME_INVITATION_ACCEPTED:
    case RTM_FRAME_INVITATION_REFUSED:
    case RTM_FRAME_INVITATION_CANCELED:
    case RTM_FRAME_INVITATION_FAILED:
      return rtm_call_manager_handle_event (self->call_manager, type, frame);

    case RTM_FRAME_UNKNOWN:
    case RTM_FRAME_LOGIN:
    case RTM_FRAME_LOGOUT:
    case RTM_FRAME_PING:
    case RTM_FRAME_QUERY_PRESENCE:
    case RTM_FRAME_SUBSCRIBE_PRESENCE:
    case RTM_FRAME_UNSUBSCRIBE_PRESENCE:
    case RTM_FRAME_CHANNEL_JOIN:
    case RTM_FRAME_CHANNEL_LEAVE:
    case RTM_FRAME_CHANNEL_MEMBERS:
    case RTM_FRAME_INVITE:
    case RTM_FRAME_INVITATION_CANCEL:
    case RTM_FRAME_INVITATION_ACCEPT:
    case RTM_FRAME_INVITATION_REFUSE:
    case RTM_FRAME_ACK:
    case RTM_FRAME_N_TYPES:
    default:
      g_debug ("ignoring a \"%s\" frame from the server", rtm_frame_type_to_string (type));
      break;
    }
  return TRUE;
}

static void
on_message (SoupWebsocketConnection *connection,
            int                      data_type,
            GBytes                  *message,
            gpointer                 user_data)
{
  RtmClient *self = user_data;
  G_GNUC_UNUSED g_autoptr(RtmClient) hold = g_object_ref (self);
  G_GNUC_UNUSED g_autoptr(SoupWebsocketConnection) hold_connection = g_object_ref (connection);
  g_autoptr(JsonObject) frame = NULL;
  g_autoptr(JsonObject) unknown = NULL;
  g_autoptr(GError) error = NULL;
  RtmFrameType type = RTM_FRAME_UNKNOWN;
  const char *data;
  gsize length;
  gint64 ack = 0;

  if (data_type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_debug ("ignoring a binary frame from the server");
      return;
    }

  data = g_bytes_get_data (message, &length);
  if (wire_debug ())
    g_log ("rtm-wire", G_LOG_LEVEL_DEBUG, "%s %p ← %.*s", self->user_id, connection,
           (int) MIN (length, 2048), data);
  frame = rtm_frame_parse (data, length, 0, &type, &unknown, &error);
  if (frame == NULL)
    {
      /* Bad input from the network is never fatal. */
      g_debug ("ignoring a frame from the server: %s", error->message);
      return;
    }

  if (!rtm_frame_get_int (frame, "ack", FALSE, 0, &ack, NULL))
    ack = 0;

  self->dispatch_depth++;
  if (!dispatch_event (self, type, frame))
    ack = 0;
  self->dispatch_depth--;

  /* Nested in a handler's main loop, the ack waits with the rest. */
  if (ack > 0 && self->connection == connection)
    rtm_client_send_ack (self, ack);
  if (self->dispatch_depth == 0)
    flush_deferred (self);
}

static void
on_closed (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  RtmClient *self = user_data;
  G_GNUC_UNUSED g_autoptr(RtmClient) hold = g_object_ref (self);
  G_GNUC_UNUSED g_autoptr(SoupWebsocketConnection) hold_connection = g_object_ref (connection);

  connection_lost (self, soup_websocket_connection_get_close_code (connection));
}

static void
on_error (SoupWebsocketConnection *connection,
          GError                  *error,
          gpointer                 user_data)
{
  g_debug ("websocket error: %s", error->message);
}

static void
on_websocket_connected (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  RtmClient *self = user_data;
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) frame = NULL;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->connect_cancellable);

  if (connection == NULL)
    {
      attempt_failed (self, g_error_new (RTM_ERROR, RTM_ERROR_CONNECTION_FAILED,
                                         "cannot connect to %s: %s",
                                         self->server_uri, error->message));
      return;
    }

  self->connection = g_steal_pointer (&connection);
  self->next_req = 0;
  soup_websocket_connection_set_max_incoming_payload_size (self->connection, RTM_HARD_MAX_FRAME_SIZE);
  g_signal_connect (self->connection, "message", G_CALLBACK (on_message), self);
  g_signal_connect (self->connection, "closed", G_CALLBACK (on_closed), self);
  g_signal_connect (self->connection, "error", G_CALLBACK (on_error), self);

  frame = rtm_frame_new (RTM_FRAME_LOGIN);
  json_object_set_int_member (frame, "version", RTM_PROTOCOL_VERSION);
  json_object_set_string_member (frame, "uid", self->user_id);
  if (self->token != NULL)
    json_object_set_string_member (frame, "token", self->token);
  rtm_client_request (self, frame, on_login_reply, self);
}

static gboolean
on_attempt_timeout (gpointer user_data)
{
  RtmClient *self = user_data;

  g_clear_pointer (&self->attempt_timeout, g_source_unref);
  attempt_failed (self, g_error_new (RTM_ERROR, RTM_ERROR_TIMEOUT,
                                     "no login reply from %s within %u ms",
                                     self->server_uri, self->request_timeout));
  return G_SOURCE_REMOVE;
}

static void
on_network_event (SoupMessage        *message,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  GSocket *socket;

  if (event != G_SOCKET_CLIENT_CONNECTED || !G_IS_SOCKET_CONNECTION (connection))
    return;

  /* Frames are small and often come in pairs (an ack, then the answer a
   * handler sent): without this, Nagle holds the second for the server's
   * delayed ACK, some 40 ms. */
  socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection));
  if (g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static void
start_connection (RtmClient *self)
{
  g_autoptr(SoupMessage) message = NULL;

  g_assert (self->connection == NULL);
  g_assert (self->connect_cancellable == NULL);

  message = soup_message_new (SOUP_METHOD_GET, self->server_uri);
  if (message == NULL)
    {
      attempt_failed (self, g_error_new (RTM_ERROR, RTM_ERROR_CONNECTION_FAILED,
                                         "\"%s\" is not a ws:// or wss:// URI", self->server_uri));
      return;
    }

  g_signal_connect (message, "network-event", G_CALLBACK (on_network_event), NULL);
  self->connect_cancellable = g_cancellable_new ();
  self->attempt_timeout = add_timeout (self, self->request_timeout, on_attempt_timeout, self);
  soup_session_websocket_connect_async (self->session, message, NULL, NULL,
                                        G_PRIORITY_DEFAULT, self->connect_cancellable,
                                        on_websocket_connected, self);
}

static void
end_session (RtmClient                 *self,
             RtmConnectionState         state,
             RtmConnectionChangeReason  reason)
{
  g_autoptr(GTask) logout_task = g_steal_pointer (&self->logout_task);
  g_autoptr(GTask) login_task = take_login_task (self);

  close_connection (self, SOUP_WEBSOCKET_CLOSE_NORMAL);
  clear_source (&self->reconnect_source);
  self->reconnect_attempt = 0;

  foreach_channel (self, rtm_channel_reset);
  g_hash_table_remove_all (self->subscribed);

  if (state == RTM_CONNECTION_STATE_DISCONNECTED)
    {
      g_clear_pointer (&self->token, g_free);
      if (self->user_id != NULL)
        {
          g_clear_pointer (&self->user_id, g_free);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_ID]);
        }
    }

  set_state (self, state, reason);
  rtm_call_manager_end_all (self->call_manager);
  fail_pending (self, RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN, "logged out");

  if (login_task != NULL)
    g_task_return_new_error (login_task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "the login was canceled");
  if (logout_task != NULL)
    g_task_return_boolean (logout_task, TRUE);
}

static void
connection_lost (RtmClient *self,
                 gushort    close_code)
{
  gboolean kicked = self->kicked || close_code == RTM_CLOSE_REMOTE_LOGIN;

  g_debug ("%s: connection closed (code %u)", self->user_id ? self->user_id : "-", close_code);

  if (!self->connection_logged_in)
    {
      attempt_failed (self, g_error_new (RTM_ERROR, RTM_ERROR_CONNECTION_FAILED,
                                         "the server closed the connection (code %u)", close_code));
      return;
    }

  if (self->logout_task != NULL)
    {
      end_session (self, RTM_CONNECTION_STATE_DISCONNECTED, RTM_CONNECTION_CHANGE_REASON_LOGOUT);
      return;
    }

  if (kicked)
    {
      end_session (self, RTM_CONNECTION_STATE_ABORTED, RTM_CONNECTION_CHANGE_REASON_REMOTE_LOGIN);
      return;
    }

  if (close_code == SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION)
    {
      end_session (self, RTM_CONNECTION_STATE_ABORTED, RTM_CONNECTION_CHANGE_REASON_BANNED_BY_SERVER);
      return;
    }

  close_connection (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  foreach_channel (self, rtm_channel_connection_lost);
  set_state (self, RTM_CONNECTION_STATE_RECONNECTING, RTM_CONNECTION_CHANGE_REASON_INTERRUPTED);
  rtm_call_manager_end_all (self->call_manager);
  fail_pending (self, RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN, "the connection was interrupted");
  if (self->state == RTM_CONNECTION_STATE_RECONNECTING && self->reconnect_source == NULL &&
      self->connect_cancellable == NULL && self->connection == NULL)
    schedule_reconnect (self);
}

static void
on_channel_finalized (gpointer  data,
                      GObject  *where_the_object_was)
{
  RtmClient *self = data;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value == (gpointer) where_the_object_was)
      {
        g_hash_table_iter_remove (&iter);
        break;
      }
}

static void
rtm_client_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  RtmClient *self = RTM_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URI:
      g_value_set_string (value, self->server_uri);
      break;
    case PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;
    case PROP_CONNECTION_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_REQUEST_TIMEOUT:
      g_value_set_uint (value, self->request_timeout);
      break;
    case PROP_KEEPALIVE_INTERVAL:
      g_value_set_uint (value, self->keepalive_interval);
      break;
    case PROP_ICE_SERVERS:
      g_value_set_boxed (value, self->ice_servers);
      break;
    case PROP_TLS_DATABASE:
      g_value_take_object (value, soup_session_get_tls_database (self->session)
                                  ? g_object_ref (soup_session_get_tls_database (self->session)) : NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rtm_client_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  RtmClient *self = RTM_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URI:
      self->server_uri = g_value_dup_string (value);
      break;
    case PROP_REQUEST_TIMEOUT:
      if (self->request_timeout != g_value_get_uint (value))
        {
          self->request_timeout = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_TLS_DATABASE:
      if (soup_session_get_tls_database (self->session) != g_value_get_object (value))
        {
          soup_session_set_tls_database (self->session, g_value_get_object (value));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_KEEPALIVE_INTERVAL:
      if (self->keepalive_interval != g_value_get_uint (value))
        {
          self->keepalive_interval = g_value_get_uint (value);
          /* Takes effect now if connected. */
          if (self->keepalive_source != NULL || self->connection_logged_in)
            {
              clear_source (&self->keepalive_source);
              if (self->keepalive_interval > 0 && self->connection_logged_in)
                self->keepalive_source = add_timeout (self, self->keepalive_interval, on_keepalive, self);
            }
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rtm_client_dispose (GObject *object)
{
  RtmClient *self = RTM_CLIENT (object);
  GHashTableIter iter;
  gpointer value;

  /* Internal requests see the cancellation and leave self alone. */
  g_cancellable_cancel (self->cancellable);
  close_connection (self, SOUP_WEBSOCKET_CLOSE_NORMAL);
  clear_source (&self->reconnect_source);
  /* The invitations may outlive the client; they end as on a logout. */
  if (self->call_manager != NULL)
    rtm_call_manager_end_all (self->call_manager);
  if (self->pending != NULL)
    fail_pending (self, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the client was disposed");
  if (self->login_task != NULL)
    g_task_return_new_error (take_login_task (self), G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "the client was disposed");
  if (self->logout_task != NULL)
    g_task_return_boolean (g_steal_pointer (&self->logout_task), TRUE);

  if (self->channels != NULL)
    {
      g_hash_table_iter_init (&iter, self->channels);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_object_weak_unref (value, on_channel_finalized, self);
      g_hash_table_remove_all (self->channels);
    }

  g_clear_object (&self->call_manager);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (rtm_client_parent_class)->dispose (object);
}

static void
rtm_client_finalize (GObject *object)
{
  RtmClient *self = RTM_CLIENT (object);

  g_clear_pointer (&self->server_uri, g_free);
  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->ice_servers, g_strfreev);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->deferred, g_ptr_array_unref);
  g_clear_pointer (&self->channels, g_hash_table_unref);
  g_clear_pointer (&self->subscribed, g_hash_table_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (rtm_client_parent_class)->finalize (object);
}

static void
rtm_client_class_init (RtmClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rtm_client_get_property;
  object_class->set_property = rtm_client_set_property;
  object_class->dispose = rtm_client_dispose;
  object_class->finalize = rtm_client_finalize;

  /**
   * RtmClient:server-uri:
   *
   * The server's WebSocket URI, `ws://HOST:PORT/rtm` or `wss://…`.
   */
  properties[PROP_SERVER_URI] =
    g_param_spec_string ("server-uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * RtmClient:user-id:
   *
   * The user id given to [method@Rtm.Client.login_async], or %NULL when
   * logged out. It stays set in %RTM_CONNECTION_STATE_ABORTED.
   */
  properties[PROP_USER_ID] =
    g_param_spec_string ("user-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * RtmClient:connection-state:
   *
   * The connection state; [signal@Rtm.Client::connection-state-changed]
   * tells why it changed.
   */
  properties[PROP_CONNECTION_STATE] =
    g_param_spec_enum ("connection-state", NULL, NULL,
                       RTM_TYPE_CONNECTION_STATE,
                       RTM_CONNECTION_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * RtmClient:request-timeout:
   *
   * How long, in milliseconds, to wait for the server's answer to a
   * request (and for a connection attempt with its login) before failing
   * with %RTM_ERROR_TIMEOUT.
   */
  properties[PROP_REQUEST_TIMEOUT] =
    g_param_spec_uint ("request-timeout", NULL, NULL,
                       1, G_MAXUINT, 10000,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * RtmClient:keepalive-interval:
   *
   * How often, in milliseconds, to ping the server while connected; a
   * ping unanswered within [property@Rtm.Client:request-timeout] drops the
   * connection and starts a reconnect. 0 turns the pings off.
   */
  properties[PROP_KEEPALIVE_INTERVAL] =
    g_param_spec_uint ("keepalive-interval", NULL, NULL,
                       0, G_MAXUINT, 10000,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * RtmClient:ice-servers:
   *
   * The STUN and TURN servers the server announced at login, as
   * GStreamer-style URIs (`stun://host:port`, `turn://user:pass@host:port`).
   */
  properties[PROP_ICE_SERVERS] =
    g_param_spec_boxed ("ice-servers", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * RtmClient:tls-database:
   *
   * The certificate authorities trusted for `wss://` servers; %NULL (the
   * default) uses the system's. Set it to trust a private CA or a
   * self-signed server certificate.
   */
  properties[PROP_TLS_DATABASE] =
    g_param_spec_object ("tls-database", NULL, NULL, G_TYPE_TLS_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * RtmClient::connection-state-changed:
   * @self: the client
   * @state: the new state
   * @reason: why it changed
   *
   * Emitted when [property@Rtm.Client:connection-state] changes.
   */
  signals[CONNECTION_STATE_CHANGED] =
    g_signal_new ("connection-state-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  RTM_TYPE_CONNECTION_STATE,
                  RTM_TYPE_CONNECTION_CHANGE_REASON);

  /**
   * RtmClient::message-received:
   * @self: the client
   * @peer_id: the sender's user id
   * @text: the message
   *
   * Emitted when a peer sends this user a message.
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
   * RtmClient::peer-online-status-changed:
   * @self: the client
   * @peer_id: the user whose presence changed
   * @online: whether the user is now logged in
   *
   * Emitted for users subscribed to with
   * [method@Rtm.Client.subscribe_peers_online_status_async] when they log in
   * or out.
   */
  signals[PEER_ONLINE_STATUS_CHANGED] =
    g_signal_new ("peer-online-status-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_BOOLEAN);
}

static void
rtm_client_init (RtmClient *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->session = soup_session_new ();
  self->cancellable = g_cancellable_new ();
  self->state = RTM_CONNECTION_STATE_DISCONNECTED;
  self->pending = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->deferred = g_ptr_array_new_with_free_func (g_free);
  self->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->subscribed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->rand = g_rand_new ();
  self->call_manager = rtm_call_manager_new (self);
}

/**
 * rtm_client_new:
 * @server_uri: the server's URI, as rtm-server prints it
 *   (`ws://127.0.0.1:40123/rtm`)
 *
 * Creates a client for the server at @server_uri. It does not connect
 * until [method@Rtm.Client.login_async].
 *
 * Returns: (transfer full): a new #RtmClient
 */
RtmClient *
rtm_client_new (const char *server_uri)
{
  g_return_val_if_fail (server_uri != NULL, NULL);

  return g_object_new (RTM_TYPE_CLIENT, "server-uri", server_uri, NULL);
}

/**
 * rtm_client_get_server_uri:
 * @self: a #RtmClient
 *
 * Gets the server's URI.
 *
 * Returns: the server's URI
 */
const char *
rtm_client_get_server_uri (RtmClient *self)
{
  g_return_val_if_fail (RTM_IS_CLIENT (self), NULL);

  return self->server_uri;
}

/**
 * rtm_client_get_user_id:
 * @self: a #RtmClient
 *
 * Gets the user id logged in (or logging in), or %NULL.
 *
 * Returns: (nullable): the user id logged in (or logging in), or %NULL
 */
const char *
rtm_client_get_user_id (RtmClient *self)
{
  g_return_val_if_fail (RTM_IS_CLIENT (self), NULL);

  return self->user_id;
}

/**
 * rtm_client_get_connection_state:
 * @self: a #RtmClient
 *
 * Gets the connection state.
 *
 * Returns: the connection state
 */
RtmConnectionState
rtm_client_get_connection_state (RtmClient *self)
{
  g_return_val_if_fail (RTM_IS_CLIENT (self), RTM_CONNECTION_STATE_DISCONNECTED);

  return self->state;
}

/**
 * rtm_client_get_ice_servers:
 * @self: a #RtmClient
 *
 * Gets the ICE servers from the last login reply, or %NULL before the first login.
 *
 * Returns: (nullable) (array zero-terminated=1) (transfer none): the ICE
 *   servers from the last login reply, or %NULL before the first login
 */
const char * const *
rtm_client_get_ice_servers (RtmClient *self)
{
  g_return_val_if_fail (RTM_IS_CLIENT (self), NULL);

  return (const char * const *) self->ice_servers;
}

/**
 * rtm_client_get_call_manager:
 * @self: a #RtmClient
 *
 * Gets the client's call manager.
 *
 * Returns: (transfer none): the client's call manager
 */
RtmCallManager *
rtm_client_get_call_manager (RtmClient *self)
{
  g_return_val_if_fail (RTM_IS_CLIENT (self), NULL);

  return self->call_manager;
}

/**
 * rtm_client_login_async:
 * @self: a #RtmClient
 * @user_id: the user id: 1–64 printable ASCII characters, no space
 * @token: (nullable): the token, or %NULL for a server in development mode
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when logged in or failed
 * @user_data: data for @callback
 *
 * Connects to the server and logs in as @user_id. The state goes to
 * %RTM_CONNECTION_STATE_CONNECTING, then %RTM_CONNECTION_STATE_CONNECTED
 * or back to %RTM_CONNECTION_STATE_DISCONNECTED. Logging in again from
 * %RTM_CONNECTION_STATE_ABORTED is allowed. Cancelling @cancellable stops
 * the login: the state goes back to %RTM_CONNECTION_STATE_DISCONNECTED and
 * the login fails with %G_IO_ERROR_CANCELLED.
 *
 * Fails with %RTM_ERROR_INVALID_ARGUMENT for an invalid user id or server URI,
 * %RTM_ERROR_ALREADY_LOGGED_IN when logged in or logging in,
 * %RTM_ERROR_CONNECTION_FAILED, %RTM_ERROR_TIMEOUT,
 * %RTM_ERROR_INVALID_TOKEN or %RTM_ERROR_TOKEN_EXPIRED.
 */
void
rtm_client_login_async (RtmClient           *self,
                        const char          *user_id,
                        const char          *token,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RTM_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rtm_client_login_async);

  if (!rtm_id_is_valid (user_id))
    {
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_INVALID_ARGUMENT,
                               "\"%s\" is not a valid user id", user_id ? user_id : "(null)");
      return;
    }
  if (!server_uri_is_valid (self->server_uri))
    {
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_INVALID_ARGUMENT,
                               "\"%s\" is not a ws:// or wss:// URI", self->server_uri);
      return;
    }
  if (self->state != RTM_CONNECTION_STATE_DISCONNECTED &&
      self->state != RTM_CONNECTION_STATE_ABORTED)
    {
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_ALREADY_LOGGED_IN,
                               "already logged in or logging in as %s", self->user_id);
      return;
    }

  rtm_set_str (&self->user_id, user_id);
  rtm_set_str (&self->token, token);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_ID]);

  self->login_task = g_steal_pointer (&task);
  if (cancellable != NULL)
    {
      self->login_cancellable = g_object_ref (cancellable);
      self->login_cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_login_cancelled), self, NULL);
    }
  self->reconnect_attempt = 0;
  set_state (self, RTM_CONNECTION_STATE_CONNECTING, RTM_CONNECTION_CHANGE_REASON_LOGIN);
  /* A handler may have logged out already. */
  if (self->state == RTM_CONNECTION_STATE_CONNECTING && self->login_task != NULL)
    start_connection (self);
}

/**
 * rtm_client_login_finish:
 * @self: a #RtmClient
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Rtm.Client.login_async].
 *
 * Returns: whether the login succeeded
 */
gboolean
rtm_client_login_finish (RtmClient     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (RTM_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_logout_reply (JsonObject *reply_in,
                 GError     *error_in,
                 gpointer    user_data)
{
  RtmClient *self = user_data;
  g_autoptr(JsonObject) reply = reply_in;
  g_autoptr(GError) error = error_in;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Whatever the server said, this client is logged out now. */
  if (self->logout_task != NULL)
    end_session (self, RTM_CONNECTION_STATE_DISCONNECTED, RTM_CONNECTION_CHANGE_REASON_LOGOUT);
}

/**
 * rtm_client_logout_async:
 * @self: a #RtmClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when logged out
 * @user_data: data for @callback
 *
 * Logs out and closes the connection. A login in progress fails with
 * %G_IO_ERROR_CANCELLED; invitations in flight end with
 * %RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN and
 * %RTM_REMOTE_INVITATION_ERROR_NOT_LOGGEDIN; channels are left and
 * presence subscriptions dropped. Fails with %RTM_ERROR_NOT_LOGGED_IN when
 * not logged in.
 */
void
rtm_client_logout_async (RtmClient           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RTM_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rtm_client_logout_async);
  /* The logout happens even if the caller stops waiting for it. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->state == RTM_CONNECTION_STATE_DISCONNECTED ||
      self->state == RTM_CONNECTION_STATE_ABORTED)
    {
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN, "not logged in");
      return;
    }
  if (self->logout_task != NULL)
    {
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN, "already logging out");
      return;
    }

  self->logout_task = g_steal_pointer (&task);

  if (self->state == RTM_CONNECTION_STATE_CONNECTED && self->connection_logged_in)
    {
      g_autoptr(JsonObject) frame = rtm_frame_new (RTM_FRAME_LOGOUT);

      rtm_client_request (self, frame, on_logout_reply, self);
      return;
    }

  end_session (self, RTM_CONNECTION_STATE_DISCONNECTED, RTM_CONNECTION_CHANGE_REASON_LOGOUT);
}

/**
 * rtm_client_logout_finish:
 * @self: a #RtmClient
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Rtm.Client.logout_async].
 *
 * Returns: whether the client logged out
 */
gboolean
rtm_client_logout_finish (RtmClient     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (RTM_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Public requests: an outer task on the client, completed from the
 * inner request. The outer task keeps the client alive meanwhile. */
typedef JsonObject *(*ReplyFilter) (JsonObject *reply, GError **error);

static void
on_simple_reply (JsonObject *reply_in,
                 GError     *error_in,
                 gpointer    user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonObject) reply = reply_in;
  g_autoptr(GError) error = error_in;

  if (reply == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&reply), (GDestroyNotify) json_object_unref);
}

static void
public_request (RtmClient           *self,
                gpointer             source_tag,
                JsonObject          *frame,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  rtm_client_request (self, frame, on_simple_reply, task);
}

static void
return_invalid (RtmClient           *self,
                gpointer             source_tag,
                GAsyncReadyCallback  callback,
                gpointer             user_data,
                const char          *message)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_INVALID_ARGUMENT, "%s", message);
}

/**
 * rtm_client_send_message_to_peer_async:
 * @self: a #RtmClient
 * @peer_id: the recipient's user id
 * @text: the message, at most 32 KiB of UTF-8
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the server took the message
 * @user_data: data for @callback
 *
 * Sends @text to @peer_id, who gets [signal@Rtm.Client::message-received].
 * Fails with %RTM_ERROR_PEER_OFFLINE when the peer is not logged in and
 * %RTM_ERROR_INVALID_ARGUMENT for a bad id or text.
 */
void
rtm_client_send_message_to_peer_async (RtmClient           *self,
                                       const char          *peer_id,
                                       const char          *text,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(JsonObject) frame = NULL;

  g_return_if_fail (RTM_IS_CLIENT (self));

  if (!rtm_id_is_valid (peer_id))
    {
      return_invalid (self, rtm_client_send_message_to_peer_async, callback, user_data,
                      "the peer id is not a valid user id");
      return;
    }
  if (text == NULL || strlen (text) > RTM_MAX_TEXT_LENGTH || !g_utf8_validate (text, -1, NULL))
    {
      return_invalid (self, rtm_client_send_message_to_peer_async, callback, user_data,
                      "the text is missing, not UTF-8 or over 32 KiB");
      return;
    }

  frame = rtm_frame_new (RTM_FRAME_PEER_MESSAGE);
  json_object_set_string_member (frame, "to", peer_id);
  json_object_set_string_member (frame, "text", text);
  public_request (self, rtm_client_send_message_to_peer_async, frame, cancellable, callback, user_data);
}

/**
 * rtm_client_send_message_to_peer_finish:
 * @self: a #RtmClient
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Rtm.Client.send_message_to_peer_async].
 *
 * Returns: whether the server took the message
 */
gboolean
rtm_client_send_message_to_peer_finish (RtmClient     *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_autoptr(JsonObject) reply = NULL;

  g_return_val_if_fail (RTM_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  reply = g_task_propagate_pointer (G_TASK (result), error);
  return reply != NULL;
}

static JsonArray *
uids_to_array (const char * const *peer_ids,
               const char        **out_message)
{
  g_autoptr(JsonArray) array = json_array_new ();
  guint n = 0;

  if (peer_ids == NULL || peer_ids[0] == NULL)
    {
      *out_message = "no peer ids";
      return NULL;
    }
  for (; peer_ids[n] != NULL; n++)
    {
      if (!rtm_id_is_valid (peer_ids[n]))
        {
          *out_message = "a peer id is not a valid user id";
          return NULL;
        }
      json_array_add_string_element (array, peer_ids[n]);
    }
  if (n > RTM_MAX_PRESENCE_UIDS)
    {
      *out_message = "more than 256 peer ids";
      return NULL;
    }
  return g_steal_pointer (&array);
}

static GHashTable *
online_from_reply (GTask   *task,
                   GError **error)
{
  g_autoptr(JsonObject) reply = g_task_propagate_pointer (task, error);
  g_autoptr(GHashTable) table = NULL;
  JsonNode *node;
  JsonObjectIter iter;
  const char *uid;
  JsonNode *value;

  if (reply == NULL)
    return NULL;

  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  node = json_object_get_member (reply, "online");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, RTM_ERROR, RTM_ERROR_PROTOCOL, "the reply has no \"online\" object");
      return NULL;
    }
  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &uid, &value))
    {
      gboolean online = JSON_NODE_HOLDS_VALUE (value) &&
                        json_node_get_value_type (value) == G_TYPE_BOOLEAN &&
                        json_node_get_boolean (value);

      g_hash_table_insert (table, g_strdup (uid), GINT_TO_POINTER (online));
    }
  return g_steal_pointer (&table);
}

static void
on_subscribe_reply (JsonObject *reply_in,
                    GError     *error_in,
                    gpointer    user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonObject) reply = reply_in;
  g_autoptr(GError) error = error_in;

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  record_presence (g_task_get_source_object (task), reply, FALSE);
  g_task_return_pointer (task, g_steal_pointer (&reply), (GDestroyNotify) json_object_unref);
}

static void
presence_request (RtmClient           *self,
                  gpointer             source_tag,
                  RtmFrameType         type,
                  const char * const  *peer_ids,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(JsonObject) frame = NULL;
  const char *message = NULL;
  JsonArray *array = uids_to_array (peer_ids, &message);

  if (array == NULL)
    {
      return_invalid (self, source_tag, callback, user_data, message);
      return;
    }

  frame = rtm_frame_new (type);
  json_object_set_array_member (frame, "uids", array);
  if (type == RTM_FRAME_SUBSCRIBE_PRESENCE)
    {
      GTask *task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, source_tag);
      rtm_client_request (self, frame, on_subscribe_reply, task);
      return;
    }
  public_request (self, source_tag, frame, cancellable, callback, user_data);
}

/**
 * rtm_client_query_peers_online_status_async:
 * @self: a #RtmClient
 * @peer_ids: (array zero-terminated=1): 1–256 user ids
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the answer
 * @user_data: data for @callback
 *
 * Asks the server which of @peer_ids are logged in.
 */
void
rtm_client_query_peers_online_status_async (RtmClient           *self,
                                            const char * const  *peer_ids,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_return_if_fail (RTM_IS_CLIENT (self));

  presence_request (self, rtm_client_query_peers_online_status_async, RTM_FRAME_QUERY_PRESENCE,
                    peer_ids, cancellable, callback, user_data);
}

/**
 * rtm_client_query_peers_online_status_finish:
 * @self: a #RtmClient
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Rtm.Client.query_peers_online_status_async].
 *
 * Returns: (transfer full) (element-type utf8 gint): user id to
 *   online (1 or 0, as GINT_TO_POINTER()), or %NULL on error
 */
GHashTable *
rtm_client_query_peers_online_status_finish (RtmClient     *self,
                                             GAsyncResult  *result,
                                             GError       **error)
{
  g_return_val_if_fail (RTM_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return online_from_reply (G_TASK (result), error);
}

/**
 * rtm_client_subscribe_peers_online_status_async:
 * @self: a #RtmClient
 * @peer_ids: (array zero-terminated=1): 1–256 user ids
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the current presence
 * @user_data: data for @callback
 *
 * Subscribes to the presence of @peer_ids:
 * [signal@Rtm.Client::peer-online-status-changed] follows their logins
 * and logouts. The subscription survives reconnects (changes missed
 * while reconnecting are reported then); a logout drops it.
 */
void
rtm_client_subscribe_peers_online_status_async (RtmClient           *self,
                                                const char * const  *peer_ids,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  g_return_if_fail (RTM_IS_CLIENT (self));

  if (peer_ids != NULL && self->state == RTM_CONNECTION_STATE_CONNECTED)
    {
      const char *message = NULL;
      g_autoptr(JsonArray) check = uids_to_array (peer_ids, &message);

      if (check != NULL)
        for (guint i = 0; peer_ids[i] != NULL; i++)
          if (!g_hash_table_contains (self->subscribed, peer_ids[i]))
            g_hash_table_insert (self->subscribed, g_strdup (peer_ids[i]), GINT_TO_POINTER (PRESENCE_UNKNOWN));
    }

  presence_request (self, rtm_client_subscribe_peers_online_status_async, RTM_FRAME_SUBSCRIBE_PRESENCE,
                    peer_ids, cancellable, callback, user_data);
}

/**
 * rtm_client_subscribe_peers_online_status_finish:
 * @self: a #RtmClient
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Rtm.Client.subscribe_peers_online_status_async].
 *
 * Returns: (transfer full) (element-type utf8 gint): user id to
 *   online (1 or 0, as GINT_TO_POINTER()), or %NULL on error
 */
GHashTable *
rtm_client_subscribe_peers_online_status_finish (RtmClient     *self,
                                                 GAsyncResult  *result,
                                                 GError       **error)
{
  g_return_val_if_fail (RTM_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return online_from_reply (G_TASK (result), error);
}

/**
 * rtm_client_unsubscribe_peers_online_status_async:
 * @self: a #RtmClient
 * @peer_ids: (array zero-terminated=1): 1–256 user ids
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when done
 * @user_data: data for @callback
 *
 * Ends the presence subscription for @peer_ids.
 */
void
rtm_client_unsubscribe_peers_online_status_async (RtmClient           *self,
                                                  const char * const  *peer_ids,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data)
{
  g_return_if_fail (RTM_IS_CLIENT (self));

  if (peer_ids != NULL)
    for (guint i = 0; peer_ids[i] != NULL; i++)
      g_hash_table_remove (self->subscribed, peer_ids[i]);

  presence_request (self, rtm_client_unsubscribe_peers_online_status_async, RTM_FRAME_UNSUBSCRIBE_PRESENCE,
                    peer_ids, cancellable, callback, user_data);
}

/**
 * rtm_client_unsubscribe_peers_online_status_finish:
 * @self: a #RtmClient
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Rtm.Client.unsubscribe_peers_online_status_async].
 *
 * Returns: whether the subscription ended
 */
gboolean
rtm_client_unsubscribe_peers_online_status_finish (RtmClient     *self,
                                                   GAsyncResult  *result,
                                                   GError       **error)
{
  g_autoptr(JsonObject) reply = NULL;

  g_return_val_if_fail (RTM_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  reply = g_task_propagate_pointer (G_TASK (result), error);
  return reply != NULL;
}

/**
 * rtm_client_create_channel:
 * @self: a #RtmClient
 * @channel_id: the channel id: 1–64 printable ASCII characters, no space
 * @error: return location for an error
 *
 * Gets the channel object for @channel_id; it is not joined until
 * [method@Rtm.Channel.join_async]. There is one object per id: while one
 * lives, this returns a new reference to it.
 *
 * Returns: (transfer full) (nullable): the channel, or %NULL with
 *   %RTM_ERROR_INVALID_ARGUMENT for an invalid id
 */
RtmChannel *
rtm_client_create_channel (RtmClient   *self,
                           const char  *channel_id,
                           GError     **error)
{
  RtmChannel *channel;

  g_return_val_if_fail (RTM_IS_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!rtm_id_is_valid (channel_id))
    {
      g_set_error (error, RTM_ERROR, RTM_ERROR_INVALID_ARGUMENT,
                   "\"%s\" is not a valid channel id", channel_id ? channel_id : "(null)");
      return NULL;
    }

  channel = g_hash_table_lookup (self->channels, channel_id);
  if (channel != NULL)
    return g_object_ref (channel);

  channel = rtm_channel_new (self, channel_id);
  g_hash_table_insert (self->channels, g_strdup (channel_id), channel);
  g_object_weak_ref (G_OBJECT (channel), on_channel_finalized, self);
  return channel;
}

/* Internal API */

static gboolean
on_request_timeout (gpointer user_data)
{
  RtmClient *self = user_data;
  GHashTableIter iter;
  gpointer value;
  GSource *current = g_main_current_source ();

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      PendingRequest *pending = value;

      if (pending->timeout != current)
        continue;
      g_hash_table_iter_steal (&iter);
      g_clear_pointer (&pending->timeout, g_source_unref);
      complete_pending (pending, NULL,
                        g_error_new (RTM_ERROR, RTM_ERROR_TIMEOUT,
                                     "no answer from the server within %u ms", self->request_timeout));
      break;
    }
  return G_SOURCE_REMOVE;
}

void
rtm_client_request (RtmClient          *self,
                    JsonObject         *frame,
                    RtmClientReplyFunc  func,
                    gpointer            user_data)
{
  PendingRequest *pending;
  const char *type;
  gboolean needs_login;

  g_return_if_fail (RTM_IS_CLIENT (self));
  g_return_if_fail (frame != NULL);

  type = json_object_get_string_member_with_default (frame, "type", "");
  needs_login = !g_str_equal (type, "login") && !g_str_equal (type, "ping");

  if (self->connection == NULL ||
      (needs_login && (!self->connection_logged_in || self->state != RTM_CONNECTION_STATE_CONNECTED)))
    {
      if (func != NULL)
        func (NULL, g_error_new_literal (RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN, "not logged in"), user_data);
      return;
    }

  pending = g_new0 (PendingRequest, 1);
  pending->req = ++self->next_req;
  pending->func = func;
  pending->user_data = user_data;
  json_object_set_int_member (frame, "req", pending->req);
  send_frame (self, frame);

  /* Login is timed by the connection attempt as a whole. */
  if (!g_str_equal (type, "login"))
    pending->timeout = add_timeout (self, self->request_timeout, on_request_timeout, self);
  g_hash_table_insert (self->pending, &pending->req, pending);
}

void
rtm_client_send_ack (RtmClient *self,
                     gint64     ack)
{
  g_autoptr(JsonObject) frame = NULL;

  if (ack <= 0 || self->connection == NULL)
    return;
  frame = rtm_frame_new (RTM_FRAME_ACK);
  json_object_set_int_member (frame, "ack", ack);
  send_frame (self, frame);
}

gboolean
rtm_client_is_logged_in (RtmClient *self)
{
  return self->state == RTM_CONNECTION_STATE_CONNECTED && self->connection_logged_in;
}
