/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-dial-page"

#include "config.h"

#include <glib/gi18n.h>

#include "beckon-dial-page.h"
#include "beckon-strings.h"

#define RECENT_PEERS 5
#define PRESENCE_DELAY_MS 250

struct _BeckonDialPage
{
  AdwBin                parent_instance;

  /* template */
  AdwEntryRow          *peer_row;
  AdwEntryRow          *content_row;
  GtkLabel             *presence_label;
  GtkLabel             *error_label;
  GtkButton            *call_button;
  AdwPreferencesGroup  *recent_group;
  GtkListBox           *recent_list;

  /* owned */
  RtmClient            *client;
  BeckonHistory        *history;
  GCancellable         *presence_cancellable;
  char                 *watched_peer;
  guint                 presence_id;
  guint                 n_recent;
};

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_HISTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BeckonDialPage, beckon_dial_page, ADW_TYPE_BIN)

static void
show_presence (BeckonDialPage *self,
               const char     *peer,
               gboolean        known,
               gboolean        online)
{
  g_autofree char *text = NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->presence_label), "online");
  gtk_widget_remove_css_class (GTK_WIDGET (self->presence_label), "offline");

  if (!known)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->presence_label), FALSE);
      gtk_label_set_label (self->presence_label, "");
      return;
    }

  text = online ? g_strdup_printf (_("%s is online"), peer)
                : g_strdup_printf (_("%s is offline"), peer);
  gtk_label_set_label (self->presence_label, text);
  gtk_widget_add_css_class (GTK_WIDGET (self->presence_label), online ? "online" : "offline");
  gtk_widget_set_visible (GTK_WIDGET (self->presence_label), TRUE);
}

static void
on_subscribed (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(BeckonDialPage) self = user_data;
  g_autoptr(GHashTable) online = NULL;
  g_autoptr(GError) error = NULL;
  gpointer value;

  online = rtm_client_subscribe_peers_online_status_finish (RTM_CLIENT (object), result, &error);
  if (online == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Presence of %s: %s", self->watched_peer, error->message);
      return;
    }

  if (self->watched_peer != NULL &&
      g_hash_table_lookup_extended (online, self->watched_peer, NULL, &value))
    show_presence (self, self->watched_peer, TRUE, GPOINTER_TO_INT (value));
}

static void
on_unsubscribed (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  rtm_client_unsubscribe_peers_online_status_finish (RTM_CLIENT (object), result, NULL);
}

static void
unwatch (BeckonDialPage *self)
{
  g_cancellable_cancel (self->presence_cancellable);
  g_clear_object (&self->presence_cancellable);

  if (self->watched_peer != NULL && self->client != NULL &&
      rtm_client_get_connection_state (self->client) == RTM_CONNECTION_STATE_CONNECTED)
    {
      const char *peers[] = { self->watched_peer, NULL };
      rtm_client_unsubscribe_peers_online_status_async (self->client, peers, NULL,
                                                        on_unsubscribed, NULL);
    }
  g_clear_pointer (&self->watched_peer, g_free);
}

static gboolean
on_presence_timeout (gpointer user_data)
{
  BeckonDialPage *self = user_data;
  const char *peer = beckon_dial_page_get_peer_id (self);
  const char *peers[] = { peer, NULL };

  self->presence_id = 0;

  unwatch (self);
  if (self->client == NULL || !beckon_user_id_is_valid (peer) ||
      rtm_client_get_connection_state (self->client) != RTM_CONNECTION_STATE_CONNECTED)
    return G_SOURCE_REMOVE;

  self->watched_peer = g_strdup (peer);
  self->presence_cancellable = g_cancellable_new ();
  rtm_client_subscribe_peers_online_status_async (self->client, peers, self->presence_cancellable,
                                                  on_subscribed, g_object_ref (self));

  return G_SOURCE_REMOVE;
}

static void
on_peer_online_status_changed (BeckonDialPage *self,
                               const char     *peer_id,
                               gboolean        online,
                               RtmClient      *client)
{
  if (g_strcmp0 (peer_id, self->watched_peer) == 0 &&
      g_strcmp0 (peer_id, beckon_dial_page_get_peer_id (self)) == 0)
    show_presence (self, peer_id, TRUE, online);
}

static void
on_peer_changed (BeckonDialPage *self)
{
  const char *peer = beckon_dial_page_get_peer_id (self);
  gboolean valid = beckon_user_id_is_valid (peer);

  show_presence (self, NULL, FALSE, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->call_button), valid);

  if (*peer != '\0' && !valid)
    {
      gtk_label_set_label (self->error_label,
                           _("User IDs are up to 64 letters, digits or marks, without spaces"));
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
    }

  /* Ask once typing pauses, not for every key. */
  g_clear_handle_id (&self->presence_id, g_source_remove);
  self->presence_id = g_timeout_add (PRESENCE_DELAY_MS, on_presence_timeout, self);
}

static void
on_call_clicked (BeckonDialPage *self)
{
  beckon_dial_page_call (self);
}

static void
on_recent_row_activated (AdwActionRow   *row,
                         BeckonDialPage *self)
{
  beckon_dial_page_set_peer_id (self, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
}

static void
rebuild_recent (BeckonDialPage *self)
{
  g_auto(GStrv) peers = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))) != NULL)
    gtk_list_box_remove (self->recent_list, child);

  self->n_recent = 0;
  if (self->history != NULL)
    peers = beckon_history_dup_recent_peers (self->history, RECENT_PEERS);

  for (guint i = 0; peers && peers[i]; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_from_icon_name ("call-start-symbolic");
      g_autofree char *label = g_strdup_printf (_("Call %s"), peers[i]);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), peers[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_signal_connect_object (row, "activated", G_CALLBACK (on_recent_row_activated),
                               self, 0);

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, label);
      gtk_widget_add_css_class (button, "flat");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "app.call-back");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", peers[i]);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

      gtk_list_box_append (self->recent_list, row);
      self->n_recent++;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->recent_group), self->n_recent > 0);
}

static void
on_history_changed (BeckonDialPage *self)
{
  rebuild_recent (self);
}

static void
beckon_dial_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  BeckonDialPage *self = BECKON_DIAL_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_dial_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  BeckonDialPage *self = BECKON_DIAL_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      beckon_dial_page_set_client (self, g_value_get_object (value));
      break;
    case PROP_HISTORY:
      beckon_dial_page_set_history (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_dial_page_dispose (GObject *object)
{
  BeckonDialPage *self = BECKON_DIAL_PAGE (object);

  g_clear_handle_id (&self->presence_id, g_source_remove);
  beckon_dial_page_set_client (self, NULL);
  beckon_dial_page_set_history (self, NULL);

  G_OBJECT_CLASS (beckon_dial_page_parent_class)->dispose (object);
}

static void
beckon_dial_page_class_init (BeckonDialPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = beckon_dial_page_get_property;
  object_class->set_property = beckon_dial_page_set_property;
  object_class->dispose = beckon_dial_page_dispose;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, RTM_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, BECKON_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/beckon-dial-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BeckonDialPage, peer_row);
  gtk_widget_class_bind_template_child (widget_class, BeckonDialPage, content_row);
  gtk_widget_class_bind_template_child (widget_class, BeckonDialPage, presence_label);
  gtk_widget_class_bind_template_child (widget_class, BeckonDialPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, BeckonDialPage, call_button);
  gtk_widget_class_bind_template_child (widget_class, BeckonDialPage, recent_group);
  gtk_widget_class_bind_template_child (widget_class, BeckonDialPage, recent_list);
  gtk_widget_class_bind_template_callback (widget_class, on_peer_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_call_clicked);
}

static void
beckon_dial_page_init (BeckonDialPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  rebuild_recent (self);
}

GtkWidget *
beckon_dial_page_new (void)
{
  return g_object_new (BECKON_TYPE_DIAL_PAGE, NULL);
}

void
beckon_dial_page_set_client (BeckonDialPage *self,
                             RtmClient      *client)
{
  g_return_if_fail (BECKON_IS_DIAL_PAGE (self));
  g_return_if_fail (client == NULL || RTM_IS_CLIENT (client));

  if (self->client == client)
    return;

  unwatch (self);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_set_object (&self->client, client);
  if (client != NULL)
    g_signal_connect_object (client, "peer-online-status-changed",
                             G_CALLBACK (on_peer_online_status_changed), self, G_CONNECT_SWAPPED);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

void
beckon_dial_page_set_history (BeckonDialPage *self,
                              BeckonHistory  *history)
{
  g_return_if_fail (BECKON_IS_DIAL_PAGE (self));
  g_return_if_fail (history == NULL || BECKON_IS_HISTORY (history));

  if (self->history == history)
    return;

  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_set_object (&self->history, history);
  if (history != NULL)
    g_signal_connect_object (history, "items-changed",
                             G_CALLBACK (on_history_changed), self, G_CONNECT_SWAPPED);

  if (gtk_widget_get_first_child (GTK_WIDGET (self)) != NULL)
    rebuild_recent (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

const char *
beckon_dial_page_get_peer_id (BeckonDialPage *self)
{
  g_return_val_if_fail (BECKON_IS_DIAL_PAGE (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->peer_row));
}

void
beckon_dial_page_set_peer_id (BeckonDialPage *self,
                              const char     *peer_id)
{
  g_return_if_fail (BECKON_IS_DIAL_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->peer_row), peer_id ? peer_id : "");
}

void
beckon_dial_page_set_content (BeckonDialPage *self,
                              const char     *content)
{
  g_return_if_fail (BECKON_IS_DIAL_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->content_row), content ? content : "");
}

const char *
beckon_dial_page_get_presence_text (BeckonDialPage *self)
{
  g_return_val_if_fail (BECKON_IS_DIAL_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->presence_label)))
    return NULL;
  return gtk_label_get_label (self->presence_label);
}

guint
beckon_dial_page_get_n_recent (BeckonDialPage *self)
{
  g_return_val_if_fail (BECKON_IS_DIAL_PAGE (self), 0);
  return self->n_recent;
}

gboolean
beckon_dial_page_can_call (BeckonDialPage *self)
{
  g_return_val_if_fail (BECKON_IS_DIAL_PAGE (self), FALSE);
  return beckon_user_id_is_valid (beckon_dial_page_get_peer_id (self));
}

void
beckon_dial_page_call (BeckonDialPage *self)
{
  g_return_if_fail (BECKON_IS_DIAL_PAGE (self));

  if (!beckon_dial_page_can_call (self))
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "app.dial", "(ss)",
                              beckon_dial_page_get_peer_id (self),
                              gtk_editable_get_text (GTK_EDITABLE (self->content_row)));
  /* The message belongs to this call only. */
  beckon_dial_page_set_content (self, NULL);
}
