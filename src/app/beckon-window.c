/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-window"

#include "config.h"

#include <glib/gi18n.h>

#include "beckon-strings.h"
#include "beckon-window.h"

#define DEFAULT_END_LINGER_MS 2500

struct _BeckonWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkRevealer          *audio_revealer;
  GtkLabel             *audio_label;
  GtkStack             *stack;
  AdwViewStack         *home_stack;
  BeckonSignInPage     *sign_in_page;
  BeckonDialPage       *dial_page;
  BeckonHistoryPage    *history_page;
  BeckonOutgoingPage   *outgoing_page;
  BeckonIncomingPage   *incoming_page;
  BeckonInCallPage     *in_call_page;

  /* owned */
  BeckonCallList       *call_list;
  RtmClient            *client;
  BeckonCall           *ended_call;   /* shown for a moment after its end */
  guint                 linger_id;
  guint                 end_linger_ms;
};

enum {
  PROP_0,
  PROP_CALL_LIST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BeckonWindow, beckon_window, ADW_TYPE_APPLICATION_WINDOW)

static gboolean
is_signed_in (BeckonWindow *self)
{
  RtmConnectionState state;

  if (self->client == NULL)
    return FALSE;

  state = rtm_client_get_connection_state (self->client);
  return state == RTM_CONNECTION_STATE_CONNECTED || state == RTM_CONNECTION_STATE_RECONNECTING;
}

static void
show_page (BeckonWindow *self,
           const char   *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
}

static void
refresh (BeckonWindow *self)
{
  BeckonCall *incoming = beckon_call_list_get_incoming_call (self->call_list);
  BeckonCall *live = beckon_call_list_get_live_call (self->call_list);
  BeckonCall *outgoing = beckon_call_list_get_outgoing_call (self->call_list);

  beckon_in_call_page_set_waiting_call (self->in_call_page, live ? incoming : NULL);

  if (live != NULL)
    {
      beckon_call_page_set_call (BECKON_CALL_PAGE (self->in_call_page), live);
      show_page (self, "in-call");
    }
  else if (incoming != NULL)
    {
      beckon_call_page_set_call (BECKON_CALL_PAGE (self->incoming_page), incoming);
      show_page (self, "incoming");
    }
  else if (outgoing != NULL)
    {
      beckon_call_page_set_call (BECKON_CALL_PAGE (self->outgoing_page), outgoing);
      show_page (self, "outgoing");
    }
  else if (self->ended_call != NULL)
    {
      /* Keep the page of the call that just ended: it says how it ended. */
    }
  else if (is_signed_in (self))
    {
      show_page (self, "home");
    }
  else
    {
      show_page (self, "sign-in");
    }

  if (live == NULL && incoming == NULL && outgoing == NULL && self->ended_call == NULL)
    {
      beckon_call_page_set_call (BECKON_CALL_PAGE (self->in_call_page), NULL);
      beckon_call_page_set_call (BECKON_CALL_PAGE (self->incoming_page), NULL);
      beckon_call_page_set_call (BECKON_CALL_PAGE (self->outgoing_page), NULL);
    }
}

static gboolean
on_linger_timeout (gpointer user_data)
{
  BeckonWindow *self = user_data;

  self->linger_id = 0;
  g_clear_object (&self->ended_call);
  refresh (self);

  return G_SOURCE_REMOVE;
}

static gboolean
is_shown (BeckonWindow *self,
          BeckonCall   *call)
{
  GtkWidget *page = gtk_stack_get_visible_child (self->stack);

  /* Only the outgoing, incoming and in-call pages show a call. */
  return BECKON_IS_CALL_PAGE (page) && beckon_call_page_get_call (BECKON_CALL_PAGE (page)) == call;
}

static void
on_call_state_changed (BeckonWindow *self)
{
  refresh (self);
}

static void
on_call_added (BeckonWindow   *self,
               BeckonCall     *call,
               BeckonCallList *call_list)
{
  g_signal_connect_object (call, "state-changed",
                           G_CALLBACK (on_call_state_changed), self, G_CONNECT_SWAPPED);

  /* A new call replaces the end that was on screen. */
  g_clear_handle_id (&self->linger_id, g_source_remove);
  g_clear_object (&self->ended_call);
  refresh (self);
}

static void
on_call_removed (BeckonWindow   *self,
                 BeckonCall     *call,
                 BeckonCallList *call_list)
{
  g_signal_handlers_disconnect_by_data (call, self);

  if (is_shown (self, call))
    {
      g_set_object (&self->ended_call, call);
      g_clear_handle_id (&self->linger_id, g_source_remove);
      self->linger_id = g_timeout_add (self->end_linger_ms, on_linger_timeout, self);
    }

  refresh (self);
}

static void
on_call_list_failed (BeckonWindow   *self,
                     const char     *message,
                     BeckonCallList *call_list)
{
  beckon_window_add_toast (self, message);
}

static void
on_connection_state_changed (BeckonWindow              *self,
                             RtmConnectionState         state,
                             RtmConnectionChangeReason  reason,
                             RtmClient                 *client)
{
  g_autofree char *text = beckon_connection_state_to_string (state, reason,
                                                             rtm_client_get_user_id (client));

  beckon_window_set_connection_text (self, text);

  if (state == RTM_CONNECTION_STATE_ABORTED || state == RTM_CONNECTION_STATE_DISCONNECTED)
    beckon_sign_in_page_set_error (self->sign_in_page, text);

  refresh (self);
}

static void
on_client_changed (BeckonWindow *self)
{
  RtmClient *client = beckon_call_list_get_client (self->call_list);

  if (self->client == client)
    return;

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_set_object (&self->client, client);

  beckon_dial_page_set_client (self->dial_page, client);

  if (client != NULL)
    {
      g_signal_connect_object (client, "connection-state-changed",
                               G_CALLBACK (on_connection_state_changed), self, G_CONNECT_SWAPPED);
      on_connection_state_changed (self, rtm_client_get_connection_state (client),
                                   RTM_CONNECTION_CHANGE_REASON_LOGIN, client);
    }
  else
    {
      beckon_window_set_connection_text (self, _("Signed out"));
      refresh (self);
    }
}

static void
beckon_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  BeckonWindow *self = BECKON_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CALL_LIST:
      g_value_set_object (value, self->call_list);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  BeckonWindow *self = BECKON_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CALL_LIST:
      self->call_list = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_window_constructed (GObject *object)
{
  BeckonWindow *self = BECKON_WINDOW (object);
  guint n;

  G_OBJECT_CLASS (beckon_window_parent_class)->constructed (object);

  g_assert (self->call_list != NULL);

  /* Without an application (a test) the window speaks to its own calls. */
  if (gtk_window_get_application (GTK_WINDOW (self)) == NULL)
    gtk_widget_insert_action_group (GTK_WIDGET (self), "app",
                                    beckon_call_list_get_actions (self->call_list));

  beckon_dial_page_set_history (self->dial_page, beckon_call_list_get_history (self->call_list));
  beckon_history_page_set_history (self->history_page, beckon_call_list_get_history (self->call_list));

  g_signal_connect_object (self->call_list, "call-added",
                           G_CALLBACK (on_call_added), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->call_list, "call-removed",
                           G_CALLBACK (on_call_removed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->call_list, "failed",
                           G_CALLBACK (on_call_list_failed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->call_list, "notify::client",
                           G_CALLBACK (on_client_changed), self, G_CONNECT_SWAPPED);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->call_list));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BeckonCall) call = g_list_model_get_item (G_LIST_MODEL (self->call_list), i);
      g_signal_connect_object (call, "state-changed",
                               G_CALLBACK (on_call_state_changed), self, G_CONNECT_SWAPPED);
    }

  beckon_window_set_connection_text (self, _("Signed out"));
  on_client_changed (self);
  refresh (self);
}

static void
beckon_window_dispose (GObject *object)
{
  BeckonWindow *self = BECKON_WINDOW (object);

  g_clear_handle_id (&self->linger_id, g_source_remove);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  if (self->call_list != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->call_list));

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(BeckonCall) call = g_list_model_get_item (G_LIST_MODEL (self->call_list), i);
          g_signal_handlers_disconnect_by_data (call, self);
        }
      g_signal_handlers_disconnect_by_data (self->call_list, self);
    }
  g_clear_object (&self->client);
  g_clear_object (&self->ended_call);
  g_clear_object (&self->call_list);

  G_OBJECT_CLASS (beckon_window_parent_class)->dispose (object);
}

static void
beckon_window_class_init (BeckonWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = beckon_window_get_property;
  object_class->set_property = beckon_window_set_property;
  object_class->constructed = beckon_window_constructed;
  object_class->dispose = beckon_window_dispose;

  properties[PROP_CALL_LIST] =
    g_param_spec_object ("call-list", NULL, NULL, BECKON_TYPE_CALL_LIST,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (BECKON_TYPE_SIGN_IN_PAGE);
  g_type_ensure (BECKON_TYPE_DIAL_PAGE);
  g_type_ensure (BECKON_TYPE_HISTORY_PAGE);
  g_type_ensure (BECKON_TYPE_OUTGOING_PAGE);
  g_type_ensure (BECKON_TYPE_INCOMING_PAGE);
  g_type_ensure (BECKON_TYPE_IN_CALL_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/beckon-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BeckonWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BeckonWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, BeckonWindow, audio_revealer);
  gtk_widget_class_bind_template_child (widget_class, BeckonWindow, audio_label);
  gtk_widget_class_bind_template_child (widget_class, BeckonWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, BeckonWindow, home_stack);
  gtk_widget_class_bind_template_child (widget_class, BeckonWindow, sign_in_page);
  gtk_widget_class_bind_template_child (widget_class, BeckonWindow, dial_page);
  gtk_widget_class_bind_template_child (widget_class, BeckonWindow, history_page);
  gtk_widget_class_bind_template_child (widget_class, BeckonWindow, outgoing_page);
  gtk_widget_class_bind_template_child (widget_class, BeckonWindow, incoming_page);
  gtk_widget_class_bind_template_child (widget_class, BeckonWindow, in_call_page);
}

static void
beckon_window_init (BeckonWindow *self)
{
  self->end_linger_ms = DEFAULT_END_LINGER_MS;
  gtk_widget_init_template (GTK_WIDGET (self));

  if (g_str_equal (PROFILE, "development"))
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

BeckonWindow *
beckon_window_new (GtkApplication *application,
                   BeckonCallList *call_list)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (BECKON_IS_CALL_LIST (call_list), NULL);

  return g_object_new (BECKON_TYPE_WINDOW,
                       "application", application,
                       "call-list", call_list,
                       NULL);
}

BeckonCallList *
beckon_window_get_call_list (BeckonWindow *self)
{
  g_return_val_if_fail (BECKON_IS_WINDOW (self), NULL);
  return self->call_list;
}

const char *
beckon_window_get_page_name (BeckonWindow *self)
{
  g_return_val_if_fail (BECKON_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

void
beckon_window_show_history (BeckonWindow *self)
{
  g_return_if_fail (BECKON_IS_WINDOW (self));
  adw_view_stack_set_visible_child_name (self->home_stack, "history");
}

const char *
beckon_window_get_connection_text (BeckonWindow *self)
{
  g_return_val_if_fail (BECKON_IS_WINDOW (self), NULL);
  return adw_window_title_get_subtitle (self->window_title);
}

void
beckon_window_set_connection_text (BeckonWindow *self,
                                   const char   *text)
{
  g_return_if_fail (BECKON_IS_WINDOW (self));
  adw_window_title_set_subtitle (self->window_title, text);
}

void
beckon_window_set_warning (BeckonWindow *self,
                           const char   *text)
{
  g_return_if_fail (BECKON_IS_WINDOW (self));

  gtk_label_set_label (self->audio_label, text ? text : "");
  gtk_revealer_set_reveal_child (self->audio_revealer, text != NULL);
}

void
beckon_window_add_toast (BeckonWindow *self,
                         const char   *text)
{
  g_return_if_fail (BECKON_IS_WINDOW (self));
  g_return_if_fail (text != NULL);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

void
beckon_window_set_end_linger (BeckonWindow *self,
                              guint         milliseconds)
{
  g_return_if_fail (BECKON_IS_WINDOW (self));
  self->end_linger_ms = milliseconds;
}

BeckonSignInPage *
beckon_window_get_sign_in_page (BeckonWindow *self)
{
  g_return_val_if_fail (BECKON_IS_WINDOW (self), NULL);
  return self->sign_in_page;
}

BeckonDialPage *
beckon_window_get_dial_page (BeckonWindow *self)
{
  g_return_val_if_fail (BECKON_IS_WINDOW (self), NULL);
  return self->dial_page;
}

BeckonHistoryPage *
beckon_window_get_history_page (BeckonWindow *self)
{
  g_return_val_if_fail (BECKON_IS_WINDOW (self), NULL);
  return self->history_page;
}

BeckonOutgoingPage *
beckon_window_get_outgoing_page (BeckonWindow *self)
{
  g_return_val_if_fail (BECKON_IS_WINDOW (self), NULL);
  return self->outgoing_page;
}

BeckonIncomingPage *
beckon_window_get_incoming_page (BeckonWindow *self)
{
  g_return_val_if_fail (BECKON_IS_WINDOW (self), NULL);
  return self->incoming_page;
}

BeckonInCallPage *
beckon_window_get_in_call_page (BeckonWindow *self)
{
  g_return_val_if_fail (BECKON_IS_WINDOW (self), NULL);
  return self->in_call_page;
}
