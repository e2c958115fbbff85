/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "rtm-server"

#include "rtm-server-invitation.h"

/* What the invitation waits for from ack_connection. */
typedef enum {
  WAIT_NOTHING,
  WAIT_RECEIVED,   /* the callee's ack of invitation_received */
  WAIT_OUTCOME,    /* the other party's ack of the outcome, before the actor's reply */
} Wait;

struct _RtmServerInvitation
{
  GObject                   parent_instance;

  RtmServer                *server;          /* unowned: the server owns us */
  /* Unowned: each connection lists us and calls party_gone before it goes. */
  RtmServerConnection      *caller;
  RtmServerConnection      *callee;
  RtmServerConnection      *actor;           /* whose reply waits in reply_slot */
  RtmServerConnection      *ack_from;        /* who must send ack */
  RtmServerReplySlot       *reply_slot;
  gint64                    reply_req;

  char                     *id;
  char                     *caller_uid;
  char                     *callee_uid;
  char                     *content;
  char                     *channel;

  RtmServerInvitationState  state;
  Wait                      wait;
  guint                     ack;
  GSource                  *timer;           /* lifetime, then the ack timeout */
  gint64                    ended_at;
  guint                     lingering : 1;
};

G_DEFINE_FINAL_TYPE (RtmServerInvitation, rtm_server_invitation, G_TYPE_OBJECT)

static gboolean
is_final (RtmServerInvitationState state)
{
  return state >= RTM_SERVER_INVITATION_ACCEPTED;
}

static void
stop_timer (RtmServerInvitation *self)
{
  if (self->timer == NULL)
    return;
  g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);
}

/* On the thread-default context, the running worker's. g_timeout_add()
 * would attach to the main thread's context, and attaching there from a
 * worker wakes the main thread, which then only waits for the server
 * lock: two context switches before the invitation reached the callee.
 * Destroying a timeout of another worker's context wakes nobody. */
static void
start_timer (RtmServerInvitation *self,
             double               seconds,
             GSourceFunc          func)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  stop_timer (self);
  self->timer = g_timeout_source_new ((guint) (seconds * 1000 + 0.5));
  g_source_set_callback (self->timer, func, self, NULL);
  g_source_attach (self->timer, context);
}

static JsonObject *
new_event (RtmServerInvitation *self,
           RtmFrameType         type)
{
  JsonObject *frame = rtm_frame_new (type);

  json_object_set_string_member (frame, "invitation", self->id);
  return frame;
}

static void
send_failed (RtmServerInvitation *self,
             RtmServerConnection *to,
             const char          *code)
{
  g_autoptr(JsonObject) frame = NULL;

  if (to == NULL || code == NULL)
    return;
  frame = new_event (self, RTM_FRAME_INVITATION_FAILED);
  json_object_set_string_member (frame, "code", code);
  rtm_server_connection_send (to, frame);
}

static void
clear_wait (RtmServerInvitation *self)
{
  if (self->ack != 0)
    rtm_server_unregister_ack (self->server, self->ack);
  self->ack = 0;
  self->ack_from = NULL;
  self->wait = WAIT_NOTHING;
}

/* Sends @frame with a fresh ack number the invitation then waits for. */
static void
send_with_ack (RtmServerInvitation *self,
               RtmServerConnection *to,
               JsonObject          *frame,
               Wait                 wait)
{
  clear_wait (self);
  self->ack = rtm_server_register_ack (self->server, self);
  self->ack_from = to;
  self->wait = wait;
  json_object_set_int_member (frame, "ack", self->ack);
  rtm_server_connection_send (to, frame);
}

static void
forget_connection (RtmServerInvitation *self,
                   RtmServerConnection *connection)
{
  /* The list holds a reference; the server's table holds another. */
  if (connection != NULL)
    rtm_server_connection_remove_invitation (connection, self);
}

/* Nothing more to send or wait for: remember the id for a while, then go. */
static void
finish (RtmServerInvitation *self)
{
  G_GNUC_UNUSED g_autoptr(RtmServerInvitation) hold = g_object_ref (self);

  g_assert (is_final (self->state));
  g_assert (self->reply_slot == NULL);

  stop_timer (self);
  clear_wait (self);
  forget_connection (self, self->caller);
  if (self->callee != self->caller)
    forget_connection (self, self->callee);
  self->caller = self->callee = self->actor = NULL;
  g_clear_pointer (&self->content, g_free);
  g_clear_pointer (&self->channel, g_free);

  self->ended_at = g_get_monotonic_time ();
  if (!self->lingering)
    {
      self->lingering = TRUE;
      rtm_server_linger_invitation (self->server, self);
    }
}

/* The outcome is known to the other party (or never will be): the actor
 * gets its reply now. */
static void
release_reply (RtmServerInvitation *self)
{
  g_autoptr(JsonObject) reply = NULL;
  RtmServerReplySlot *slot = g_steal_pointer (&self->reply_slot);

  if (slot != NULL)
    {
      reply = rtm_frame_new_reply (self->reply_req);
      rtm_server_connection_complete_reply (self->actor, slot, reply);
    }
  finish (self);
}

static gboolean
on_ack_timeout (gpointer user_data)
{
  RtmServerInvitation *self = user_data;

  g_clear_pointer (&self->timer, g_source_unref);
  g_debug ("invitation %s: no ack within the ack timeout, replying anyway", self->id);
  release_reply (self);
  return G_SOURCE_REMOVE;
}

/* Failure codes of docs/protocol.md; NULL tells that side nothing. */
#define PEER_OFFLINE      "PEER_OFFLINE"
#define PEER_NO_RESPONSE  "PEER_NO_RESPONSE"
#define INVITATION_EXPIRE "INVITATION_EXPIRE"

static void
fail (RtmServerInvitation *self,
      const char          *to_caller,
      const char          *to_callee)
{
  RtmServerConnection *caller = self->caller;
  RtmServerConnection *callee = self->callee;

  g_assert (!is_final (self->state));

  self->state = RTM_SERVER_INVITATION_FAILED;
  stop_timer (self);
  clear_wait (self);
  /* A self-invitation gets both: its client tracks each side. */
  send_failed (self, caller, to_caller);
  send_failed (self, callee, to_callee);
  finish (self);
}

static gboolean
on_lifetime_over (gpointer user_data)
{
  RtmServerInvitation *self = user_data;

  g_clear_pointer (&self->timer, g_source_unref);
  g_debug ("invitation %s: expired", self->id);
  /* Unacknowledged, the caller learns the callee never saw it. */
  fail (self,
        self->state == RTM_SERVER_INVITATION_SENT ? PEER_NO_RESPONSE : INVITATION_EXPIRE,
        INVITATION_EXPIRE);
  return G_SOURCE_REMOVE;
}

static void
rtm_server_invitation_dispose (GObject *object)
{
  RtmServerInvitation *self = (RtmServerInvitation *) object;

  stop_timer (self);

  G_OBJECT_CLASS (rtm_server_invitation_parent_class)->dispose (object);
}

static void
rtm_server_invitation_finalize (GObject *object)
{
  RtmServerInvitation *self = (RtmServerInvitation *) object;

  g_free (self->id);
  g_free (self->caller_uid);
  g_free (self->callee_uid);
  g_free (self->content);
  g_free (self->channel);

  G_OBJECT_CLASS (rtm_server_invitation_parent_class)->finalize (object);
}

static void
rtm_server_invitation_class_init (RtmServerInvitationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rtm_server_invitation_dispose;
  object_class->finalize = rtm_server_invitation_finalize;
}

static void
rtm_server_invitation_init (RtmServerInvitation *self)
{
  self->id = rtm_invitation_id_new ();
}

RtmServerInvitation *
rtm_server_invitation_new (RtmServer           *server,
                           RtmServerConnection *caller,
                           const char          *callee_uid,
                           const char          *content,
                           const char          *channel)
{
  RtmServerInvitation *self;

  g_return_val_if_fail (server != NULL, NULL);
  g_return_val_if_fail (RTM_IS_SERVER_CONNECTION (caller), NULL);
  g_return_val_if_fail (rtm_id_is_valid (callee_uid), NULL);

  self = g_object_new (RTM_TYPE_SERVER_INVITATION, NULL);
  self->server = server;
  self->caller = caller;
  self->caller_uid = g_strdup (rtm_server_connection_get_uid (caller));
  self->callee_uid = g_strdup (callee_uid);
  self->content = g_strdup (content != NULL ? content : "");
  self->channel = g_strdup (channel);
  return self;
}

const char *
rtm_server_invitation_get_id (RtmServerInvitation *self)
{
  g_return_val_if_fail (RTM_IS_SERVER_INVITATION (self), NULL);

  return self->id;
}

RtmServerInvitationState
rtm_server_invitation_get_state (RtmServerInvitation *self)
{
  g_return_val_if_fail (RTM_IS_SERVER_INVITATION (self), RTM_SERVER_INVITATION_FAILED);

  return self->state;
}

gint64
rtm_server_invitation_get_ended_at (RtmServerInvitation *self)
{
  g_return_val_if_fail (RTM_IS_SERVER_INVITATION (self), 0);

  return self->ended_at;
}

void
rtm_server_invitation_start (RtmServerInvitation *self,
                             RtmServerConnection *callee,
                             gint64               req)
{
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) event = NULL;
  RtmServerConfig *config;

  g_return_if_fail (RTM_IS_SERVER_INVITATION (self));
  g_return_if_fail (callee == NULL || RTM_IS_SERVER_CONNECTION (callee));

  reply = rtm_frame_new_reply (req);
  json_object_set_string_member (reply, "invitation", self->id);
  if (callee == NULL)
    {
      rtm_server_connection_reply (self->caller, reply);
      fail (self, PEER_OFFLINE, NULL);
      return;
    }

  self->callee = callee;
  g_ptr_array_add (rtm_server_connection_get_invitations (self->caller), g_object_ref (self));
  if (callee != self->caller)
    g_ptr_array_add (rtm_server_connection_get_invitations (callee), g_object_ref (self));

  config = rtm_server_get_config (self->server);
  start_timer (self, config->invitation_lifetime, on_lifetime_over);

  event = new_event (self, RTM_FRAME_INVITATION_RECEIVED);
  json_object_set_string_member (event, "caller", self->caller_uid);
  json_object_set_string_member (event, "content", self->content);
  if (self->channel != NULL)
    json_object_set_string_member (event, "channel", self->channel);
  /* The callee's frame first: its round trip is what the caller waits
   * for. The caller's connection still gets the reply (the id) before
   * anything that names the invitation, except when it calls itself. */
  if (callee == self->caller)
    rtm_server_connection_reply (self->caller, reply);
  send_with_ack (self, callee, event, WAIT_RECEIVED);
  if (callee != self->caller)
    rtm_server_connection_reply (self->caller, reply);
}

void
rtm_server_invitation_answer (RtmServerInvitation *self,
                              RtmServerConnection *connection,
                              RtmFrameType         type,
                              gint64               req,
                              const char          *response)
{
  g_autoptr(JsonObject) event = NULL;
  RtmServerConnection *other;
  const char *uid;
  RtmFrameType event_type;
  RtmServerConfig *config;
  gboolean was_sent;

  g_return_if_fail (RTM_IS_SERVER_INVITATION (self));
  g_return_if_fail (RTM_IS_SERVER_CONNECTION (connection));

  uid = rtm_server_connection_get_uid (connection);
  if (type == RTM_FRAME_INVITATION_CANCEL ? g_strcmp0 (uid, self->caller_uid) != 0
                                          : g_strcmp0 (uid, self->callee_uid) != 0)
    {
      rtm_server_connection_reply_error (connection, req, RTM_WIRE_NOT_PERMITTED,
                                         type == RTM_FRAME_INVITATION_CANCEL
                                         ? "only the caller may cancel the invitation"
                                         : "only the callee may answer the invitation");
      return;
    }
  if (self->state == RTM_SERVER_INVITATION_ACCEPTED)
    {
      rtm_server_connection_reply_error (connection, req, RTM_WIRE_ALREADY_ACCEPT,
                                         "the invitation was accepted");
      return;
    }
  if (is_final (self->state))
    {
      rtm_server_connection_reply_error (connection, req, RTM_WIRE_ALREADY_END,
                                         "the invitation has ended");
      return;
    }

  /* Committed: this is the outcome, whatever arrives next. */
  was_sent = self->state == RTM_SERVER_INVITATION_SENT;
  stop_timer (self);
  clear_wait (self);

  switch (type)
    {
    case RTM_FRAME_INVITATION_ACCEPT:
      self->state = RTM_SERVER_INVITATION_ACCEPTED;
      event_type = RTM_FRAME_INVITATION_ACCEPTED;
      other = self->caller;
      break;
    case RTM_FRAME_INVITATION_REFUSE:
      self->state = RTM_SERVER_INVITATION_REFUSED;
      event_type = RTM_FRAME_INVITATION_REFUSED;
      other = self->caller;
      break;
    case RTM_FRAME_INVITATION_CANCEL:
      self->state = RTM_SERVER_INVITATION_CANCELED;
      event_type = RTM_FRAME_INVITATION_CANCELED;
      other = self->callee;
      break;
    default:
      g_return_if_reached ();
    }

  /* Answering before the ack of invitation_received still proves the
   * callee has it: the caller hears so before the outcome, as always. */
  if (was_sent && other == self->caller && other != NULL)
    {
      g_autoptr(JsonObject) received = new_event (self, RTM_FRAME_INVITATION_RECEIVED_BY_PEER);

      rtm_server_connection_send (other, received);
    }

  g_debug ("invitation %s: %s", self->id, rtm_frame_type_to_string (event_type));
  event = new_event (self, event_type);
  if (type != RTM_FRAME_INVITATION_CANCEL)
    json_object_set_string_member (event, "response", response != NULL ? response : "");

  self->actor = connection;
  self->reply_req = req;
  self->reply_slot = rtm_server_connection_defer_reply (connection);

  if (other == NULL || !rtm_server_connection_is_open (other))
    {
      release_reply (self);
      return;
    }
  send_with_ack (self, other, event, WAIT_OUTCOME);
  config = rtm_server_get_config (self->server);
  start_timer (self, config->ack_timeout, on_ack_timeout);
}

void
rtm_server_invitation_ack (RtmServerInvitation *self,
                           RtmServerConnection *connection,
                           guint                ack)
{
  g_autoptr(JsonObject) event = NULL;

  g_return_if_fail (RTM_IS_SERVER_INVITATION (self));

  if (ack != self->ack)
    return;

  switch (self->wait)
    {
    case WAIT_RECEIVED:
      if (connection != self->ack_from)
        return;
      clear_wait (self);
      if (self->state == RTM_SERVER_INVITATION_SENT)
        {
          self->state = RTM_SERVER_INVITATION_RINGING;
          event = new_event (self, RTM_FRAME_INVITATION_RECEIVED_BY_PEER);
          rtm_server_connection_send (self->caller, event);
        }
      break;

    case WAIT_OUTCOME:
      if (connection != self->ack_from)
        return;
      stop_timer (self);
      release_reply (self);
      break;

    case WAIT_NOTHING:
    default:
      break;
    }
}

void
rtm_server_invitation_party_gone (RtmServerInvitation *self,
                                  RtmServerConnection *connection)
{
  g_autoptr(RtmServerInvitation) hold = NULL;

  g_return_if_fail (RTM_IS_SERVER_INVITATION (self));

  hold = g_object_ref (self);
  if (!is_final (self->state))
    {
      /* Whoever is left hears PEER_OFFLINE; a self-invitation has no one. */
      if (connection == self->caller)
        self->caller = NULL;
      if (connection == self->callee)
        self->callee = NULL;
      forget_connection (self, connection);
      fail (self, PEER_OFFLINE, PEER_OFFLINE);
      return;
    }

  if (connection == self->caller)
    self->caller = NULL;
  if (connection == self->callee)
    self->callee = NULL;
  if (self->reply_slot != NULL)
    {
      /* Either the other party will never ack, or the actor is leaving:
       * the reply goes out now (a no-op on a closed connection). */
      stop_timer (self);
      release_reply (self);
    }
}

void
rtm_server_invitation_abandon (RtmServerInvitation *self)
{
  g_return_if_fail (RTM_IS_SERVER_INVITATION (self));

  stop_timer (self);
  self->ack = 0;
  self->wait = WAIT_NOTHING;
  self->caller = self->callee = self->actor = self->ack_from = NULL;
  self->reply_slot = NULL;
}
