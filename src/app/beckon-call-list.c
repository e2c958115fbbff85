/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-call-list"

#include "config.h"

#include <glib/gi18n.h>

#include "beckon-call-list.h"
#include "beckon-strings.h"

struct _BeckonCallList
{
  GObject             parent_instance;

  /* owned */
  RtmClient          *client;
  BeckonHistory      *history;
  GPtrArray          *calls;    /* BeckonCall, oldest first */
  GSimpleActionGroup *actions;
  char               *source_description;
  char               *sink_description;
  GstDevice          *source_device;
  GstDevice          *sink_device;

  gboolean            refuse_when_busy;
  gboolean            echo_cancel;
};

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_HISTORY,
  PROP_REFUSE_WHEN_BUSY,
  N_PROPS
};

enum {
  CALL_ADDED,
  CALL_REMOVED,
  FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BeckonCallList, beckon_call_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
set_action_enabled (BeckonCallList *self,
                    const char     *name,
                    gboolean        enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
update_actions (BeckonCallList *self)
{
  BeckonCall *live = beckon_call_list_get_live_call (self);
  gboolean connected = self->client != NULL &&
    rtm_client_get_connection_state (self->client) == RTM_CONNECTION_STATE_CONNECTED;
  GAction *mute;

  set_action_enabled (self, "dial", connected);
  set_action_enabled (self, "call-back", connected);
  set_action_enabled (self, "accept", beckon_call_list_get_incoming_call (self) != NULL);
  set_action_enabled (self, "decline", beckon_call_list_get_incoming_call (self) != NULL);
  set_action_enabled (self, "cancel", beckon_call_list_get_outgoing_call (self) != NULL);
  set_action_enabled (self, "hangup", self->calls->len > 0);
  set_action_enabled (self, "mute", live != NULL);
  set_action_enabled (self, "clear-history", self->history != NULL);

  mute = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "mute");
  g_simple_action_set_state (G_SIMPLE_ACTION (mute),
                             g_variant_new_boolean (live && beckon_call_get_muted (live)));
}

static BeckonHistoryKind
history_kind_for (BeckonCall *call)
{
  gboolean outgoing = beckon_call_get_direction (call) == BECKON_CALL_DIRECTION_OUTGOING;

  if (beckon_call_get_answered (call))
    return outgoing ? BECKON_HISTORY_KIND_OUTGOING : BECKON_HISTORY_KIND_INCOMING;

  switch (beckon_call_get_end_reason (call))
    {
    case BECKON_CALL_END_DECLINED:
    case BECKON_CALL_END_BUSY:
      return BECKON_HISTORY_KIND_REFUSED;
    case BECKON_CALL_END_CANCELLED:
      return outgoing ? BECKON_HISTORY_KIND_CANCELLED : BECKON_HISTORY_KIND_MISSED;
    case BECKON_CALL_END_EXPIRED:
    case BECKON_CALL_END_PEER_OFFLINE:
    case BECKON_CALL_END_NOT_SIGNED_IN:
      return outgoing ? BECKON_HISTORY_KIND_FAILED : BECKON_HISTORY_KIND_MISSED;
    case BECKON_CALL_END_NONE:
    case BECKON_CALL_END_NO_ANSWER:
    case BECKON_CALL_END_HANGUP_LOCAL:
    case BECKON_CALL_END_HANGUP_REMOTE:
    case BECKON_CALL_END_MEDIA_FAILED:
    case BECKON_CALL_END_ERROR:
    default:
      return BECKON_HISTORY_KIND_FAILED;
    }
}

static void
record (BeckonCallList *self,
        BeckonCall     *call)
{
  g_autoptr(BeckonHistoryEntry) entry = NULL;

  if (self->history == NULL)
    return;

  entry = beckon_history_entry_new (beckon_call_get_peer_id (call),
                                    history_kind_for (call),
                                    beckon_call_get_direction (call) == BECKON_CALL_DIRECTION_OUTGOING,
                                    beckon_call_get_start_time (call),
                                    beckon_call_get_duration (call),
                                    beckon_call_get_status (call));
  beckon_history_add (self->history, entry);
}

static void
on_call_state_changed (BeckonCallList  *self,
                       BeckonCallState  state,
                       BeckonCallState  old_state,
                       BeckonCall      *call)
{
  guint position;

  if (state == BECKON_CALL_STATE_ENDED &&
      g_ptr_array_find (self->calls, call, &position))
    {
      G_GNUC_UNUSED g_autoptr(BeckonCall) hold = g_object_ref (call);

      g_signal_handlers_disconnect_by_data (call, self);
      g_ptr_array_remove_index (self->calls, position);
      record (self, call);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
      g_signal_emit (self, signals[CALL_REMOVED], 0, call);
    }

  update_actions (self);
}

static void
on_call_muted (BeckonCallList *self,
               GParamSpec     *pspec,
               BeckonCall     *call)
{
  update_actions (self);
}

static void
add_call (BeckonCallList *self,
          BeckonCall     *call)
{
  beckon_call_set_audio (call, self->source_description, self->sink_description,
                         self->source_device, self->sink_device, self->echo_cancel);
  g_signal_connect_object (call, "state-changed",
                           G_CALLBACK (on_call_state_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (call, "notify::muted",
                           G_CALLBACK (on_call_muted), self, G_CONNECT_SWAPPED);
  g_ptr_array_add (self->calls, g_object_ref (call));
  g_list_model_items_changed (G_LIST_MODEL (self), self->calls->len - 1, 0, 1);
  g_signal_emit (self, signals[CALL_ADDED], 0, call);
  update_actions (self);
}

static void
on_remote_invitation_received (BeckonCallList      *self,
                               RtmRemoteInvitation *invitation)
{
  g_autoptr(BeckonCall) call = beckon_call_new_incoming (self->client, invitation);

  if (self->refuse_when_busy && beckon_call_list_get_live_call (self) != NULL)
    {
      /* Never shown: it ends before anyone could see it. */
      beckon_call_decline (call, "busy");
      record (self, call);
      return;
    }

  add_call (self, call);
}

static void
on_connection_state_changed (BeckonCallList *self)
{
  update_actions (self);
}

static void
hang_up_all (BeckonCallList *self)
{
  g_autoptr(GPtrArray) calls = g_ptr_array_copy (self->calls, (GCopyFunc) g_object_ref, NULL);

  g_ptr_array_set_free_func (calls, g_object_unref);
  for (guint i = 0; i < calls->len; i++)
    beckon_call_hang_up (g_ptr_array_index (calls, i));
}

static BeckonCall *
call_for_parameter (BeckonCallList *self,
                    GVariant       *parameter,
                    BeckonCall     *fallback)
{
  const char *id = parameter ? g_variant_get_string (parameter, NULL) : "";

  if (*id == '\0')
    return fallback;

  return beckon_call_list_find (self, id);
}

static void
on_dial_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  BeckonCallList *self = user_data;
  g_autoptr(GError) error = NULL;
  const char *peer;
  const char *content;

  g_variant_get (parameter, "(&s&s)", &peer, &content);
  if (beckon_call_list_dial (self, peer, content, &error) == NULL)
    g_signal_emit (self, signals[FAILED], 0, error->message);
}

static void
on_call_back_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  BeckonCallList *self = user_data;
  g_autoptr(GError) error = NULL;
  const char *peer = g_variant_get_string (parameter, NULL);

  if (beckon_call_list_dial (self, peer, NULL, &error) == NULL)
    g_signal_emit (self, signals[FAILED], 0, error->message);
}

static void
on_accept_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  BeckonCallList *self = user_data;
  BeckonCall *call = call_for_parameter (self, parameter,
                                         beckon_call_list_get_incoming_call (self));

  if (call != NULL)
    beckon_call_list_accept (self, call);
}

static void
on_decline_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  BeckonCallList *self = user_data;
  BeckonCall *call = call_for_parameter (self, parameter,
                                         beckon_call_list_get_incoming_call (self));

  if (call != NULL)
    beckon_call_decline (call, NULL);
}

static void
on_cancel_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  BeckonCallList *self = user_data;
  BeckonCall *call = call_for_parameter (self, parameter,
                                         beckon_call_list_get_outgoing_call (self));

  if (call != NULL && beckon_call_get_direction (call) == BECKON_CALL_DIRECTION_OUTGOING)
    beckon_call_hang_up (call);
}

static void
on_hangup_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  BeckonCallList *self = user_data;
  BeckonCall *fallback = beckon_call_list_get_live_call (self);
  BeckonCall *call;

  if (fallback == NULL)
    fallback = beckon_call_list_get_outgoing_call (self);
  if (fallback == NULL)
    fallback = beckon_call_list_get_incoming_call (self);

  call = call_for_parameter (self, parameter, fallback);
  if (call != NULL)
    beckon_call_hang_up (call);
}

static void
on_mute_change_state (GSimpleAction *action,
                      GVariant      *value,
                      gpointer       user_data)
{
  BeckonCallList *self = user_data;
  BeckonCall *call = beckon_call_list_get_live_call (self);

  if (call != NULL)
    beckon_call_set_muted (call, g_variant_get_boolean (value));
  update_actions (self);
}

static void
on_clear_history_activated (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  BeckonCallList *self = user_data;

  if (self->history != NULL)
    beckon_history_clear (self->history);
}

static const GActionEntry action_entries[] = {
  { "dial", on_dial_activated, "(ss)" },
  { "call-back", on_call_back_activated, "s" },
  { "accept", on_accept_activated, "s" },
  { "decline", on_decline_activated, "s" },
  { "cancel", on_cancel_activated, "s" },
  { "hangup", on_hangup_activated, "s" },
  { "mute", NULL, NULL, "false", on_mute_change_state },
  { "clear-history", on_clear_history_activated },
};

static GType
beckon_call_list_get_item_type (GListModel *model)
{
  return BECKON_TYPE_CALL;
}

static guint
beckon_call_list_get_n_items (GListModel *model)
{
  return BECKON_CALL_LIST (model)->calls->len;
}

static gpointer
beckon_call_list_get_item (GListModel *model,
                           guint       position)
{
  BeckonCallList *self = BECKON_CALL_LIST (model);

  if (position >= self->calls->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->calls, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = beckon_call_list_get_item_type;
  iface->get_n_items = beckon_call_list_get_n_items;
  iface->get_item = beckon_call_list_get_item;
}

static void
beckon_call_list_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  BeckonCallList *self = BECKON_CALL_LIST (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_REFUSE_WHEN_BUSY:
      g_value_set_boolean (value, self->refuse_when_busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_call_list_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  BeckonCallList *self = BECKON_CALL_LIST (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      beckon_call_list_set_client (self, g_value_get_object (value));
      break;
    case PROP_HISTORY:
      self->history = g_value_dup_object (value);
      break;
    case PROP_REFUSE_WHEN_BUSY:
      beckon_call_list_set_refuse_when_busy (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_call_list_constructed (GObject *object)
{
  BeckonCallList *self = BECKON_CALL_LIST (object);

  G_OBJECT_CLASS (beckon_call_list_parent_class)->constructed (object);

  update_actions (self);
}

static void
beckon_call_list_dispose (GObject *object)
{
  BeckonCallList *self = BECKON_CALL_LIST (object);

  if (self->calls != NULL)
    {
      hang_up_all (self);
      for (guint i = 0; i < self->calls->len; i++)
        g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->calls, i), self);
    }
  g_clear_pointer (&self->calls, g_ptr_array_unref);
  if (self->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      g_signal_handlers_disconnect_by_data (rtm_client_get_call_manager (self->client), self);
    }
  g_clear_object (&self->client);
  g_clear_object (&self->history);
  g_clear_object (&self->actions);
  g_clear_object (&self->source_device);
  g_clear_object (&self->sink_device);

  G_OBJECT_CLASS (beckon_call_list_parent_class)->dispose (object);
}

static void
beckon_call_list_finalize (GObject *object)
{
  BeckonCallList *self = BECKON_CALL_LIST (object);

  g_free (self->source_description);
  g_free (self->sink_description);

  G_OBJECT_CLASS (beckon_call_list_parent_class)->finalize (object);
}

static void
beckon_call_list_class_init (BeckonCallListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = beckon_call_list_get_property;
  object_class->set_property = beckon_call_list_set_property;
  object_class->constructed = beckon_call_list_constructed;
  object_class->dispose = beckon_call_list_dispose;
  object_class->finalize = beckon_call_list_finalize;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, RTM_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, BECKON_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REFUSE_WHEN_BUSY] =
    g_param_spec_boolean ("refuse-when-busy", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BeckonCallList::call-added:
   * @self: the call list
   * @call: the new call
   *
   * A call was dialled or came in.
   */
  signals[CALL_ADDED] =
    g_signal_new ("call-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, BECKON_TYPE_CALL);

  /**
   * BeckonCallList::call-removed:
   * @self: the call list
   * @call: the call, ended
   *
   * A call ended and was recorded in the history.
   */
  signals[CALL_REMOVED] =
    g_signal_new ("call-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, BECKON_TYPE_CALL);

  /**
   * BeckonCallList::failed:
   * @self: the call list
   * @message: what went wrong, in words
   *
   * An action could not be done (dialling while signed out, a bad user id).
   */
  signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
beckon_call_list_init (BeckonCallList *self)
{
  self->calls = g_ptr_array_new_with_free_func (g_object_unref);
  self->echo_cancel = TRUE;
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), action_entries,
                                   G_N_ELEMENTS (action_entries), self);
}

BeckonCallList *
beckon_call_list_new (RtmClient     *client,
                      BeckonHistory *history)
{
  g_return_val_if_fail (client == NULL || RTM_IS_CLIENT (client), NULL);
  g_return_val_if_fail (history == NULL || BECKON_IS_HISTORY (history), NULL);

  return g_object_new (BECKON_TYPE_CALL_LIST,
                       "client", client,
                       "history", history,
                       NULL);
}

RtmClient *
beckon_call_list_get_client (BeckonCallList *self)
{
  g_return_val_if_fail (BECKON_IS_CALL_LIST (self), NULL);
  return self->client;
}

void
beckon_call_list_set_client (BeckonCallList *self,
                             RtmClient      *client)
{
  g_return_if_fail (BECKON_IS_CALL_LIST (self));
  g_return_if_fail (client == NULL || RTM_IS_CLIENT (client));

  if (self->client == client)
    return;

  hang_up_all (self);

  if (self->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      g_signal_handlers_disconnect_by_data (rtm_client_get_call_manager (self->client), self);
    }

  g_set_object (&self->client, client);

  if (client != NULL)
    {
      g_signal_connect_object (rtm_client_get_call_manager (client), "remote-invitation-received",
                               G_CALLBACK (on_remote_invitation_received), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (client, "notify::connection-state",
                               G_CALLBACK (on_connection_state_changed), self, G_CONNECT_SWAPPED);
    }

  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

BeckonHistory *
beckon_call_list_get_history (BeckonCallList *self)
{
  g_return_val_if_fail (BECKON_IS_CALL_LIST (self), NULL);
  return self->history;
}

gboolean
beckon_call_list_get_refuse_when_busy (BeckonCallList *self)
{
  g_return_val_if_fail (BECKON_IS_CALL_LIST (self), FALSE);
  return self->refuse_when_busy;
}

void
beckon_call_list_set_refuse_when_busy (BeckonCallList *self,
                                       gboolean        refuse)
{
  g_return_if_fail (BECKON_IS_CALL_LIST (self));

  refuse = !!refuse;
  if (self->refuse_when_busy == refuse)
    return;

  self->refuse_when_busy = refuse;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFUSE_WHEN_BUSY]);
}

void
beckon_call_list_set_audio (BeckonCallList *self,
                            const char     *source_description,
                            const char     *sink_description)
{
  g_return_if_fail (BECKON_IS_CALL_LIST (self));

  g_free (self->source_description);
  self->source_description = g_strdup (source_description);
  g_free (self->sink_description);
  self->sink_description = g_strdup (sink_description);
}

void
beckon_call_list_set_devices (BeckonCallList *self,
                              GstDevice      *source_device,
                              GstDevice      *sink_device)
{
  g_return_if_fail (BECKON_IS_CALL_LIST (self));

  g_set_object (&self->source_device, source_device);
  g_set_object (&self->sink_device, sink_device);
}

void
beckon_call_list_set_echo_cancel (BeckonCallList *self,
                                  gboolean        echo_cancel)
{
  g_return_if_fail (BECKON_IS_CALL_LIST (self));
  self->echo_cancel = !!echo_cancel;
}

/**
 * beckon_call_list_get_actions:
 * @self: a call list
 *
 * Returns: (transfer none): the actions that drive the calls
 */
GActionGroup *
beckon_call_list_get_actions (BeckonCallList *self)
{
  g_return_val_if_fail (BECKON_IS_CALL_LIST (self), NULL);
  return G_ACTION_GROUP (self->actions);
}

BeckonCall *
beckon_call_list_dial (BeckonCallList  *self,
                       const char      *peer_id,
                       const char      *content,
                       GError         **error)
{
  g_autoptr(RtmLocalInvitation) invitation = NULL;
  g_autoptr(BeckonCall) call = NULL;
  g_autofree char *channel = NULL;
  const char *user_id;

  g_return_val_if_fail (BECKON_IS_CALL_LIST (self), NULL);
  g_return_val_if_fail (peer_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->client == NULL ||
      rtm_client_get_connection_state (self->client) != RTM_CONNECTION_STATE_CONNECTED)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, _("Not signed in"));
      return NULL;
    }

  if (!beckon_user_id_is_valid (peer_id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a valid user id"), peer_id);
      return NULL;
    }

  user_id = rtm_client_get_user_id (self->client);
  if (g_strcmp0 (user_id, peer_id) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("You cannot call yourself"));
      return NULL;
    }

  invitation = rtm_call_manager_create_local_invitation (rtm_client_get_call_manager (self->client),
                                                         peer_id);
  if (invitation == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a valid user id"), peer_id);
      return NULL;
    }

  if (content != NULL && *content != '\0' &&
      !rtm_local_invitation_set_content (invitation, content))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The message is too long"));
      return NULL;
    }

  /* A fresh channel per call keeps two calls' signalling apart. */
  channel = g_strdup_printf ("beckon-%08x%08x", g_random_int (), g_random_int ());
  rtm_local_invitation_set_channel_id (invitation, channel);

  call = beckon_call_new_outgoing (self->client, invitation);
  add_call (self, call);
  beckon_call_send (call);

  return call;
}

void
beckon_call_list_accept (BeckonCallList *self,
                         BeckonCall     *call)
{
  BeckonCall *live;

  g_return_if_fail (BECKON_IS_CALL_LIST (self));
  g_return_if_fail (BECKON_IS_CALL (call));

  /* One conversation at a time: answering ends the one in progress. */
  live = beckon_call_list_get_live_call (self);
  if (live != NULL && live != call)
    beckon_call_hang_up (live);

  beckon_call_accept (call);
  update_actions (self);
}

BeckonCall *
beckon_call_list_find (BeckonCallList *self,
                       const char     *call_id)
{
  g_return_val_if_fail (BECKON_IS_CALL_LIST (self), NULL);
  g_return_val_if_fail (call_id != NULL, NULL);

  for (guint i = 0; i < self->calls->len; i++)
    {
      BeckonCall *call = g_ptr_array_index (self->calls, i);

      if (g_str_equal (beckon_call_get_id (call), call_id))
        return call;
    }

  return NULL;
}

BeckonCall *
beckon_call_list_get_live_call (BeckonCallList *self)
{
  g_return_val_if_fail (BECKON_IS_CALL_LIST (self), NULL);

  for (guint i = 0; i < self->calls->len; i++)
    if (beckon_call_is_live (g_ptr_array_index (self->calls, i)))
      return g_ptr_array_index (self->calls, i);

  return NULL;
}

BeckonCall *
beckon_call_list_get_incoming_call (BeckonCallList *self)
{
  g_return_val_if_fail (BECKON_IS_CALL_LIST (self), NULL);

  for (guint i = 0; i < self->calls->len; i++)
    if (beckon_call_get_state (g_ptr_array_index (self->calls, i)) == BECKON_CALL_STATE_INCOMING)
      return g_ptr_array_index (self->calls, i);

  return NULL;
}

BeckonCall *
beckon_call_list_get_outgoing_call (BeckonCallList *self)
{
  g_return_val_if_fail (BECKON_IS_CALL_LIST (self), NULL);

  for (guint i = 0; i < self->calls->len; i++)
    {
      BeckonCall *call = g_ptr_array_index (self->calls, i);

      if (beckon_call_get_state (call) == BECKON_CALL_STATE_DIALING ||
          beckon_call_get_state (call) == BECKON_CALL_STATE_ALERTING)
        return call;
    }

  return NULL;
}
