/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "rtm"

#include "rtm-client-private.h"
#include "rtm-enum-types.h"

/**
 * RtmCallManager:
 *
 * Places and answers call invitations: the `RtmCallManager` of the seed
 * and of the Agora/anyRTC SDKs.
 *
 * Each [class@Rtm.Client] owns one ([method@Rtm.Client.get_call_manager]).
 * A caller creates a [class@Rtm.LocalInvitation] with
 * [method@Rtm.CallManager.create_local_invitation] and sends it; the callee
 * gets a [class@Rtm.RemoteInvitation] from
 * [signal@Rtm.CallManager::remote-invitation-received] and accepts or
 * refuses it. The server decides the outcome; both sides hear the same one.
 *
 * When a signal is emitted the invitation's state has already changed.
 * Each invitation gets exactly one final signal: accepted, refused,
 * canceled or failure. The party that did not act hears first (the
 * callee's received before the caller's received-by-peer, the callee's
 * canceled before the caller's, the caller's accepted before the callee's).
 *
 * Sending an invitation while not logged in fails the call with
 * %RTM_ERROR_NOT_LOGGED_IN *and* ends the invitation with
 * [signal@Rtm.CallManager::local-invitation-failure] and
 * %RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN, as the SDKs do. A logout, a
 * dropped connection or a kick ends every invitation in flight with
 * %RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN or
 * %RTM_REMOTE_INVITATION_ERROR_NOT_LOGGEDIN, unless the server already told
 * its outcome.
 */

typedef struct
{
  /* a cancel asked for while the invite is in flight, sent after its reply */
  GTask *cancel_task;
} SendState;

struct _RtmCallManager
{
  GObject     parent_instance;

  RtmClient  *client;   /* weak: the client owns us */
  /* Events for an invitation whose invite reply has not come yet: the
   * server answers requests in order, so a reply held behind an earlier
   * one can come after the new invitation's first events. */
  GQueue      early;    /* JsonObject */
  GHashTable *locals;   /* invitation id → RtmLocalInvitation, until final */
  GHashTable *sending;  /* RtmLocalInvitation → SendState, invite in flight */
  GHashTable *remotes;  /* invitation id → RtmRemoteInvitation, until final */
};

G_DEFINE_FINAL_TYPE (RtmCallManager, rtm_call_manager, G_TYPE_OBJECT)

enum {
  LOCAL_INVITATION_RECEIVED_BY_PEER,
  LOCAL_INVITATION_ACCEPTED,
  LOCAL_INVITATION_REFUSED,
  LOCAL_INVITATION_CANCELED,
  LOCAL_INVITATION_FAILURE,
  REMOTE_INVITATION_RECEIVED,
  REMOTE_INVITATION_ACCEPTED,
  REMOTE_INVITATION_REFUSED,
  REMOTE_INVITATION_CANCELED,
  REMOTE_INVITATION_FAILURE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
send_state_free (gpointer data)
{
  SendState *state = data;

  if (state->cancel_task != NULL)
    g_task_return_new_error (g_steal_pointer (&state->cancel_task), RTM_ERROR, RTM_ERROR_ALREADY_END,
                             "the invitation has ended");
  g_free (state);
}

static void
fail_local (RtmCallManager          *self,
            RtmLocalInvitation      *invitation,
            RtmLocalInvitationError  code)
{
  G_GNUC_UNUSED g_autoptr(RtmLocalInvitation) hold = g_object_ref (invitation);

  if (rtm_local_invitation_is_final (invitation))
    return;

  if (rtm_local_invitation_get_invitation_id (invitation) != NULL)
    g_hash_table_remove (self->locals, rtm_local_invitation_get_invitation_id (invitation));
  rtm_local_invitation_lock (invitation);
  rtm_local_invitation_set_failure_code (invitation, code);
  if (rtm_local_invitation_set_state (invitation, RTM_LOCAL_INVITATION_STATE_FAILURE))
    g_signal_emit (self, signals[LOCAL_INVITATION_FAILURE], 0, invitation, code);
}

static void
fail_remote (RtmCallManager           *self,
             RtmRemoteInvitation      *invitation,
             RtmRemoteInvitationError  code)
{
  G_GNUC_UNUSED g_autoptr(RtmRemoteInvitation) hold = g_object_ref (invitation);

  if (rtm_remote_invitation_is_final (invitation))
    return;

  g_hash_table_remove (self->remotes, rtm_remote_invitation_get_invitation_id (invitation));
  rtm_remote_invitation_lock (invitation);
  rtm_remote_invitation_set_failure_code (invitation, code);
  if (rtm_remote_invitation_set_state (invitation, RTM_REMOTE_INVITATION_STATE_FAILURE))
    g_signal_emit (self, signals[REMOTE_INVITATION_FAILURE], 0, invitation, code);
}

static RtmLocalInvitationError
local_failure_from_wire (const char *code)
{
  if (g_strcmp0 (code, "PEER_OFFLINE") == 0)
    return RTM_LOCAL_INVITATION_ERROR_PEER_OFFLINE;
  if (g_strcmp0 (code, "INVITATION_EXPIRE") == 0)
    return RTM_LOCAL_INVITATION_ERROR_INVITATION_EXPIRE;
  /* PEER_NO_RESPONSE, and anything a later server may add */
  return RTM_LOCAL_INVITATION_ERROR_PEER_NO_RESPONSE;
}

static RtmRemoteInvitationError
remote_failure_from_wire (const char *code)
{
  if (g_strcmp0 (code, "PEER_OFFLINE") == 0)
    return RTM_REMOTE_INVITATION_ERROR_PEER_OFFLINE;
  if (g_strcmp0 (code, "INVITATION_EXPIRE") == 0)
    return RTM_REMOTE_INVITATION_ERROR_INVITATION_EXPIRE;
  return RTM_REMOTE_INVITATION_ERROR_ACCEPT_FAILURE;
}

static void
handle_received (RtmCallManager *self,
                 const char     *id,
                 JsonObject     *frame)
{
  g_autoptr(RtmRemoteInvitation) invitation = NULL;
  g_autoptr(GError) error = NULL;
  const char *caller;
  const char *content;
  const char *channel;

  caller = rtm_frame_get_id (frame, "caller", TRUE, &error);
  if (caller == NULL)
    {
      g_debug ("ignoring invitation_received: %s", error->message);
      return;
    }
  content = rtm_frame_get_string (frame, "content", FALSE, RTM_MAX_CONTENT_LENGTH, NULL);
  channel = rtm_frame_get_id (frame, "channel", FALSE, NULL);

  if (g_hash_table_contains (self->remotes, id))
    return;

  invitation = rtm_remote_invitation_new (id, caller, content, channel);
  /* Compared, never dereferenced: only this manager may answer it. */
  g_object_set_data (G_OBJECT (invitation), "rtm-call-manager", self);
  g_hash_table_insert (self->remotes, g_strdup (id), g_object_ref (invitation));
  g_signal_emit (self, signals[REMOTE_INVITATION_RECEIVED], 0, invitation);
}

static gint64
frame_ack (JsonObject *frame)
{
  gint64 ack = 0;

  if (!rtm_frame_get_int (frame, "ack", FALSE, 0, &ack, NULL))
    return 0;
  return ack;
}

/* Acks and drops early events no invite in flight can claim. */
static void
drop_early_events (RtmCallManager *self)
{
  JsonObject *frame;

  if (g_hash_table_size (self->sending) > 0)
    return;
  while ((frame = g_queue_pop_head (&self->early)) != NULL)
    {
      if (self->client != NULL)
        rtm_client_send_ack (self->client, frame_ack (frame));
      json_object_unref (frame);
    }
}

static void handle_event (RtmCallManager *self,
                          RtmFrameType    type,
                          const char     *id,
                          JsonObject     *frame);

/* The invite reply named @id: deliver its early events, in order. */
static void
replay_early_events (RtmCallManager *self,
                     const char     *id)
{
  GList *link = self->early.head;

  while (link != NULL)
    {
      GList *next = link->next;
      JsonObject *frame = link->data;

      if (g_strcmp0 (rtm_frame_get_string (frame, "invitation", FALSE, 0, NULL), id) == 0)
        {
          g_queue_delete_link (&self->early, link);
          handle_event (self, rtm_frame_type_from_string (json_object_get_string_member (frame, "type")),
                        id, frame);
          if (self->client != NULL)
            rtm_client_send_ack (self->client, frame_ack (frame));
          json_object_unref (frame);
        }
      link = next;
    }
}

gboolean
rtm_call_manager_handle_event (RtmCallManager *self,
                               RtmFrameType    type,
                               JsonObject     *frame)
{
  const char *id;

  g_assert (RTM_IS_CALL_MANAGER (self));

  id = rtm_frame_get_string (frame, "invitation", TRUE, 0, NULL);
  if (id == NULL || !rtm_invitation_id_is_valid (id))
    {
      g_debug ("ignoring a %s frame without a valid invitation id", rtm_frame_type_to_string (type));
      return TRUE;
    }

  if (type != RTM_FRAME_INVITATION_RECEIVED &&
      !g_hash_table_contains (self->locals, id) &&
      !g_hash_table_contains (self->remotes, id) &&
      g_hash_table_size (self->sending) > 0)
    {
      g_queue_push_tail (&self->early, json_object_ref (frame));
      return FALSE;
    }

  handle_event (self, type, id, frame);
  return TRUE;
}

static void
handle_event (RtmCallManager *self,
              RtmFrameType    type,
              const char     *id,
              JsonObject     *frame)
{
  g_autoptr(RtmLocalInvitation) local = NULL;
  g_autoptr(RtmRemoteInvitation) remote = NULL;

  if (type == RTM_FRAME_INVITATION_RECEIVED)
    {
      handle_received (self, id, frame);
      return;
    }

  local = g_hash_table_lookup (self->locals, id);
  if (local != NULL)
    g_object_ref (local);
  remote = g_hash_table_lookup (self->remotes, id);
  if (remote != NULL)
    g_object_ref (remote);

  switch (type)
    {
    case RTM_FRAME_INVITATION_RECEIVED_BY_PEER:
      if (local != NULL &&
          rtm_local_invitation_set_state (local, RTM_LOCAL_INVITATION_STATE_RECEIVED_BY_REMOTE))
        g_signal_emit (self, signals[LOCAL_INVITATION_RECEIVED_BY_PEER], 0, local);
      break;

    case RTM_FRAME_INVITATION_ACCEPTED:
    case RTM_FRAME_INVITATION_REFUSED:
      if (local != NULL)
        {
          gboolean accepted = type == RTM_FRAME_INVITATION_ACCEPTED;
          const char *response = rtm_frame_get_string (frame, "response", FALSE,
                                                       RTM_MAX_CONTENT_LENGTH, NULL);

          g_hash_table_remove (self->locals, id);
          rtm_local_invitation_set_remote_response (local, response);
          if (rtm_local_invitation_set_state (local, accepted ? RTM_LOCAL_INVITATION_STATE_ACCEPTED_BY_REMOTE
                                                              : RTM_LOCAL_INVITATION_STATE_REFUSED_BY_REMOTE))
            g_signal_emit (self, signals[accepted ? LOCAL_INVITATION_ACCEPTED : LOCAL_INVITATION_REFUSED], 0,
                           local, rtm_local_invitation_get_response (local));
        }
      break;

    case RTM_FRAME_INVITATION_CANCELED:
      if (remote != NULL)
        {
          g_hash_table_remove (self->remotes, id);
          rtm_remote_invitation_lock (remote);
          if (rtm_remote_invitation_set_state (remote, RTM_REMOTE_INVITATION_STATE_CANCELED))
            g_signal_emit (self, signals[REMOTE_INVITATION_CANCELED], 0, remote);
        }
      break;

    case RTM_FRAME_INVITATION_FAILED:
      {
        const char *code = rtm_frame_get_string (frame, "code", FALSE, 0, NULL);

        /* Calling oneself puts the id in both tables; the server then
         * sends two failures, one for each side. */
        if (local != NULL)
          fail_local (self, local, local_failure_from_wire (code));
        else if (remote != NULL)
          fail_remote (self, remote, remote_failure_from_wire (code));
      }
      break;

    default:
      break;
    }
}

void
rtm_call_manager_end_all (RtmCallManager *self)
{
  g_autoptr(GPtrArray) locals = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) remotes = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key, value;

  g_assert (RTM_IS_CALL_MANAGER (self));

  /* The connection they came on is gone, and their acks with it. */
  g_queue_clear_full (&self->early, (GDestroyNotify) json_object_unref);

  g_hash_table_iter_init (&iter, self->locals);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (locals, g_object_ref (value));
  /* Invites in flight keep their entry: the failing reply cleans it up. */
  g_hash_table_iter_init (&iter, self->sending);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (locals, g_object_ref (key));
  g_hash_table_iter_init (&iter, self->remotes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (remotes, g_object_ref (value));

  for (guint i = 0; i < locals->len; i++)
    fail_local (self, g_ptr_array_index (locals, i), RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN);
  for (guint i = 0; i < remotes->len; i++)
    fail_remote (self, g_ptr_array_index (remotes, i), RTM_REMOTE_INVITATION_ERROR_NOT_LOGGEDIN);
}

static void
rtm_call_manager_dispose (GObject *object)
{
  RtmCallManager *self = RTM_CALL_MANAGER (object);

  g_clear_weak_pointer (&self->client);
  g_queue_clear_full (&self->early, (GDestroyNotify) json_object_unref);
  g_hash_table_remove_all (self->locals);
  g_hash_table_remove_all (self->remotes);

  G_OBJECT_CLASS (rtm_call_manager_parent_class)->dispose (object);
}

static void
rtm_call_manager_finalize (GObject *object)
{
  RtmCallManager *self = RTM_CALL_MANAGER (object);

  g_clear_pointer (&self->locals, g_hash_table_unref);
  g_clear_pointer (&self->sending, g_hash_table_unref);
  g_clear_pointer (&self->remotes, g_hash_table_unref);

  G_OBJECT_CLASS (rtm_call_manager_parent_class)->finalize (object);
}

static void
rtm_call_manager_class_init (RtmCallManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rtm_call_manager_dispose;
  object_class->finalize = rtm_call_manager_finalize;

  /**
   * RtmCallManager::local-invitation-received-by-peer:
   * @self: the call manager
   * @invitation: the caller's invitation
   *
   * The callee's client has the invitation and rings: the state is
   * %RTM_LOCAL_INVITATION_STATE_RECEIVED_BY_REMOTE.
   */
  signals[LOCAL_INVITATION_RECEIVED_BY_PEER] =
    g_signal_new ("local-invitation-received-by-peer",
                  G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, RTM_TYPE_LOCAL_INVITATION);

  /**
   * RtmCallManager::local-invitation-accepted:
   * @self: the call manager
   * @invitation: the caller's invitation
   * @response: (nullable): the callee's response
   *
   * The callee accepted. Final.
   */
  signals[LOCAL_INVITATION_ACCEPTED] =
    g_signal_new ("local-invitation-accepted",
                  G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, RTM_TYPE_LOCAL_INVITATION, G_TYPE_STRING);

  /**
   * RtmCallManager::local-invitation-refused:
   * @self: the call manager
   * @invitation: the caller's invitation
   * @response: (nullable): the callee's response
   *
   * The callee refused. Final.
   */
  signals[LOCAL_INVITATION_REFUSED] =
    g_signal_new ("local-invitation-refused",
                  G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, RTM_TYPE_LOCAL_INVITATION, G_TYPE_STRING);

  /**
   * RtmCallManager::local-invitation-canceled:
   * @self: the call manager
   * @invitation: the caller's invitation
   *
   * This caller canceled the invitation; the callee has heard. Final.
   */
  signals[LOCAL_INVITATION_CANCELED] =
    g_signal_new ("local-invitation-canceled",
                  G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, RTM_TYPE_LOCAL_INVITATION);

  /**
   * RtmCallManager::local-invitation-failure:
   * @self: the call manager
   * @invitation: the caller's invitation
   * @code: why it failed
   *
   * The invitation failed. Final.
   */
  signals[LOCAL_INVITATION_FAILURE] =
    g_signal_new ("local-invitation-failure",
                  G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, RTM_TYPE_LOCAL_INVITATION, RTM_TYPE_LOCAL_INVITATION_ERROR);

  /**
   * RtmCallManager::remote-invitation-received:
   * @self: the call manager
   * @invitation: the callee's invitation
   *
   * Someone calls this user: ring. Keep a reference to @invitation to
   * answer it. The caller hears received-by-peer once every handler
   * has returned.
   */
  signals[REMOTE_INVITATION_RECEIVED] =
    g_signal_new ("remote-invitation-received",
                  G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, RTM_TYPE_REMOTE_INVITATION);

  /**
   * RtmCallManager::remote-invitation-accepted:
   * @self: the call manager
   * @invitation: the callee's invitation
   *
   * The server confirmed this callee's acceptance; the caller has heard.
   * Final.
   */
  signals[REMOTE_INVITATION_ACCEPTED] =
    g_signal_new ("remote-invitation-accepted",
                  G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, RTM_TYPE_REMOTE_INVITATION);

  /**
   * RtmCallManager::remote-invitation-refused:
   * @self: the call manager
   * @invitation: the callee's invitation
   *
   * The server confirmed this callee's refusal; the caller has heard.
   * Final.
   */
  signals[REMOTE_INVITATION_REFUSED] =
    g_signal_new ("remote-invitation-refused",
                  G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, RTM_TYPE_REMOTE_INVITATION);

  /**
   * RtmCallManager::remote-invitation-canceled:
   * @self: the call manager
   * @invitation: the callee's invitation
   *
   * The caller canceled. Final.
   */
  signals[REMOTE_INVITATION_CANCELED] =
    g_signal_new ("remote-invitation-canceled",
                  G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, RTM_TYPE_REMOTE_INVITATION);

  /**
   * RtmCallManager::remote-invitation-failure:
   * @self: the call manager
   * @invitation: the callee's invitation
   * @code: why it failed
   *
   * The invitation failed. Final.
   */
  signals[REMOTE_INVITATION_FAILURE] =
    g_signal_new ("remote-invitation-failure",
                  G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, RTM_TYPE_REMOTE_INVITATION, RTM_TYPE_REMOTE_INVITATION_ERROR);
}

static void
rtm_call_manager_init (RtmCallManager *self)
{
  self->locals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->sending = g_hash_table_new_full (NULL, NULL, g_object_unref, send_state_free);
  self->remotes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

RtmCallManager *
rtm_call_manager_new (RtmClient *client)
{
  RtmCallManager *self = g_object_new (RTM_TYPE_CALL_MANAGER, NULL);

  g_set_weak_pointer (&self->client, client);
  return self;
}

/**
 * rtm_call_manager_create_local_invitation:
 * @self: a #RtmCallManager
 * @callee_id: the user id to call
 *
 * Creates an invitation to @callee_id in state
 * %RTM_LOCAL_INVITATION_STATE_IDLE. An invalid @callee_id is reported by
 * [method@Rtm.CallManager.send_local_invitation_async] as
 * %RTM_ERROR_INVALID_ARGUMENT.
 *
 * Returns: (transfer full): a new #RtmLocalInvitation
 */
RtmLocalInvitation *
rtm_call_manager_create_local_invitation (RtmCallManager *self,
                                          const char     *callee_id)
{
  g_return_val_if_fail (RTM_IS_CALL_MANAGER (self), NULL);

  return rtm_local_invitation_new (callee_id);
}

static gboolean
on_send_not_logged_in (gpointer user_data)
{
  GTask *task = user_data;
  RtmCallManager *self = g_task_get_source_object (task);

  fail_local (self, g_task_get_task_data (task), RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN);
  g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN, "not logged in");
  return G_SOURCE_REMOVE;
}

static void
send_cancel (RtmCallManager *self,
             GTask          *task);

static void
on_invite_reply (JsonObject *reply_in,
                 GError     *error_in,
                 gpointer    user_data)
{
  g_autoptr(GTask) task = user_data;
  RtmCallManager *self = g_task_get_source_object (task);
  RtmLocalInvitation *invitation = g_task_get_task_data (task);
  g_autoptr(JsonObject) reply = reply_in;
  g_autoptr(GTask) cancel_task = NULL;
  g_autoptr(GError) error = error_in;
  const char *id = NULL;
  SendState *state;

  state = g_hash_table_lookup (self->sending, invitation);
  if (state != NULL)
    cancel_task = g_steal_pointer (&state->cancel_task);
  g_hash_table_remove (self->sending, invitation);

  if (reply != NULL)
    {
      id = rtm_frame_get_string (reply, "invitation", TRUE, 0, NULL);
      if (id == NULL || !rtm_invitation_id_is_valid (id))
        error = g_error_new_literal (RTM_ERROR, RTM_ERROR_PROTOCOL,
                                     "the invite reply has no valid invitation id");
    }

  if (error != NULL)
    {
      drop_early_events (self);
      fail_local (self, invitation,
                  g_error_matches (error, RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN) ||
                  g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                    ? RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN
                    : RTM_LOCAL_INVITATION_ERROR_PEER_NO_RESPONSE);
      if (cancel_task != NULL)
        g_task_return_new_error (cancel_task, RTM_ERROR, RTM_ERROR_ALREADY_END, "the invitation has ended");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!rtm_local_invitation_is_final (invitation))
    {
      rtm_local_invitation_set_invitation_id (invitation, id);
      g_hash_table_insert (self->locals, g_strdup (id), g_object_ref (invitation));
      rtm_local_invitation_set_state (invitation, RTM_LOCAL_INVITATION_STATE_SENT_TO_REMOTE);
    }
  replay_early_events (self, id);
  drop_early_events (self);
  g_task_return_boolean (task, TRUE);

  if (cancel_task != NULL)
    send_cancel (self, g_steal_pointer (&cancel_task));
}

/**
 * rtm_call_manager_send_local_invitation_async:
 * @self: a #RtmCallManager
 * @invitation: an invitation from
 *   [method@Rtm.CallManager.create_local_invitation], not sent before
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the server took the invitation
 * @user_data: data for @callback
 *
 * Sends @invitation. On success its state is
 * %RTM_LOCAL_INVITATION_STATE_SENT_TO_REMOTE and
 * [property@Rtm.LocalInvitation:invitation-id] is set; the outcome comes
 * by the call manager's signals.
 *
 * Fails with %RTM_ERROR_ALREADY_SENT for an invitation sent before,
 * %RTM_ERROR_INVALID_ARGUMENT for an invalid callee id, and
 * %RTM_ERROR_NOT_LOGGED_IN when not logged in (the invitation then also
 * ends with [signal@Rtm.CallManager::local-invitation-failure],
 * %RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN). When the server refuses or
 * does not answer the invite (%RTM_ERROR_TIMEOUT, %RTM_ERROR_TOO_OFTEN, …)
 * the invitation ends with %RTM_LOCAL_INVITATION_ERROR_PEER_NO_RESPONSE:
 * an invitation handed to this call always gets its one final signal.
 */
void
rtm_call_manager_send_local_invitation_async (RtmCallManager      *self,
                                              RtmLocalInvitation  *invitation,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) frame = NULL;
  const char *callee;

  g_return_if_fail (RTM_IS_CALL_MANAGER (self));
  g_return_if_fail (RTM_IS_LOCAL_INVITATION (invitation));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rtm_call_manager_send_local_invitation_async);
  g_task_set_task_data (task, g_object_ref (invitation), g_object_unref);
  /* The invitation's fate does not depend on the caller still waiting. */
  g_task_set_check_cancellable (task, FALSE);

  if (rtm_local_invitation_get_state (invitation) != RTM_LOCAL_INVITATION_STATE_IDLE ||
      rtm_local_invitation_is_locked (invitation))
    {
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_ALREADY_SENT,
                               "the invitation was sent already");
      return;
    }

  callee = rtm_local_invitation_get_callee_id (invitation);
  if (!rtm_id_is_valid (callee))
    {
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_INVALID_ARGUMENT,
                               "\"%s\" is not a valid callee id", callee ? callee : "(null)");
      return;
    }

  rtm_local_invitation_lock (invitation);
  /* Compared, never dereferenced: only this manager may cancel it. */
  g_object_set_data (G_OBJECT (invitation), "rtm-call-manager", self);

  if (self->client == NULL || !rtm_client_is_logged_in (self->client))
    {
      GSource *idle = g_idle_source_new ();

      g_source_set_callback (idle, on_send_not_logged_in, g_steal_pointer (&task), g_object_unref);
      g_source_attach (idle, g_main_context_get_thread_default ());
      g_source_unref (idle);
      return;
    }

  frame = rtm_frame_new (RTM_FRAME_INVITE);
  json_object_set_string_member (frame, "callee", callee);
  if (rtm_local_invitation_get_content (invitation) != NULL)
    json_object_set_string_member (frame, "content", rtm_local_invitation_get_content (invitation));
  if (rtm_local_invitation_get_channel_id (invitation) != NULL)
    json_object_set_string_member (frame, "channel", rtm_local_invitation_get_channel_id (invitation));

  g_hash_table_insert (self->sending, g_object_ref (invitation), g_new0 (SendState, 1));
  rtm_client_request (self->client, frame, on_invite_reply, g_steal_pointer (&task));
}

/**
 * rtm_call_manager_send_local_invitation_finish:
 * @self: a #RtmCallManager
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Rtm.CallManager.send_local_invitation_async].
 *
 * Returns: whether the server took the invitation
 */
gboolean
rtm_call_manager_send_local_invitation_finish (RtmCallManager  *self,
                                               GAsyncResult    *result,
                                               GError         **error)
{
  g_return_val_if_fail (RTM_IS_CALL_MANAGER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_cancel_reply (JsonObject *reply_in,
                 GError     *error_in,
                 gpointer    user_data)
{
  g_autoptr(GTask) task = user_data;
  RtmCallManager *self = g_task_get_source_object (task);
  RtmLocalInvitation *invitation = g_task_get_task_data (task);
  g_autoptr(JsonObject) reply = reply_in;
  g_autoptr(GError) error = error_in;

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (rtm_local_invitation_get_invitation_id (invitation) != NULL)
    g_hash_table_remove (self->locals, rtm_local_invitation_get_invitation_id (invitation));
  if (rtm_local_invitation_set_state (invitation, RTM_LOCAL_INVITATION_STATE_CANCELED))
    g_signal_emit (self, signals[LOCAL_INVITATION_CANCELED], 0, invitation);
  g_task_return_boolean (task, TRUE);
}

static void
send_cancel (RtmCallManager *self,
             GTask          *task)
{
  RtmLocalInvitation *invitation = g_task_get_task_data (task);
  g_autoptr(JsonObject) frame = NULL;

  if (self->client == NULL)
    {
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN, "the client is gone");
      g_object_unref (task);
      return;
    }

  frame = rtm_frame_new (RTM_FRAME_INVITATION_CANCEL);
  json_object_set_string_member (frame, "invitation", rtm_local_invitation_get_invitation_id (invitation));
  rtm_client_request (self->client, frame, on_cancel_reply, task);
}

/**
 * rtm_call_manager_cancel_local_invitation_async:
 * @self: a #RtmCallManager
 * @invitation: a sent invitation
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the invitation is canceled or
 *   the cancel failed
 * @user_data: data for @callback
 *
 * Cancels @invitation. The callee hears
 * [signal@Rtm.CallManager::remote-invitation-canceled] first, then this
 * side gets [signal@Rtm.CallManager::local-invitation-canceled] and the
 * callback. A cancel while the invitation is still being sent waits for
 * the server's id.
 *
 * Fails with %RTM_ERROR_NOT_STARTED before the invitation was sent,
 * %RTM_ERROR_ALREADY_ACCEPT when the callee accepted first,
 * %RTM_ERROR_ALREADY_END when it ended otherwise, and
 * %RTM_ERROR_INVALID_ARGUMENT for an invitation another client sent.
 */
void
rtm_call_manager_cancel_local_invitation_async (RtmCallManager      *self,
                                                RtmLocalInvitation  *invitation,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SendState *sending;

  g_return_if_fail (RTM_IS_CALL_MANAGER (self));
  g_return_if_fail (RTM_IS_LOCAL_INVITATION (invitation));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rtm_call_manager_cancel_local_invitation_async);
  g_task_set_task_data (task, g_object_ref (invitation), g_object_unref);
  g_task_set_check_cancellable (task, FALSE);

  if (rtm_local_invitation_is_locked (invitation) &&
      g_object_get_data (G_OBJECT (invitation), "rtm-call-manager") != self)
    {
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_INVALID_ARGUMENT,
                               "the invitation was sent by another client");
      return;
    }

  switch (rtm_local_invitation_get_state (invitation))
    {
    case RTM_LOCAL_INVITATION_STATE_IDLE:
      sending = g_hash_table_lookup (self->sending, invitation);
      if (sending != NULL && sending->cancel_task == NULL)
        {
          sending->cancel_task = g_steal_pointer (&task);
          return;
        }
      if (sending != NULL || rtm_local_invitation_is_locked (invitation))
        g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_ALREADY_END, "the invitation has ended");
      else
        g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_NOT_STARTED, "the invitation was not sent");
      return;

    case RTM_LOCAL_INVITATION_STATE_ACCEPTED_BY_REMOTE:
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_ALREADY_ACCEPT, "the invitation was accepted");
      return;

    case RTM_LOCAL_INVITATION_STATE_REFUSED_BY_REMOTE:
    case RTM_LOCAL_INVITATION_STATE_CANCELED:
    case RTM_LOCAL_INVITATION_STATE_FAILURE:
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_ALREADY_END, "the invitation has ended");
      return;

    case RTM_LOCAL_INVITATION_STATE_SENT_TO_REMOTE:
    case RTM_LOCAL_INVITATION_STATE_RECEIVED_BY_REMOTE:
    default:
      break;
    }

  send_cancel (self, g_steal_pointer (&task));
}

/**
 * rtm_call_manager_cancel_local_invitation_finish:
 * @self: a #RtmCallManager
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Rtm.CallManager.cancel_local_invitation_async].
 *
 * Returns: whether the invitation was canceled
 */
gboolean
rtm_call_manager_cancel_local_invitation_finish (RtmCallManager  *self,
                                                 GAsyncResult    *result,
                                                 GError         **error)
{
  g_return_val_if_fail (RTM_IS_CALL_MANAGER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_answer_reply (JsonObject *reply_in,
                 GError     *error_in,
                 gpointer    user_data)
{
  g_autoptr(GTask) task = user_data;
  RtmCallManager *self = g_task_get_source_object (task);
  RtmRemoteInvitation *invitation = g_task_get_task_data (task);
  gboolean accept = g_task_get_source_tag (task) == rtm_call_manager_accept_remote_invitation_async;
  g_autoptr(JsonObject) reply = reply_in;
  g_autoptr(GError) error = error_in;

  if (reply == NULL)
    {
      /* A session that ended under the accept is not an accept failure. */
      if (accept)
        fail_remote (self, invitation,
                     g_error_matches (error, RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN) ||
                     g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                       ? RTM_REMOTE_INVITATION_ERROR_NOT_LOGGEDIN
                       : RTM_REMOTE_INVITATION_ERROR_ACCEPT_FAILURE);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_hash_table_remove (self->remotes, rtm_remote_invitation_get_invitation_id (invitation));
  if (rtm_remote_invitation_set_state (invitation, accept ? RTM_REMOTE_INVITATION_STATE_ACCEPTED
                                                          : RTM_REMOTE_INVITATION_STATE_REFUSED))
    g_signal_emit (self, signals[accept ? REMOTE_INVITATION_ACCEPTED : REMOTE_INVITATION_REFUSED], 0,
                   invitation);
  g_task_return_boolean (task, TRUE);
}

static void
answer (RtmCallManager      *self,
        RtmRemoteInvitation *invitation,
        gboolean             accept,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) frame = NULL;
  const char *response;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, accept ? (gpointer) rtm_call_manager_accept_remote_invitation_async
                                      : (gpointer) rtm_call_manager_refuse_remote_invitation_async);
  g_task_set_task_data (task, g_object_ref (invitation), g_object_unref);
  g_task_set_check_cancellable (task, FALSE);

  if (g_object_get_data (G_OBJECT (invitation), "rtm-call-manager") != self)
    {
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_INVALID_ARGUMENT,
                               "the invitation was received by another client");
      return;
    }

  switch (rtm_remote_invitation_get_state (invitation))
    {
    case RTM_REMOTE_INVITATION_STATE_IDLE:
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_NOT_STARTED, "the invitation was not received");
      return;
    case RTM_REMOTE_INVITATION_STATE_ACCEPT_SENT_TO_LOCAL:
    case RTM_REMOTE_INVITATION_STATE_ACCEPTED:
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_ALREADY_ACCEPT, "the invitation was accepted");
      return;
    case RTM_REMOTE_INVITATION_STATE_REFUSED:
    case RTM_REMOTE_INVITATION_STATE_CANCELED:
    case RTM_REMOTE_INVITATION_STATE_FAILURE:
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_ALREADY_END, "the invitation has ended");
      return;
    case RTM_REMOTE_INVITATION_STATE_INVITATION_RECEIVED:
    default:
      break;
    }

  /* A refusal is in flight. */
  if (rtm_remote_invitation_is_locked (invitation))
    {
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_ALREADY_END, "the invitation is being refused");
      return;
    }
  if (self->client == NULL || !rtm_client_is_logged_in (self->client))
    {
      g_task_return_new_error (task, RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN, "not logged in");
      return;
    }

  rtm_remote_invitation_lock (invitation);
  if (accept)
    rtm_remote_invitation_set_state (invitation, RTM_REMOTE_INVITATION_STATE_ACCEPT_SENT_TO_LOCAL);

  frame = rtm_frame_new (accept ? RTM_FRAME_INVITATION_ACCEPT : RTM_FRAME_INVITATION_REFUSE);
  json_object_set_string_member (frame, "invitation", rtm_remote_invitation_get_invitation_id (invitation));
  response = rtm_remote_invitation_get_response (invitation);
  if (response != NULL)
    json_object_set_string_member (frame, "response", response);
  rtm_client_request (self->client, frame, on_answer_reply, g_steal_pointer (&task));
}

/**
 * rtm_call_manager_accept_remote_invitation_async:
 * @self: a #RtmCallManager
 * @invitation: a received invitation
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the acceptance is confirmed or
 *   failed
 * @user_data: data for @callback
 *
 * Accepts @invitation with its [property@Rtm.RemoteInvitation:response].
 * The state is %RTM_REMOTE_INVITATION_STATE_ACCEPT_SENT_TO_LOCAL at once
 * and %RTM_REMOTE_INVITATION_STATE_ACCEPTED when the server confirms
 * (after the caller heard). If the server cannot confirm (a timeout), the
 * invitation fails with %RTM_REMOTE_INVITATION_ERROR_ACCEPT_FAILURE.
 *
 * Fails with %RTM_ERROR_ALREADY_ACCEPT when accepted before,
 * %RTM_ERROR_ALREADY_END when it ended (for example the caller canceled
 * first), and %RTM_ERROR_INVALID_ARGUMENT for an invitation another
 * client received.
 */
void
rtm_call_manager_accept_remote_invitation_async (RtmCallManager      *self,
                                                 RtmRemoteInvitation *invitation,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data)
{
  g_return_if_fail (RTM_IS_CALL_MANAGER (self));
  g_return_if_fail (RTM_IS_REMOTE_INVITATION (invitation));

  answer (self, invitation, TRUE, cancellable, callback, user_data);
}

/**
 * rtm_call_manager_accept_remote_invitation_finish:
 * @self: a #RtmCallManager
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Rtm.CallManager.accept_remote_invitation_async].
 *
 * Returns: whether the acceptance was confirmed
 */
gboolean
rtm_call_manager_accept_remote_invitation_finish (RtmCallManager  *self,
                                                  GAsyncResult    *result,
                                                  GError         **error)
{
  g_return_val_if_fail (RTM_IS_CALL_MANAGER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * rtm_call_manager_refuse_remote_invitation_async:
 * @self: a #RtmCallManager
 * @invitation: a received invitation
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the refusal is confirmed or failed
 * @user_data: data for @callback
 *
 * Refuses @invitation with its [property@Rtm.RemoteInvitation:response].
 * The state becomes %RTM_REMOTE_INVITATION_STATE_REFUSED when the server
 * confirms (after the caller heard).
 *
 * Fails with %RTM_ERROR_ALREADY_ACCEPT when accepted before,
 * %RTM_ERROR_ALREADY_END when it ended, and %RTM_ERROR_INVALID_ARGUMENT
 * for an invitation another client received.
 */
void
rtm_call_manager_refuse_remote_invitation_async (RtmCallManager      *self,
                                                 RtmRemoteInvitation *invitation,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data)
{
  g_return_if_fail (RTM_IS_CALL_MANAGER (self));
  g_return_if_fail (RTM_IS_REMOTE_INVITATION (invitation));

  answer (self, invitation, FALSE, cancellable, callback, user_data);
}

/**
 * rtm_call_manager_refuse_remote_invitation_finish:
 * @self: a #RtmCallManager
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Rtm.CallManager.refuse_remote_invitation_async].
 *
 * Returns: whether the refusal was confirmed
 */
gboolean
rtm_call_manager_refuse_remote_invitation_finish (RtmCallManager  *self,
                                                  GAsyncResult    *result,
                                                  GError         **error)
{
  g_return_val_if_fail (RTM_IS_CALL_MANAGER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
