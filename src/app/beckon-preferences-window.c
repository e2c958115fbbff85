/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-preferences-window"

#include "config.h"

#include <glib/gi18n.h>
#include <gst/gst.h>

#include "beckon-preferences-window.h"

struct _BeckonPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* template */
  AdwComboRow          *microphone_row;
  AdwComboRow          *speaker_row;
  GtkSwitch            *echo_switch;
  AdwComboRow          *when_busy_row;
  AdwActionRow         *server_row;
  AdwActionRow         *user_row;

  /* owned */
  GSettings            *settings;
  GtkStringList        *microphones;
  GtkStringList        *speakers;
};

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BeckonPreferencesWindow, beckon_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static GtkStringList *
list_devices (const char *klass)
{
  g_autoptr(GstDeviceMonitor) monitor = gst_device_monitor_new ();
  GtkStringList *list = gtk_string_list_new (NULL);
  GList *devices;

  /* Translators: the system's default microphone or speaker */
  gtk_string_list_append (list, _("Default"));

  gst_device_monitor_add_filter (monitor, klass, NULL);
  devices = gst_device_monitor_get_devices (monitor);
  for (GList *l = devices; l != NULL; l = l->next)
    {
      g_autofree char *name = gst_device_get_display_name (l->data);
      gtk_string_list_append (list, name);
    }
  g_list_free_full (devices, gst_object_unref);

  return list;
}

static guint
find_string (GtkStringList *list,
             const char    *value)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  if (value == NULL || *value == '\0')
    return 0;

  for (guint i = 1; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (list, i), value) == 0)
      return i;

  /* A remembered device that is unplugged now: keep it, selectable. */
  gtk_string_list_append (list, value);
  return n;
}

static void
on_device_selected (AdwComboRow *row,
                    GParamSpec  *pspec,
                    gpointer     user_data)
{
  BeckonPreferencesWindow *self = user_data;
  GtkStringList *list = GTK_STRING_LIST (adw_combo_row_get_model (row));
  guint selected = adw_combo_row_get_selected (row);
  const char *key = row == self->microphone_row ? "microphone" : "speaker";

  g_settings_set_string (self->settings, key,
                         selected == 0 || selected == GTK_INVALID_LIST_POSITION
                           ? "" : gtk_string_list_get_string (list, selected));
}

static gboolean
when_busy_get_mapping (GValue   *value,
                       GVariant *variant,
                       gpointer  user_data)
{
  g_value_set_uint (value, g_str_equal (g_variant_get_string (variant, NULL), "refuse") ? 1 : 0);
  return TRUE;
}

static GVariant *
when_busy_set_mapping (const GValue       *value,
                       const GVariantType *expected_type,
                       gpointer            user_data)
{
  return g_variant_new_string (g_value_get_uint (value) == 1 ? "refuse" : "ring-softly");
}

static void
beckon_preferences_window_constructed (GObject *object)
{
  BeckonPreferencesWindow *self = BECKON_PREFERENCES_WINDOW (object);
  g_autofree char *microphone = NULL;
  g_autofree char *speaker = NULL;
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;

  G_OBJECT_CLASS (beckon_preferences_window_parent_class)->constructed (object);

  g_assert (self->settings != NULL);

  self->microphones = list_devices ("Audio/Source");
  self->speakers = list_devices ("Audio/Sink");
  microphone = g_settings_get_string (self->settings, "microphone");
  speaker = g_settings_get_string (self->settings, "speaker");
  adw_combo_row_set_model (self->microphone_row, G_LIST_MODEL (self->microphones));
  adw_combo_row_set_model (self->speaker_row, G_LIST_MODEL (self->speakers));
  adw_combo_row_set_selected (self->microphone_row, find_string (self->microphones, microphone));
  adw_combo_row_set_selected (self->speaker_row, find_string (self->speakers, speaker));
  g_signal_connect (self->microphone_row, "notify::selected", G_CALLBACK (on_device_selected), self);
  g_signal_connect (self->speaker_row, "notify::selected", G_CALLBACK (on_device_selected), self);

  g_settings_bind (self->settings, "echo-cancel", self->echo_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "when-busy", self->when_busy_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, when_busy_get_mapping,
                                when_busy_set_mapping, NULL, NULL);

  server = g_settings_get_string (self->settings, "server-uri");
  user = g_settings_get_string (self->settings, "user-id");
  adw_action_row_set_subtitle (self->server_row, server);
  adw_action_row_set_subtitle (self->user_row, *user ? user : _("Not signed in"));
}

static void
beckon_preferences_window_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  BeckonPreferencesWindow *self = BECKON_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_preferences_window_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  BeckonPreferencesWindow *self = BECKON_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_preferences_window_dispose (GObject *object)
{
  BeckonPreferencesWindow *self = BECKON_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->microphones);
  g_clear_object (&self->speakers);

  G_OBJECT_CLASS (beckon_preferences_window_parent_class)->dispose (object);
}

static void
beckon_preferences_window_class_init (BeckonPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = beckon_preferences_window_constructed;
  object_class->get_property = beckon_preferences_window_get_property;
  object_class->set_property = beckon_preferences_window_set_property;
  object_class->dispose = beckon_preferences_window_dispose;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/beckon-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BeckonPreferencesWindow, microphone_row);
  gtk_widget_class_bind_template_child (widget_class, BeckonPreferencesWindow, speaker_row);
  gtk_widget_class_bind_template_child (widget_class, BeckonPreferencesWindow, echo_switch);
  gtk_widget_class_bind_template_child (widget_class, BeckonPreferencesWindow, when_busy_row);
  gtk_widget_class_bind_template_child (widget_class, BeckonPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, BeckonPreferencesWindow, user_row);
}

static void
beckon_preferences_window_init (BeckonPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
beckon_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (BECKON_TYPE_PREFERENCES_WINDOW, "settings", settings, NULL);
}
