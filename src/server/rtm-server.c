/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "rtm-server"

#include "rtm-server.h"

#include <errno.h>
#include <libsoup/soup.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "rtm-server-invitation.h"
#include "rtm-server-private.h"
#include "rtm-server-shard.h"
#include "rtm-server-user.h"

struct _RtmServer
{
  GObject          parent_instance;

  RtmServerConfig *config;
  SoupServer      *soup;
  GSocket         *socket;
  char            *uri;

  GHashTable      *connections;   /* RtmServerConnection (owned) → its Sweeper */
  GHashTable      *sweepers;      /* GMainContext → Sweeper, owned */
  GHashTable      *users;         /* uid → RtmServerUser */
  GHashTable      *channels;      /* channel id → GPtrArray of RtmServerConnection */
  GHashTable      *watchers;      /* uid → GPtrArray of RtmServerConnection subscribed */
  GHashTable      *invitations;   /* id → RtmServerInvitation, owned */
  GHashTable      *acks;          /* ack → RtmServerInvitation */
  GQueue           lingering;     /* ended invitations, oldest first */

  GSource         *accept_source;
  GPtrArray       *listeners;     /* of Listener: a socket per shard, or empty */
  RtmServerLock    lock;          /* held by whichever thread dispatches */
  GPtrArray       *shards;        /* of RtmServerShard */
  guint            next_shard;
  gint             quit;          /* atomic */
  guint            next_ack;
  guint            sweep_id;
  guint            trimmed_at_n;  /* connections at the last malloc_trim */
  gint64           trimmed_at;
  gboolean         shutting_down;
};

G_DEFINE_FINAL_TYPE (RtmServer, rtm_server, G_TYPE_OBJECT)

/* Helpers */

static void
reply_empty (RtmServerConnection *connection,
             gint64               req)
{
  g_autoptr(JsonObject) reply = rtm_frame_new_reply (req);

  rtm_server_connection_reply (connection, reply);
}

static void
reply_gerror (RtmServerConnection *connection,
              gint64               req,
              const GError        *error)
{
  RtmWireError code = error->domain == RTM_WIRE_ERROR ? (RtmWireError) error->code : RTM_WIRE_INTERNAL;

  rtm_server_connection_reply_error (connection, req, code, error->message);
}

static RtmServerConnection *
find_connection (RtmServer  *self,
                 const char *uid)
{
  RtmServerUser *user = g_hash_table_lookup (self->users, uid);

  return user != NULL ? rtm_server_user_get_primary (user) : NULL;
}

static gboolean
remove_string (GPtrArray  *array,
               const char *value)
{
  for (guint i = 0; array != NULL && i < array->len; i++)
    if (g_str_equal (g_ptr_array_index (array, i), value))
      {
        g_ptr_array_remove_index_fast (array, i);
        return TRUE;
      }
  return FALSE;
}

static void
send_to_all (GPtrArray           *connections,
             RtmServerConnection *except,
             JsonObject          *frame)
{
  for (guint i = 0; connections != NULL && i < connections->len; i++)
    {
      RtmServerConnection *connection = g_ptr_array_index (connections, i);

      if (connection != except)
        rtm_server_connection_send (connection, frame);
    }
}

/* Presence */

static void
announce_presence (RtmServer  *self,
                   const char *uid,
                   gboolean    online)
{
  g_autoptr(JsonObject) event = NULL;
  GPtrArray *watchers = g_hash_table_lookup (self->watchers, uid);

  if (watchers == NULL)
    return;
  event = rtm_frame_new (RTM_FRAME_PRESENCE);
  json_object_set_string_member (event, "uid", uid);
  json_object_set_boolean_member (event, "online", online);
  send_to_all (watchers, NULL, event);
}

static void
unwatch (RtmServer           *self,
         RtmServerConnection *connection,
         const char          *uid)
{
  GPtrArray *watchers = g_hash_table_lookup (self->watchers, uid);

  if (watchers == NULL)
    return;
  g_ptr_array_remove_fast (watchers, connection);
  if (watchers->len == 0)
    g_hash_table_remove (self->watchers, uid);
}

static void
handle_presence (RtmServer           *self,
                 RtmServerConnection *connection,
                 RtmFrameType         type,
                 gint64               req,
                 JsonObject          *frame)
{
  g_autoptr(GError) error = NULL;
  g_autofree const char **uids = NULL;
  g_autoptr(JsonObject) reply = NULL;
  JsonObject *online;

  uids = rtm_frame_get_id_array (frame, "uids", RTM_MAX_PRESENCE_UIDS, &error);
  if (uids == NULL)
    {
      reply_gerror (connection, req, error);
      return;
    }

  reply = rtm_frame_new_reply (req);
  if (type == RTM_FRAME_UNSUBSCRIBE_PRESENCE)
    {
      GPtrArray *subscriptions = rtm_server_connection_get_subscriptions (connection);

      for (guint i = 0; uids[i] != NULL; i++)
        if (remove_string (subscriptions, uids[i]))
          unwatch (self, connection, uids[i]);
      rtm_server_connection_reply (connection, reply);
      return;
    }

  online = json_object_new ();
  for (guint i = 0; uids[i] != NULL; i++)
    {
      json_object_set_boolean_member (online, uids[i], find_connection (self, uids[i]) != NULL);

      if (type == RTM_FRAME_SUBSCRIBE_PRESENCE)
        {
          GPtrArray *subscriptions = rtm_server_connection_get_subscriptions (connection);
          GPtrArray *watchers;

          if (g_ptr_array_find_with_equal_func (subscriptions, uids[i], g_str_equal, NULL))
            continue;
          g_ptr_array_add (subscriptions, g_strdup (uids[i]));
          watchers = g_hash_table_lookup (self->watchers, uids[i]);
          if (watchers == NULL)
            {
              watchers = g_ptr_array_new ();
              g_hash_table_insert (self->watchers, g_strdup (uids[i]), watchers);
            }
          g_ptr_array_add (watchers, connection);
        }
    }
  json_object_set_object_member (reply, "online", online);
  rtm_server_connection_reply (connection, reply);
}

/* Session */

static void
handle_login (RtmServer           *self,
              RtmServerConnection *connection,
              gint64               req,
              JsonObject          *frame)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GPtrArray) older = NULL;
  JsonArray *ice_servers;
  RtmServerUser *user;
  const char *uid;
  const char *token;
  gint64 version = 0;

  if (rtm_server_connection_get_uid (connection) != NULL)
    {
      rtm_server_connection_reply_error (connection, req, RTM_WIRE_ALREADY_LOGGED_IN,
                                         "this connection is already logged in");
      return;
    }
  if (!rtm_frame_get_int (frame, "version", TRUE, 0, &version, &error))
    {
      reply_gerror (connection, req, error);
      return;
    }
  if (version != RTM_PROTOCOL_VERSION)
    {
      rtm_server_connection_reply_error (connection, req, RTM_WIRE_UNSUPPORTED_VERSION,
                                         "this server speaks protocol version 1");
      return;
    }
  uid = rtm_frame_get_id (frame, "uid", TRUE, &error);
  if (uid == NULL)
    {
      reply_gerror (connection, req, error);
      return;
    }
  token = rtm_frame_get_string (frame, "token", FALSE, 1024, &error);
  if (error != NULL)
    {
      reply_gerror (connection, req, error);
      return;
    }
  if (rtm_server_config_has_secret (self->config))
    {
      RtmWireError verdict;

      if (token == NULL)
        {
          rtm_server_connection_reply_error (connection, req, RTM_WIRE_INVALID_TOKEN,
                                             "this server needs a token");
          return;
        }
      verdict = rtm_token_verify (self->config->secret, uid, token,
                                  g_get_real_time () / G_USEC_PER_SEC);
      if (verdict != RTM_WIRE_OK)
        {
          rtm_server_connection_reply_error (connection, req, verdict,
                                             verdict == RTM_WIRE_TOKEN_EXPIRED
                                             ? "the token has expired"
                                             : "the token is not valid for this user");
          return;
        }
    }

  rtm_server_connection_set_uid (connection, uid);
  user = g_hash_table_lookup (self->users, uid);
  if (user == NULL)
    {
      user = rtm_server_user_new (uid);
      g_hash_table_insert (self->users, user->uid, user);
    }
  else
    {
      older = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < user->connections->len; i++)
        g_ptr_array_add (older, g_object_ref (g_ptr_array_index (user->connections, i)));
    }
  g_ptr_array_add (user->connections, connection);

  /* One session per user: the older one goes, as if it had disconnected. */
  for (guint i = 0; older != NULL && i < older->len; i++)
    {
      RtmServerConnection *old = g_ptr_array_index (older, i);
      g_autoptr(JsonObject) kicked = rtm_frame_new (RTM_FRAME_KICKED);

      g_debug ("%s: %s logged in elsewhere, kicking", rtm_server_connection_get_peer (old), uid);
      json_object_set_string_member (kicked, "reason", "REMOTE_LOGIN");
      rtm_server_connection_send (old, kicked);
      rtm_server_connection_close (old, RTM_CLOSE_REMOTE_LOGIN, "REMOTE_LOGIN");
    }
  g_clear_pointer (&older, g_ptr_array_unref);

  g_debug ("%s: logged in as %s", rtm_server_connection_get_peer (connection), uid);

  reply = rtm_frame_new_reply (req);
  json_object_set_string_member (reply, "uid", uid);
  ice_servers = json_array_new ();
  for (guint i = 0; self->config->ice_servers[i] != NULL; i++)
    json_array_add_string_element (ice_servers, self->config->ice_servers[i]);
  json_object_set_array_member (reply, "ice_servers", ice_servers);
  json_object_set_double_member (reply, "invitation_lifetime", self->config->invitation_lifetime);
  json_object_set_int_member (reply, "server_time", g_get_real_time () / G_USEC_PER_SEC);
  rtm_server_connection_reply (connection, reply);

  if (user->connections->len == 1)
    announce_presence (self, uid, TRUE);
}

/* Peer messages */

static void
handle_peer_message (RtmServer           *self,
                     RtmServerConnection *connection,
                     gint64               req,
                     JsonObject          *frame)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) event = NULL;
  RtmServerConnection *peer;
  const char *to;
  const char *text = NULL;

  to = rtm_frame_get_id (frame, "to", TRUE, &error);
  if (to != NULL)
    text = rtm_frame_get_string (frame, "text", TRUE, RTM_MAX_TEXT_LENGTH, &error);
  if (error != NULL)
    {
      reply_gerror (connection, req, error);
      return;
    }
  peer = find_connection (self, to);
  if (peer == NULL)
    {
      rtm_server_connection_reply_error (connection, req, RTM_WIRE_PEER_OFFLINE,
                                         "the peer is not logged in");
      return;
    }
  event = rtm_frame_new (RTM_FRAME_PEER_MESSAGE);
  json_object_set_string_member (event, "from", rtm_server_connection_get_uid (connection));
  json_object_set_string_member (event, "text", text);
  rtm_server_connection_send (peer, event);
  reply_empty (connection, req);
}

/* Channels */

static JsonArray *
member_uids (GPtrArray *members)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < members->len; i++)
    json_array_add_string_element (array,
                                   rtm_server_connection_get_uid (g_ptr_array_index (members, i)));
  return array;
}

static void
send_member_event (GPtrArray           *members,
                   RtmServerConnection *connection,
                   RtmFrameType         type,
                   const char          *channel)
{
  g_autoptr(JsonObject) event = rtm_frame_new (type);

  json_object_set_string_member (event, "channel", channel);
  json_object_set_string_member (event, "uid", rtm_server_connection_get_uid (connection));
  send_to_all (members, connection, event);
}

static void
leave_channel (RtmServer           *self,
               RtmServerConnection *connection,
               const char          *channel)
{
  GPtrArray *members = g_hash_table_lookup (self->channels, channel);

  if (members == NULL || !g_ptr_array_remove_fast (members, connection))
    return;
  if (members->len == 0)
    g_hash_table_remove (self->channels, channel);
  else
    send_member_event (members, connection, RTM_FRAME_MEMBER_LEFT, channel);
}

static void
handle_channel (RtmServer           *self,
                RtmServerConnection *connection,
                RtmFrameType         type,
                gint64               req,
                JsonObject          *frame)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;
  GPtrArray *members;
  const char *channel;
  const char *text = NULL;
  gboolean joined;

  channel = rtm_frame_get_id (frame, "channel", TRUE, &error);
  if (channel != NULL && type == RTM_FRAME_CHANNEL_MESSAGE)
    text = rtm_frame_get_string (frame, "text", TRUE, RTM_MAX_TEXT_LENGTH, &error);
  if (error != NULL)
    {
      reply_gerror (connection, req, error);
      return;
    }

  members = g_hash_table_lookup (self->channels, channel);
  joined = members != NULL && g_ptr_array_find (members, connection, NULL);

  if (type == RTM_FRAME_CHANNEL_JOIN)
    {
      if (joined)
        {
          rtm_server_connection_reply_error (connection, req, RTM_WIRE_ALREADY_JOINED,
                                             "already a member of the channel");
          return;
        }
      if (members == NULL)
        {
          members = g_ptr_array_new ();
          g_hash_table_insert (self->channels, g_strdup (channel), members);
        }
      g_ptr_array_add (members, connection);
      g_ptr_array_add (rtm_server_connection_get_channels (connection), g_strdup (channel));
      send_member_event (members, connection, RTM_FRAME_MEMBER_JOINED, channel);
      reply = rtm_frame_new_reply (req);
      json_object_set_array_member (reply, "members", member_uids (members));
      rtm_server_connection_reply (connection, reply);
      return;
    }

  if (!joined)
    {
      rtm_server_connection_reply_error (connection, req, RTM_WIRE_NOT_IN_CHANNEL,
                                         "not a member of the channel");
      return;
    }

  switch (type)
    {
    case RTM_FRAME_CHANNEL_LEAVE:
      remove_string (rtm_server_connection_get_channels (connection), channel);
      leave_channel (self, connection, channel);
      reply_empty (connection, req);
      break;

    case RTM_FRAME_CHANNEL_MEMBERS:
      reply = rtm_frame_new_reply (req);
      json_object_set_array_member (reply, "members", member_uids (members));
      rtm_server_connection_reply (connection, reply);
      break;

    case RTM_FRAME_CHANNEL_MESSAGE:
      {
        g_autoptr(JsonObject) event = rtm_frame_new (RTM_FRAME_CHANNEL_MESSAGE);

        json_object_set_string_member (event, "channel", channel);
        json_object_set_string_member (event, "from", rtm_server_connection_get_uid (connection));
        json_object_set_string_member (event, "text", text);
        send_to_all (members, connection, event);
        reply_empty (connection, req);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Invitations */

static void
handle_invite (RtmServer           *self,
               RtmServerConnection *connection,
               gint64               req,
               JsonObject          *frame)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RtmServerInvitation) invitation = NULL;
  const char *callee;
  const char *content = NULL;
  const char *channel = NULL;

  callee = rtm_frame_get_id (frame, "callee", TRUE, &error);
  if (error == NULL)
    content = rtm_frame_get_string (frame, "content", FALSE, RTM_MAX_CONTENT_LENGTH, &error);
  if (error == NULL)
    channel = rtm_frame_get_id (frame, "channel", FALSE, &error);
  if (error != NULL)
    {
      reply_gerror (connection, req, error);
      return;
    }

  invitation = rtm_server_invitation_new (self, connection, callee, content, channel);
  g_hash_table_insert (self->invitations,
                       (gpointer) rtm_server_invitation_get_id (invitation),
                       g_object_ref (invitation));
  /* Ringing every device of the callee would start here. */
  rtm_server_invitation_start (invitation, find_connection (self, callee), req);
}

static void
handle_invitation_request (RtmServer           *self,
                           RtmServerConnection *connection,
                           RtmFrameType         type,
                           gint64               req,
                           JsonObject          *frame)
{
  g_autoptr(GError) error = NULL;
  RtmServerInvitation *invitation;
  const char *id;
  const char *response = NULL;

  id = rtm_frame_get_string (frame, "invitation", TRUE, 0, &error);
  if (error == NULL && type != RTM_FRAME_INVITATION_CANCEL)
    response = rtm_frame_get_string (frame, "response", FALSE, RTM_MAX_CONTENT_LENGTH, &error);
  if (error != NULL)
    {
      reply_gerror (connection, req, error);
      return;
    }
  if (!rtm_invitation_id_is_valid (id))
    {
      rtm_server_connection_reply_error (connection, req, RTM_WIRE_BAD_FIELD,
                                         "member \"invitation\" is not an invitation id (32 lower-case hex digits)");
      return;
    }
  invitation = g_hash_table_lookup (self->invitations, id);
  if (invitation == NULL)
    {
      rtm_server_connection_reply_error (connection, req, RTM_WIRE_UNKNOWN_INVITATION,
                                         "no invitation with that id");
      return;
    }
  rtm_server_invitation_answer (invitation, connection, type, req, response);
}

static void
handle_ack (RtmServer           *self,
            RtmServerConnection *connection,
            JsonObject          *frame)
{
  g_autoptr(GError) error = NULL;
  RtmServerInvitation *invitation;
  gint64 ack = 0;

  if (!rtm_frame_get_int (frame, "ack", TRUE, 0, &ack, &error))
    {
      rtm_server_connection_reply_error (connection, 0, (RtmWireError) error->code, error->message);
      return;
    }
  /* Acks of events that no longer matter are fine: the client cannot know. */
  if (ack <= 0 || ack > G_MAXUINT)
    return;
  invitation = g_hash_table_lookup (self->acks, GUINT_TO_POINTER ((guint) ack));
  if (invitation != NULL)
    rtm_server_invitation_ack (invitation, connection, (guint) ack);
}

/* Private API */

RtmServerConfig *
rtm_server_get_config (RtmServer *self)
{
  return self->config;
}

void
rtm_server_handle_frame (RtmServer           *self,
                         RtmServerConnection *connection,
                         RtmFrameType         type,
                         gint64               req,
                         JsonObject          *frame)
{
  switch (type)
    {
    case RTM_FRAME_LOGIN:
      handle_login (self, connection, req, frame);
      break;
    case RTM_FRAME_LOGOUT:
      g_debug ("%s: %s logs out", rtm_server_connection_get_peer (connection),
               rtm_server_connection_get_uid (connection));
      reply_empty (connection, req);
      rtm_server_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, "logout");
      break;
    case RTM_FRAME_PING:
      reply_empty (connection, req);
      break;
    case RTM_FRAME_QUERY_PRESENCE:
    case RTM_FRAME_SUBSCRIBE_PRESENCE:
    case RTM_FRAME_UNSUBSCRIBE_PRESENCE:
      handle_presence (self, connection, type, req, frame);
      break;
    case RTM_FRAME_PEER_MESSAGE:
      handle_peer_message (self, connection, req, frame);
      break;
    case RTM_FRAME_CHANNEL_JOIN:
    case RTM_FRAME_CHANNEL_LEAVE:
    case RTM_FRAME_CHANNEL_MEMBERS:
    case RTM_FRAME_CHANNEL_MESSAGE:
      handle_channel (self, connection, type, req, frame);
      break;
    case RTM_FRAME_INVITE:
      handle_invite (self, connection, req, frame);
      break;
    case RTM_FRAME_INVITATION_CANCEL:
    case RTM_FRAME_INVITATION_ACCEPT:
    case RTM_FRAME_INVITATION_REFUSE:
      handle_invitation_request (self, connection, type, req, frame);
      break;
    case RTM_FRAME_ACK:
      if (rtm_server_connection_get_uid (connection) != NULL)
        handle_ack (self, connection, frame);
      break;
    case RTM_FRAME_UNKNOWN:
    case RTM_FRAME_REPLY:
    case RTM_FRAME_ERROR:
    case RTM_FRAME_KICKED:
    case RTM_FRAME_PRESENCE:
    case RTM_FRAME_MEMBER_JOINED:
    case RTM_FRAME_MEMBER_LEFT:
    case RTM_FRAME_INVITATION_RECEIVED:
    case RTM_FRAME_INVITATION_RECEIVED_BY_PEER:
    case RTM_FRAME_INVITATION_ACCEPTED:
    case RTM_FRAME_INVITATION_REFUSED:
    case RTM_FRAME_INVITATION_CANCELED:
    case RTM_FRAME_INVITATION_FAILED:
    case RTM_FRAME_N_TYPES:
    default:
      rtm_server_connection_reply_error (connection, req, RTM_WIRE_UNKNOWN_TYPE, "not a request");
      break;
    }
}

void
rtm_server_detach_connection (RtmServer           *self,
                              RtmServerConnection *connection)
{
  g_autoptr(GPtrArray) invitations = NULL;
  g_autoptr(GPtrArray) channels = NULL;
  g_autoptr(GPtrArray) subscriptions = NULL;
  const char *uid = rtm_server_connection_get_uid (connection);
  RtmServerUser *user;

  if (self->shutting_down)
    return;

  /* The other side of each invitation hears PEER_OFFLINE at once. */
  invitations = rtm_server_connection_steal_invitations (connection);
  for (guint i = 0; invitations != NULL && i < invitations->len; i++)
    rtm_server_invitation_party_gone (g_ptr_array_index (invitations, i), connection);

  channels = rtm_server_connection_steal_channels (connection);
  for (guint i = 0; channels != NULL && i < channels->len; i++)
    leave_channel (self, connection, g_ptr_array_index (channels, i));

  subscriptions = rtm_server_connection_steal_subscriptions (connection);
  for (guint i = 0; subscriptions != NULL && i < subscriptions->len; i++)
    unwatch (self, connection, g_ptr_array_index (subscriptions, i));

  if (uid == NULL)
    return;
  user = g_hash_table_lookup (self->users, uid);
  if (user == NULL || !g_ptr_array_remove (user->connections, connection))
    return;
  if (user->connections->len == 0)
    {
      g_autofree char *gone = g_strdup (uid);

      g_hash_table_remove (self->users, gone);
      announce_presence (self, gone, FALSE);
    }
}

/* The keepalive and authentication deadlines of the connections one
 * thread serves, checked by a timer on that thread's context. One timer
 * for all connections held the whole server while it walked 10,000 of
 * them each second and sent every ping due. */
typedef struct {
  RtmServer  *server;
  GHashTable *connections;   /* set, borrowed from server->connections */
  GSource    *timer;
} Sweeper;

static void
sweeper_free (Sweeper *sweeper)
{
  if (!g_source_is_destroyed (sweeper->timer))
    g_source_destroy (sweeper->timer);
  g_source_unref (sweeper->timer);
  g_hash_table_unref (sweeper->connections);
  g_free (sweeper);
}

static gboolean
on_sweep_connections (gpointer user_data)
{
  Sweeper *sweeper = user_data;
  g_autoptr(GPtrArray) snapshot = g_ptr_array_new_full (g_hash_table_size (sweeper->connections),
                                                        g_object_unref);
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer key;

  /* Closing a connection takes it out of the set. */
  g_hash_table_iter_init (&iter, sweeper->connections);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (snapshot, g_object_ref (key));
  for (guint i = 0; i < snapshot->len; i++)
    rtm_server_connection_check_deadlines (g_ptr_array_index (snapshot, i), now);
  return G_SOURCE_CONTINUE;
}

static guint sweep_interval_ms (RtmServerConfig *config);

/* The sweeper of the calling thread's context, made on first use. */
static Sweeper *
get_sweeper (RtmServer *self)
{
  GMainContext *context = g_main_context_get_thread_default ();
  Sweeper *sweeper;

  if (context == NULL)
    context = g_main_context_default ();
  sweeper = g_hash_table_lookup (self->sweepers, context);
  if (sweeper == NULL)
    {
      sweeper = g_new0 (Sweeper, 1);
      sweeper->server = self;
      sweeper->connections = g_hash_table_new (NULL, NULL);
      sweeper->timer = g_timeout_source_new (sweep_interval_ms (self->config));
      g_source_set_callback (sweeper->timer, on_sweep_connections, sweeper, NULL);
      g_source_attach (sweeper->timer, context);
      g_hash_table_insert (self->sweepers, context, sweeper);
    }
  return sweeper;
}

void
rtm_server_remove_connection (RtmServer           *self,
                              RtmServerConnection *connection)
{
  Sweeper *sweeper = g_hash_table_lookup (self->connections, connection);

  if (sweeper != NULL)
    g_hash_table_remove (sweeper->connections, connection);
  g_hash_table_remove (self->connections, connection);
}

guint
rtm_server_register_ack (RtmServer           *self,
                         RtmServerInvitation *invitation)
{
  guint ack;

  do
    {
      if (++self->next_ack == 0 || self->next_ack > G_MAXINT32)
        self->next_ack = 1;
      ack = self->next_ack;
    }
  while (g_hash_table_contains (self->acks, GUINT_TO_POINTER (ack)));

  g_hash_table_insert (self->acks, GUINT_TO_POINTER (ack), invitation);
  return ack;
}

void
rtm_server_unregister_ack (RtmServer *self,
                           guint      ack)
{
  g_hash_table_remove (self->acks, GUINT_TO_POINTER (ack));
}

void
rtm_server_linger_invitation (RtmServer           *self,
                              RtmServerInvitation *invitation)
{
  g_queue_push_tail (&self->lingering, invitation);
}

/* The server-wide timer: the end of lingering invitations. The
 * connections' deadlines are their threads' sweepers'. */
static gboolean
on_sweep (gpointer user_data)
{
  RtmServer *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 linger = (gint64) (self->config->invitation_linger * G_USEC_PER_SEC);
  guint n_connections = g_hash_table_size (self->connections);
  RtmServerInvitation *invitation;

  while ((invitation = g_queue_peek_head (&self->lingering)) != NULL &&
         rtm_server_invitation_get_ended_at (invitation) + linger <= now)
    {
      g_queue_pop_head (&self->lingering);
      g_hash_table_remove (self->invitations, rtm_server_invitation_get_id (invitation));
    }

#ifdef __GLIBC__
  /* A storm of logins leaves its handshake buffers as free heap spread
   * between live connections; hand it back once things settle (a third
   * of the RSS at 10,000 clients). */
  if (now - self->trimmed_at > 10 * G_USEC_PER_SEC &&
      ABS ((int) n_connections - (int) self->trimmed_at_n) > 256)
    {
      malloc_trim (0);
      self->trimmed_at = now;
      self->trimmed_at_n = n_connections;
    }
#endif

  return G_SOURCE_CONTINUE;
}

static guint
sweep_interval_ms (RtmServerConfig *config)
{
  /* The sweep also sends the keepalive pings. */
  double shortest = MIN (MIN (config->auth_timeout, config->keepalive_timeout),
                         config->keepalive_interval);

  if (config->invitation_linger > 0)
    shortest = MIN (shortest, config->invitation_linger);
  return (guint) CLAMP (shortest * 1000 / 4, 20, 1000);
}

static void
on_rejected_closed (SoupWebsocketConnection *websocket,
                    gpointer                 user_data)
{
  g_object_unref (websocket);
}

/* Before the handshake: past max-connections, or on the way out, a
 * client is refused with 503 and may try again later. */
static void
on_early_request (SoupServer        *server,
                  SoupServerMessage *message,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  RtmServer *self = user_data;
  GSocket *socket = soup_server_message_get_socket (message);

  /* Small frames both ways, each one waited for: Nagle would hold an ack
   * behind the frame before it for a delayed-ACK time (40 ms). */
  if (socket != NULL)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  if (self->shutting_down || g_hash_table_size (self->connections) >= self->config->max_connections)
    {
      g_debug ("refusing a connection: %u open", g_hash_table_size (self->connections));
      soup_server_message_set_status (message, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                    "Retry-After", "5");
    }
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *message,
              const char              *path,
              SoupWebsocketConnection *websocket,
              gpointer                 user_data)
{
  RtmServer *self = user_data;
  RtmServerConnection *connection;
  g_autofree char *peer = NULL;
  GSocketAddress *remote;
  Sweeper *sweeper;

  /* Only the handshakes already under way when the limit was reached. */
  if (self->shutting_down || g_hash_table_size (self->connections) >= self->config->max_connections)
    {
      g_signal_connect (g_object_ref (websocket), "closed", G_CALLBACK (on_rejected_closed), NULL);
      soup_websocket_connection_close (websocket, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "server full");
      return;
    }

  remote = soup_server_message_get_remote_address (message);
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    {
      g_autofree char *host =
        g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));

      peer = g_strdup_printf ("%s:%u", host, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)));
    }
  connection = rtm_server_connection_new (self, websocket, peer);
  sweeper = get_sweeper (self);
  g_hash_table_add (sweeper->connections, connection);
  g_hash_table_insert (self->connections, connection, sweeper);
}

typedef struct {
  RtmServer      *server;
  RtmServerShard *shard;
  GSocket        *socket;
} Handover;

static void
handover_free (Handover *handover)
{
  g_clear_object (&handover->socket);
  g_free (handover);
}

/* In @shard's thread (or the main thread, without @shard): libsoup
 * attaches the connection's sources to the thread-default context. */
static void
take_connection (RtmServer      *self,
                 RtmServerShard *shard,
                 GSocket        *socket)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) stream = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;

  /* The number may be a closed connection's, still in the shard's set. */
  if (shard != NULL)
    rtm_server_shard_forget_fd (shard, g_socket_get_fd (socket));
  stream = g_socket_connection_factory_create_connection (socket);
  local = g_socket_get_local_address (socket, NULL);
  remote = g_socket_get_remote_address (socket, NULL);
  if (!soup_server_accept_iostream (self->soup, G_IO_STREAM (stream), local, remote, &error))
    g_debug ("cannot take a connection: %s", error->message);
}

static gboolean
on_handover (gpointer user_data)
{
  Handover *handover = user_data;

  if (handover->server->shutting_down || handover->server->soup == NULL)
    return G_SOURCE_REMOVE;
  take_connection (handover->server, handover->shard, handover->socket);
  return G_SOURCE_REMOVE;
}

/* One of the SO_REUSEPORT listening sockets, served by its own shard. */
typedef struct {
  RtmServer      *server;
  RtmServerShard *shard;
  GSocket        *socket;
  GSource        *source;
} Listener;

static void
listener_free (Listener *listener)
{
  if (listener->source != NULL)
    g_source_destroy (listener->source);
  g_clear_pointer (&listener->source, g_source_unref);
  g_clear_object (&listener->socket);
  g_free (listener);
}

/* libsoup's listener accepts one connection per main loop iteration, and
 * an iteration costs time in proportion to the open connections: under a
 * storm of new clients, take every waiting one at once. With @shard, this
 * runs in that shard's thread and keeps what it accepts; without, in the
 * main thread, which hands connections to the shards in turn. */
static void
accept_waiting (RtmServer      *self,
                GSocket        *socket,
                RtmServerShard *shard)
{
  for (guint i = 0; i < 4096 && !self->shutting_down; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) accepted = g_socket_accept (socket, NULL, &error);

      if (accepted == NULL)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("accept: %s", error->message);
          break;
        }
      g_socket_set_option (accepted, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
      if (shard != NULL || self->shards->len == 0)
        {
          take_connection (self, shard, accepted);
        }
      else
        {
          Handover *handover = g_new0 (Handover, 1);

          handover->server = self;
          handover->shard = g_ptr_array_index (self->shards, self->next_shard++ % self->shards->len);
          handover->socket = g_steal_pointer (&accepted);
          rtm_server_shard_invoke (handover->shard, on_handover, handover,
                                   (GDestroyNotify) handover_free);
        }
    }
}

static gboolean
on_listen_socket_ready (GSocket      *socket,
                        GIOCondition  condition,
                        gpointer      user_data)
{
  accept_waiting (user_data, socket, NULL);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_shard_listener_ready (GSocket      *socket,
                         GIOCondition  condition,
                         gpointer      user_data)
{
  Listener *listener = user_data;

  accept_waiting (listener->server, socket, listener->shard);
  return G_SOURCE_CONTINUE;
}

/* GObject */

static void
rtm_server_dispose (GObject *object)
{
  RtmServer *self = (RtmServer *) object;

  /* No more sweeps (a running one finishes before its shard stops), then
   * the shards: nothing may run beside the teardown. */
  if (self->sweepers != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->sweepers);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_source_destroy (((Sweeper *) value)->timer);
    }
  g_clear_pointer (&self->shards, g_ptr_array_unref);
  g_clear_pointer (&self->listeners, g_ptr_array_unref);
  g_clear_handle_id (&self->sweep_id, g_source_remove);
  if (self->accept_source != NULL)
    {
      g_source_destroy (self->accept_source);
      g_clear_pointer (&self->accept_source, g_source_unref);
    }
  if (self->soup != NULL)
    {
      soup_server_disconnect (self->soup);
      g_clear_object (&self->soup);
    }
  g_clear_object (&self->socket);
  g_queue_clear (&self->lingering);
  if (self->invitations != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->invitations);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        rtm_server_invitation_abandon (value);
    }
  g_clear_pointer (&self->acks, g_hash_table_unref);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_pointer (&self->sweepers, g_hash_table_unref);
  g_clear_pointer (&self->invitations, g_hash_table_unref);
  g_clear_pointer (&self->channels, g_hash_table_unref);
  g_clear_pointer (&self->watchers, g_hash_table_unref);
  g_clear_pointer (&self->users, g_hash_table_unref);

  G_OBJECT_CLASS (rtm_server_parent_class)->dispose (object);
}

static void
rtm_server_finalize (GObject *object)
{
  RtmServer *self = (RtmServer *) object;

  g_clear_pointer (&self->config, rtm_server_config_free);
  g_free (self->uri);
  rtm_server_lock_clear (&self->lock);

  G_OBJECT_CLASS (rtm_server_parent_class)->finalize (object);
}

static void
rtm_server_class_init (RtmServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rtm_server_dispose;
  object_class->finalize = rtm_server_finalize;
}

static void
rtm_server_init (RtmServer *self)
{
  self->connections = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->sweepers = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) sweeper_free);
  self->users = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) rtm_server_user_free);
  self->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_ptr_array_unref);
  self->watchers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_ptr_array_unref);
  self->invitations = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->acks = g_hash_table_new (NULL, NULL);
  self->shards = g_ptr_array_new_with_free_func ((GDestroyNotify) rtm_server_shard_free);
  self->listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) listener_free);
  g_queue_init (&self->lingering);
  rtm_server_lock_init (&self->lock);
}

RtmServer *
rtm_server_new (RtmServerConfig *config)
{
  RtmServer *self;

  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (RTM_TYPE_SERVER, NULL);
  self->config = config;
  return self;
}

static GTlsCertificate *
load_certificate (RtmServerConfig  *config,
                  GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  GTlsCertificate *certificate;

  certificate = g_tls_certificate_new_from_files (config->tls_certificate, config->tls_key,
                                                  &local_error);
  if (certificate == NULL)
    g_set_error (error, local_error->domain, local_error->code,
                 "cannot load the TLS certificate %s: %s", config->tls_certificate,
                 local_error->message);
  return certificate;
}

/* A listening socket on the configured address and @port. With
 * @share_port it is one of a SO_REUSEPORT group, each member with a queue
 * of its own; FALSE in @share_port on return if the system would not. */
static GSocket *
listen_socket (RtmServerConfig  *config,
               guint             port,
               gboolean         *share_port,
               GError          **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocket) socket = NULL;

  inet = g_inet_address_new_from_string (config->address);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "\"%s\" is not an IP address", config->address);
      return NULL;
    }
  address = g_inet_socket_address_new (inet, port);
  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  /* libsoup's own listen() keeps the backlog at 10: a thousand clients
   * connecting at once then take seconds. The kernel caps it (somaxconn,
   * 4096 on Debian 12), hence the group of sockets. */
  g_socket_set_listen_backlog (socket, 4096);
#ifdef SO_REUSEPORT
  if (*share_port &&
      g_socket_set_option (socket, SOL_SOCKET, SO_REUSEADDR, 1, NULL) &&
      g_socket_set_option (socket, SOL_SOCKET, SO_REUSEPORT, 1, NULL))
    {
      struct sockaddr_storage native;
      gssize native_len = g_socket_address_get_native_size (address);

      /* Not g_socket_bind(): it turns SO_REUSEPORT off for TCP. */
      if (!g_socket_address_to_native (address, &native, sizeof native, error))
        return NULL;
      if (bind (g_socket_get_fd (socket), (struct sockaddr *) &native, native_len) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "cannot bind to %s port %u: %s", config->address, port,
                       g_strerror (saved_errno));
          return NULL;
        }
      if (!g_socket_listen (socket, error))
        return NULL;
      return g_steal_pointer (&socket);
    }
#endif
  *share_port = FALSE;
  if (!g_socket_bind (socket, address, TRUE, error) || !g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

/* SO_REUSEPORT would let a second server started on the same port by the
 * same user quietly share its clients: make sure the port is free first. */
static gboolean
check_port_free (RtmServerConfig  *config,
                 GError          **error)
{
  g_autoptr(GSocket) probe = NULL;
  gboolean share_port = FALSE;

  if (config->port == 0)
    return TRUE;
  probe = listen_socket (config, config->port, &share_port, error);
  if (probe == NULL)
    return FALSE;
  g_socket_close (probe, NULL);
  return TRUE;
}

/* A listening socket for each shard, in the group of self->socket, each
 * accepted from by its shard's thread. A storm of clients connecting at
 * once overflowed the one socket's queue (10,000 at once: 1,500-1,800
 * dropped, each waiting a second or more for TCP to try again), and every
 * connection crossed from the main thread to a shard. FALSE if the group
 * cannot be made; the main thread then accepts for all. */
static gboolean
listen_per_shard (RtmServer *self)
{
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (self->socket, NULL);
  guint port;

  if (local == NULL)
    return FALSE;
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  for (guint i = 0; i < self->shards->len; i++)
    {
      g_autoptr(GError) error = NULL;
      Listener *listener = g_new0 (Listener, 1);
      gboolean share_port = TRUE;

      listener->server = self;
      listener->shard = g_ptr_array_index (self->shards, i);
      listener->socket = i == 0 ? g_object_ref (self->socket)
                                : listen_socket (self->config, port, &share_port, &error);
      g_ptr_array_add (self->listeners, listener);
      if (listener->socket == NULL || !share_port)
        {
          g_debug ("one listening socket for all shards: %s",
                   error != NULL ? error->message : "no SO_REUSEPORT");
          g_ptr_array_set_size (self->listeners, 0);
          return FALSE;
        }
    }

  for (guint i = 0; i < self->listeners->len; i++)
    {
      Listener *listener = g_ptr_array_index (self->listeners, i);

      g_socket_set_blocking (listener->socket, FALSE);
      listener->source = g_socket_create_source (listener->socket, G_IO_IN, NULL);
      g_source_set_callback (listener->source, G_SOURCE_FUNC (on_shard_listener_ready),
                             listener, NULL);
      g_source_attach (listener->source, rtm_server_shard_get_context (listener->shard));
    }
  return TRUE;
}

gboolean
rtm_server_start (RtmServer  *self,
                  GError    **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autofree char *host = NULL;
  gboolean share_port;
  gboolean tls;
  GInetAddress *inet;

  g_return_val_if_fail (RTM_IS_SERVER (self), FALSE);
  g_return_val_if_fail (self->soup == NULL, FALSE);

  tls = rtm_server_config_has_tls (self->config);
  if (tls && (certificate = load_certificate (self->config, error)) == NULL)
    return FALSE;

  /* Plain connections are spread over the shards; TLS ones stay on the
   * main thread, where libsoup does their handshake. */
  share_port = !tls && self->config->workers > 1;
  if (share_port && !check_port_free (self->config, error))
    return FALSE;
  self->socket = listen_socket (self->config, self->config->port, &share_port, error);
  if (self->socket == NULL)
    return FALSE;

  self->soup = soup_server_new ("server-header", "rtm-server/" PACKAGE_VERSION " ",
                                "tls-certificate", certificate,
                                NULL);
  /* libsoup agrees to permessage-deflate whenever a client asks, and then
   * keeps a zlib stream each way per connection: 96 kB of RSS per
   * connection right after the handshake (7.7 kB without), before any
   * login. Frames here are small JSON; not worth it, and a cheap way to
   * exhaust the server's memory. */
  soup_server_remove_websocket_extension (self->soup, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_early_handler (self->soup, RTM_PROTOCOL_PATH, on_early_request, self, NULL);
  soup_server_add_websocket_handler (self->soup, RTM_PROTOCOL_PATH, NULL, NULL,
                                     on_websocket, self, NULL);
  if (tls)
    {
      /* libsoup does the TLS handshake only for sockets it accepts itself. */
      if (!soup_server_listen_socket (self->soup, self->socket, SOUP_SERVER_LISTEN_HTTPS, error))
        return FALSE;
    }
  else
    {
      for (guint i = 0; i < self->config->workers; i++)
        g_ptr_array_add (self->shards, rtm_server_shard_new (&self->lock, i));
      if (!share_port || !listen_per_shard (self))
        {
          g_socket_set_blocking (self->socket, FALSE);
          self->accept_source = g_socket_create_source (self->socket, G_IO_IN, NULL);
          g_source_set_callback (self->accept_source, G_SOURCE_FUNC (on_listen_socket_ready),
                                 self, NULL);
          g_source_attach (self->accept_source, NULL);
        }
    }

  local = g_socket_get_local_address (self->socket, error);
  if (local == NULL)
    return FALSE;
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  host = g_inet_address_to_string (inet);
  self->uri = g_strdup_printf (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6
                               ? "%s://[%s]:%u%s" : "%s://%s:%u%s",
                               tls ? "wss" : "ws", host,
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)),
                               RTM_PROTOCOL_PATH);

  self->sweep_id = g_timeout_add (sweep_interval_ms (self->config), on_sweep, self);
  return TRUE;
}

void
rtm_server_run (RtmServer *self)
{
  RtmServerPollState state = RTM_SERVER_POLL_STATE_INIT;
  GMainContext *context = g_main_context_default ();

  g_return_if_fail (RTM_IS_SERVER (self));

  if (!g_main_context_acquire (context))
    g_error ("rtm_server_run() must run on the thread that owns the default main context");
  while (!g_atomic_int_get (&self->quit))
    rtm_server_shard_iterate (context, &self->lock, &state);
  g_main_context_release (context);
  g_free (state.fds);
  g_atomic_int_set (&self->quit, FALSE);
}

void
rtm_server_quit (RtmServer *self)
{
  g_return_if_fail (RTM_IS_SERVER (self));

  g_atomic_int_set (&self->quit, TRUE);
  g_main_context_wakeup (g_main_context_default ());
}

const char *
rtm_server_get_uri (RtmServer *self)
{
  g_return_val_if_fail (RTM_IS_SERVER (self), NULL);

  return self->uri;
}

guint
rtm_server_get_n_connections (RtmServer *self)
{
  g_return_val_if_fail (RTM_IS_SERVER (self), 0);

  return g_hash_table_size (self->connections);
}

guint
rtm_server_get_n_users (RtmServer *self)
{
  g_return_val_if_fail (RTM_IS_SERVER (self), 0);

  return g_hash_table_size (self->users);
}

void
rtm_server_shutdown (RtmServer *self)
{
  g_autoptr(GPtrArray) snapshot = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (RTM_IS_SERVER (self));

  /* Everyone is leaving: no PEER_OFFLINE or presence storm on the way out. */
  self->shutting_down = TRUE;
  g_hash_table_iter_init (&iter, self->invitations);
  while (g_hash_table_iter_next (&iter, NULL, &key))
    rtm_server_invitation_abandon (key);

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (snapshot, g_object_ref (key));
  for (guint i = 0; i < snapshot->len; i++)
    rtm_server_connection_close (g_ptr_array_index (snapshot, i),
                                 SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "server shutting down");
  if (self->accept_source != NULL)
    {
      g_source_destroy (self->accept_source);
      g_clear_pointer (&self->accept_source, g_source_unref);
    }
  for (guint i = 0; i < self->listeners->len; i++)
    {
      Listener *listener = g_ptr_array_index (self->listeners, i);

      g_source_destroy (listener->source);
    }
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
}

gboolean
rtm_server_reload (RtmServer        *self,
                   RtmServerConfig  *config,
                   GError          **error)
{
  g_autoptr(RtmServerConfig) fresh = config;
  g_autoptr(GTlsCertificate) certificate = NULL;

  g_return_val_if_fail (RTM_IS_SERVER (self), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  if (rtm_server_config_has_tls (self->config))
    {
      if (!rtm_server_config_has_tls (fresh))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "TLS cannot be turned off without a restart");
          return FALSE;
        }
      certificate = load_certificate (fresh, error);
      if (certificate == NULL)
        return FALSE;
      soup_server_set_tls_certificate (self->soup, certificate);
    }

  /* New logins use the new secret; sessions stay. */
  g_free (self->config->secret);
  self->config->secret = g_steal_pointer (&fresh->secret);
  g_free (self->config->secret_file);
  self->config->secret_file = g_steal_pointer (&fresh->secret_file);
  return TRUE;
}
