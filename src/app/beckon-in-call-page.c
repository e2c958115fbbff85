/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-in-call-page"

#include "config.h"

#include <glib/gi18n.h>

#include "beckon-in-call-page.h"

/* Level meters show the last 60 dB, where speech lives. */
#define FLOOR_DB -60.0

struct _BeckonInCallPage
{
  BeckonCallPage parent_instance;

  /* template */
  GtkRevealer   *waiting_revealer;
  GtkLabel      *waiting_label;
  GtkButton     *waiting_accept_button;
  GtkButton     *waiting_decline_button;
  AdwAvatar     *avatar;
  GtkLabel      *peer_label;
  GtkLabel      *status_label;
  GtkImage      *quality_icon;
  GtkLabel      *quality_label;
  GtkLevelBar   *input_level;
  GtkLevelBar   *output_level;
  GtkButton     *hangup_button;

  /* owned */
  BeckonCall    *waiting_call;
};

enum {
  PROP_0,
  PROP_WAITING_CALL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BeckonInCallPage, beckon_in_call_page, BECKON_TYPE_CALL_PAGE)

static double
db_to_fraction (double db)
{
  return CLAMP ((db - FLOOR_DB) / -FLOOR_DB, 0.0, 1.0);
}

static void
on_levels (BeckonInCallPage *self)
{
  BeckonCall *call = beckon_call_page_get_call (BECKON_CALL_PAGE (self));

  if (call == NULL)
    return;

  gtk_level_bar_set_value (self->input_level,
                           db_to_fraction (beckon_call_get_input_level (call)));
  gtk_level_bar_set_value (self->output_level,
                           db_to_fraction (beckon_call_get_output_level (call)));
}

static void
on_quality (BeckonInCallPage *self)
{
  BeckonCall *call = beckon_call_page_get_call (BECKON_CALL_PAGE (self));
  const char *icon = "network-cellular-signal-none-symbolic";

  if (call == NULL)
    return;

  switch (beckon_call_get_quality (call))
    {
    case BECKON_CALL_QUALITY_GOOD:
      icon = "network-cellular-signal-excellent-symbolic";
      break;
    case BECKON_CALL_QUALITY_FAIR:
      icon = "network-cellular-signal-ok-symbolic";
      break;
    case BECKON_CALL_QUALITY_POOR:
      icon = "network-cellular-signal-weak-symbolic";
      break;
    case BECKON_CALL_QUALITY_UNKNOWN:
    default:
      break;
    }

  gtk_image_set_from_icon_name (self->quality_icon, icon);
  gtk_label_set_label (self->quality_label, beckon_call_get_quality_text (call));
}

static void
on_call_state_changed (BeckonInCallPage *self)
{
  BeckonCall *call = beckon_call_page_get_call (BECKON_CALL_PAGE (self));

  gtk_widget_set_sensitive (GTK_WIDGET (self->hangup_button),
                            call && beckon_call_is_live (call));
}

static void
beckon_in_call_page_call_changed (BeckonCallPage *page)
{
  BeckonInCallPage *self = BECKON_IN_CALL_PAGE (page);
  BeckonCall *call = beckon_call_page_get_call (page);

  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->hangup_button), "s",
                                    call ? beckon_call_get_id (call) : "");
  /* A new call starts silent, not at the last call's levels. */
  gtk_level_bar_set_value (self->input_level, 0);
  gtk_level_bar_set_value (self->output_level, 0);
  on_levels (self);
  on_quality (self);
  on_call_state_changed (self);
}

static void
beckon_in_call_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BeckonInCallPage *self = BECKON_IN_CALL_PAGE (object);

  switch (prop_id)
    {
    case PROP_WAITING_CALL:
      g_value_set_object (value, self->waiting_call);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_in_call_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BeckonInCallPage *self = BECKON_IN_CALL_PAGE (object);

  switch (prop_id)
    {
    case PROP_WAITING_CALL:
      beckon_in_call_page_set_waiting_call (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_in_call_page_dispose (GObject *object)
{
  BeckonInCallPage *self = BECKON_IN_CALL_PAGE (object);

  g_clear_object (&self->waiting_call);

  G_OBJECT_CLASS (beckon_in_call_page_parent_class)->dispose (object);
}

static void
beckon_in_call_page_class_init (BeckonInCallPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  BeckonCallPageClass *page_class = BECKON_CALL_PAGE_CLASS (klass);

  object_class->get_property = beckon_in_call_page_get_property;
  object_class->set_property = beckon_in_call_page_set_property;
  object_class->dispose = beckon_in_call_page_dispose;

  page_class->call_changed = beckon_in_call_page_call_changed;

  properties[PROP_WAITING_CALL] =
    g_param_spec_object ("waiting-call", NULL, NULL, BECKON_TYPE_CALL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/beckon-in-call-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BeckonInCallPage, waiting_revealer);
  gtk_widget_class_bind_template_child (widget_class, BeckonInCallPage, waiting_label);
  gtk_widget_class_bind_template_child (widget_class, BeckonInCallPage, waiting_accept_button);
  gtk_widget_class_bind_template_child (widget_class, BeckonInCallPage, waiting_decline_button);
  gtk_widget_class_bind_template_child (widget_class, BeckonInCallPage, avatar);
  gtk_widget_class_bind_template_child (widget_class, BeckonInCallPage, peer_label);
  gtk_widget_class_bind_template_child (widget_class, BeckonInCallPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, BeckonInCallPage, quality_icon);
  gtk_widget_class_bind_template_child (widget_class, BeckonInCallPage, quality_label);
  gtk_widget_class_bind_template_child (widget_class, BeckonInCallPage, input_level);
  gtk_widget_class_bind_template_child (widget_class, BeckonInCallPage, output_level);
  gtk_widget_class_bind_template_child (widget_class, BeckonInCallPage, hangup_button);
}

static void
beckon_in_call_page_init (BeckonInCallPage *self)
{
  BeckonCallPage *page = BECKON_CALL_PAGE (self);
  GSignalGroup *signals = beckon_call_page_get_signals (page);

  gtk_widget_init_template (GTK_WIDGET (self));

  beckon_call_page_bind_peer (page, self->avatar, self->peer_label, self->status_label);
  g_signal_group_connect_swapped (signals, "state-changed",
                                  G_CALLBACK (on_call_state_changed), self);
  g_signal_group_connect_swapped (signals, "notify::output-level",
                                  G_CALLBACK (on_levels), self);
  g_signal_group_connect_swapped (signals, "notify::quality-text",
                                  G_CALLBACK (on_quality), self);
}

GtkWidget *
beckon_in_call_page_new (void)
{
  return g_object_new (BECKON_TYPE_IN_CALL_PAGE, NULL);
}

BeckonCall *
beckon_in_call_page_get_waiting_call (BeckonInCallPage *self)
{
  g_return_val_if_fail (BECKON_IS_IN_CALL_PAGE (self), NULL);
  return self->waiting_call;
}

void
beckon_in_call_page_set_waiting_call (BeckonInCallPage *self,
                                      BeckonCall       *call)
{
  g_autofree char *text = NULL;
  const char *id = "";

  g_return_if_fail (BECKON_IS_IN_CALL_PAGE (self));
  g_return_if_fail (call == NULL || BECKON_IS_CALL (call));

  if (!g_set_object (&self->waiting_call, call))
    return;

  if (call != NULL)
    {
      const char *content = beckon_call_get_content (call);

      id = beckon_call_get_id (call);
      if (content != NULL && *content != '\0')
        text = g_strdup_printf (_("Call waiting: %s is calling: “%s”"),
                                beckon_call_get_peer_id (call), content);
      else
        text = g_strdup_printf (_("Call waiting: %s is calling"),
                                beckon_call_get_peer_id (call));
    }

  gtk_label_set_label (self->waiting_label, text ? text : "");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->waiting_accept_button), "s", id);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->waiting_decline_button), "s", id);
  gtk_revealer_set_reveal_child (self->waiting_revealer, call != NULL);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAITING_CALL]);
}

const char *
beckon_in_call_page_get_status (BeckonInCallPage *self)
{
  g_return_val_if_fail (BECKON_IS_IN_CALL_PAGE (self), NULL);
  return gtk_label_get_label (self->status_label);
}

const char *
beckon_in_call_page_get_quality (BeckonInCallPage *self)
{
  g_return_val_if_fail (BECKON_IS_IN_CALL_PAGE (self), NULL);
  return gtk_label_get_label (self->quality_label);
}

const char *
beckon_in_call_page_get_waiting_text (BeckonInCallPage *self)
{
  g_return_val_if_fail (BECKON_IS_IN_CALL_PAGE (self), NULL);

  if (self->waiting_call == NULL)
    return NULL;
  return gtk_label_get_label (self->waiting_label);
}

double
beckon_in_call_page_get_input_level (BeckonInCallPage *self)
{
  g_return_val_if_fail (BECKON_IS_IN_CALL_PAGE (self), 0);
  return gtk_level_bar_get_value (self->input_level);
}

double
beckon_in_call_page_get_output_level (BeckonInCallPage *self)
{
  g_return_val_if_fail (BECKON_IS_IN_CALL_PAGE (self), 0);
  return gtk_level_bar_get_value (self->output_level);
}
