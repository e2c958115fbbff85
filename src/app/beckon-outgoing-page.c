/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-outgoing-page"

#include "config.h"

#include <glib/gi18n.h>

#include "beckon-outgoing-page.h"

struct _BeckonOutgoingPage
{
  AdwBin         parent_instance;

  /* template */
  AdwAvatar     *avatar;
  GtkLabel      *peer_label;
  GtkLabel      *status_label;
  GtkLabel      *content_label;
  GtkButton     *cancel_button;

  /* owned */
  BeckonCall    *call;
  GBindingGroup *bindings;
  GSignalGroup  *signals;
};

enum {
  PROP_0,
  PROP_CALL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BeckonOutgoingPage, beckon_outgoing_page, ADW_TYPE_BIN)

static void
update_content (BeckonOutgoingPage *self)
{
  const char *content = self->call ? beckon_call_get_content (self->call) : NULL;
  g_autofree char *quoted = NULL;

  if (content != NULL && *content != '\0')
    /* Translators: the message sent with a call, in quotes */
    quoted = g_strdup_printf (_("“%s”"), content);

  gtk_label_set_label (self->content_label, quoted ? quoted : "");
  gtk_widget_set_visible (GTK_WIDGET (self->content_label), quoted != NULL);
}

static void
on_call_state_changed (BeckonOutgoingPage *self)
{
  /* Nothing left to cancel once it ended. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button),
                            self->call && beckon_call_is_ringing (self->call));
}

static void
beckon_outgoing_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  BeckonOutgoingPage *self = BECKON_OUTGOING_PAGE (object);

  switch (prop_id)
    {
    case PROP_CALL:
      g_value_set_object (value, self->call);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_outgoing_page_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  BeckonOutgoingPage *self = BECKON_OUTGOING_PAGE (object);

  switch (prop_id)
    {
    case PROP_CALL:
      beckon_outgoing_page_set_call (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_outgoing_page_dispose (GObject *object)
{
  BeckonOutgoingPage *self = BECKON_OUTGOING_PAGE (object);

  g_clear_object (&self->bindings);
  g_clear_object (&self->signals);
  g_clear_object (&self->call);

  G_OBJECT_CLASS (beckon_outgoing_page_parent_class)->dispose (object);
}

static void
beckon_outgoing_page_class_init (BeckonOutgoingPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = beckon_outgoing_page_get_property;
  object_class->set_property = beckon_outgoing_page_set_property;
  object_class->dispose = beckon_outgoing_page_dispose;

  properties[PROP_CALL] =
    g_param_spec_object ("call", NULL, NULL, BECKON_TYPE_CALL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/beckon-outgoing-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BeckonOutgoingPage, avatar);
  gtk_widget_class_bind_template_child (widget_class, BeckonOutgoingPage, peer_label);
  gtk_widget_class_bind_template_child (widget_class, BeckonOutgoingPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, BeckonOutgoingPage, content_label);
  gtk_widget_class_bind_template_child (widget_class, BeckonOutgoingPage, cancel_button);
}

static void
beckon_outgoing_page_init (BeckonOutgoingPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->bindings = g_binding_group_new ();
  g_binding_group_bind (self->bindings, "peer-id", self->peer_label, "label", G_BINDING_SYNC_CREATE);
  g_binding_group_bind (self->bindings, "peer-id", self->avatar, "text", G_BINDING_SYNC_CREATE);
  g_binding_group_bind (self->bindings, "status", self->status_label, "label", G_BINDING_SYNC_CREATE);

  self->signals = g_signal_group_new (BECKON_TYPE_CALL);
  g_signal_group_connect_swapped (self->signals, "state-changed",
                                  G_CALLBACK (on_call_state_changed), self);
}

GtkWidget *
beckon_outgoing_page_new (void)
{
  return g_object_new (BECKON_TYPE_OUTGOING_PAGE, NULL);
}

BeckonCall *
beckon_outgoing_page_get_call (BeckonOutgoingPage *self)
{
  g_return_val_if_fail (BECKON_IS_OUTGOING_PAGE (self), NULL);
  return self->call;
}

void
beckon_outgoing_page_set_call (BeckonOutgoingPage *self,
                               BeckonCall         *call)
{
  g_return_if_fail (BECKON_IS_OUTGOING_PAGE (self));
  g_return_if_fail (call == NULL || BECKON_IS_CALL (call));

  if (!g_set_object (&self->call, call))
    return;

  g_binding_group_set_source (self->bindings, call);
  g_signal_group_set_target (self->signals, call);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->cancel_button), "s",
                                    call ? beckon_call_get_id (call) : "");
  update_content (self);
  on_call_state_changed (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALL]);
}

const char *
beckon_outgoing_page_get_status (BeckonOutgoingPage *self)
{
  g_return_val_if_fail (BECKON_IS_OUTGOING_PAGE (self), NULL);
  return gtk_label_get_label (self->status_label);
}

const char *
beckon_outgoing_page_get_content (BeckonOutgoingPage *self)
{
  g_return_val_if_fail (BECKON_IS_OUTGOING_PAGE (self), NULL);
  return gtk_label_get_label (self->content_label);
}
