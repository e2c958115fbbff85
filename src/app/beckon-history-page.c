/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-history-page"

#include "config.h"

#include <glib/gi18n.h>

#include "beckon-history-page.h"
#include "beckon-strings.h"

struct _BeckonHistoryPage
{
  AdwBin         parent_instance;

  /* template */
  GtkStack      *stack;
  GtkListBox    *list_box;
  GtkButton     *clear_button;

  /* owned */
  BeckonHistory *history;
};

enum {
  PROP_0,
  PROP_HISTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BeckonHistoryPage, beckon_history_page, ADW_TYPE_BIN)

static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (g_date_time_get_year (now) == g_date_time_get_year (time) &&
      g_date_time_get_day_of_year (now) == g_date_time_get_day_of_year (time))
    /* Translators: a call's time today, see g_date_time_format() */
    return g_date_time_format (time, _("%H:%M"));

  /* Translators: a call's date and time, see g_date_time_format() */
  return g_date_time_format (time, _("%Y-%m-%d %H:%M"));
}

char *
beckon_history_entry_describe (BeckonHistoryEntry *entry)
{
  g_autofree char *time = NULL;
  BeckonHistoryKind kind;

  g_return_val_if_fail (BECKON_IS_HISTORY_ENTRY (entry), NULL);

  kind = beckon_history_entry_get_kind (entry);
  time = format_time (beckon_history_entry_get_time (entry));

  if (kind == BECKON_HISTORY_KIND_INCOMING || kind == BECKON_HISTORY_KIND_OUTGOING)
    {
      g_autofree char *duration = beckon_format_duration (beckon_history_entry_get_duration (entry));
      return g_strdup_printf ("%s · %s · %s", beckon_history_kind_to_string (kind), time, duration);
    }

  /* The detail says why it did not happen ("Busy", "bob is offline"). */
  if (beckon_history_entry_get_detail (entry) != NULL &&
      g_strcmp0 (beckon_history_entry_get_detail (entry), beckon_history_kind_to_string (kind)) != 0)
    return g_strdup_printf ("%s · %s · %s", beckon_history_kind_to_string (kind), time,
                            beckon_history_entry_get_detail (entry));

  return g_strdup_printf ("%s · %s", beckon_history_kind_to_string (kind), time);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  BeckonHistoryEntry *entry = item;
  const char *peer = beckon_history_entry_get_peer_id (entry);
  g_autofree char *subtitle = beckon_history_entry_describe (entry);
  g_autofree char *label = g_strdup_printf (_("Call %s back"), peer);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (beckon_history_kind_to_icon_name (beckon_history_entry_get_kind (entry)));
  GtkWidget *button = gtk_button_new_from_icon_name ("call-start-symbolic");

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), peer);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  if (beckon_history_entry_get_kind (entry) == BECKON_HISTORY_KIND_MISSED)
    gtk_widget_add_css_class (icon, "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  beckon_history_kind_to_string (beckon_history_entry_get_kind (entry)), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "app.call-back");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", peer);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static void
update_stack (BeckonHistoryPage *self)
{
  gboolean empty = beckon_history_page_is_empty (self);

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
}

static void
beckon_history_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BeckonHistoryPage *self = BECKON_HISTORY_PAGE (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_history_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BeckonHistoryPage *self = BECKON_HISTORY_PAGE (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      beckon_history_page_set_history (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_history_page_dispose (GObject *object)
{
  BeckonHistoryPage *self = BECKON_HISTORY_PAGE (object);

  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  if (self->list_box != NULL)
    gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  g_clear_object (&self->history);

  G_OBJECT_CLASS (beckon_history_page_parent_class)->dispose (object);
}

static void
beckon_history_page_class_init (BeckonHistoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = beckon_history_page_get_property;
  object_class->set_property = beckon_history_page_set_property;
  object_class->dispose = beckon_history_page_dispose;

  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, BECKON_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/beckon-history-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BeckonHistoryPage, stack);
  gtk_widget_class_bind_template_child (widget_class, BeckonHistoryPage, list_box);
  gtk_widget_class_bind_template_child (widget_class, BeckonHistoryPage, clear_button);
}

static void
beckon_history_page_init (BeckonHistoryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_stack (self);
}

GtkWidget *
beckon_history_page_new (void)
{
  return g_object_new (BECKON_TYPE_HISTORY_PAGE, NULL);
}

BeckonHistory *
beckon_history_page_get_history (BeckonHistoryPage *self)
{
  g_return_val_if_fail (BECKON_IS_HISTORY_PAGE (self), NULL);
  return self->history;
}

void
beckon_history_page_set_history (BeckonHistoryPage *self,
                                 BeckonHistory     *history)
{
  g_return_if_fail (BECKON_IS_HISTORY_PAGE (self));
  g_return_if_fail (history == NULL || BECKON_IS_HISTORY (history));

  if (self->history == history)
    return;

  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_set_object (&self->history, history);

  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (history), create_row, NULL, NULL);
  if (history != NULL)
    g_signal_connect_object (history, "items-changed",
                             G_CALLBACK (update_stack), self, G_CONNECT_SWAPPED);
  update_stack (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

GtkWidget *
beckon_history_page_get_row (BeckonHistoryPage *self,
                             guint              index)
{
  g_return_val_if_fail (BECKON_IS_HISTORY_PAGE (self), NULL);
  return GTK_WIDGET (gtk_list_box_get_row_at_index (self->list_box, index));
}

gboolean
beckon_history_page_is_empty (BeckonHistoryPage *self)
{
  g_return_val_if_fail (BECKON_IS_HISTORY_PAGE (self), TRUE);
  return self->history == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->history)) == 0;
}
