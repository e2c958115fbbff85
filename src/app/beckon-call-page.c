/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-call-page"

#include "config.h"

#include <glib/gi18n.h>

#include "beckon-call-page.h"

typedef struct
{
  /* owned */
  BeckonCall    *call;
  GBindingGroup *bindings;
  GSignalGroup  *signals;
} BeckonCallPagePrivate;

enum {
  PROP_0,
  PROP_CALL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (BeckonCallPage, beckon_call_page, ADW_TYPE_BIN)

static void
beckon_call_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  BeckonCallPage *self = BECKON_CALL_PAGE (object);

  switch (prop_id)
    {
    case PROP_CALL:
      g_value_set_object (value, beckon_call_page_get_call (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_call_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  BeckonCallPage *self = BECKON_CALL_PAGE (object);

  switch (prop_id)
    {
    case PROP_CALL:
      beckon_call_page_set_call (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_call_page_dispose (GObject *object)
{
  BeckonCallPage *self = BECKON_CALL_PAGE (object);
  BeckonCallPagePrivate *priv = beckon_call_page_get_instance_private (self);

  g_clear_object (&priv->bindings);
  g_clear_object (&priv->signals);
  g_clear_object (&priv->call);

  G_OBJECT_CLASS (beckon_call_page_parent_class)->dispose (object);
}

static void
beckon_call_page_class_init (BeckonCallPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = beckon_call_page_get_property;
  object_class->set_property = beckon_call_page_set_property;
  object_class->dispose = beckon_call_page_dispose;

  properties[PROP_CALL] =
    g_param_spec_object ("call", NULL, NULL, BECKON_TYPE_CALL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beckon_call_page_init (BeckonCallPage *self)
{
  BeckonCallPagePrivate *priv = beckon_call_page_get_instance_private (self);

  /* Created before the subclass's init, which binds and connects to them. */
  priv->bindings = g_binding_group_new ();
  priv->signals = g_signal_group_new (BECKON_TYPE_CALL);
}

BeckonCall *
beckon_call_page_get_call (BeckonCallPage *self)
{
  BeckonCallPagePrivate *priv;

  g_return_val_if_fail (BECKON_IS_CALL_PAGE (self), NULL);

  priv = beckon_call_page_get_instance_private (self);
  return priv->call;
}

void
beckon_call_page_set_call (BeckonCallPage *self,
                           BeckonCall     *call)
{
  BeckonCallPagePrivate *priv;

  g_return_if_fail (BECKON_IS_CALL_PAGE (self));
  g_return_if_fail (call == NULL || BECKON_IS_CALL (call));

  priv = beckon_call_page_get_instance_private (self);
  if (!g_set_object (&priv->call, call))
    return;

  g_binding_group_set_source (priv->bindings, call);
  g_signal_group_set_target (priv->signals, call);
  if (BECKON_CALL_PAGE_GET_CLASS (self)->call_changed != NULL)
    BECKON_CALL_PAGE_GET_CLASS (self)->call_changed (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALL]);
}

void
beckon_call_page_bind_peer (BeckonCallPage *self,
                            AdwAvatar      *avatar,
                            GtkLabel       *peer_label,
                            GtkLabel       *status_label)
{
  BeckonCallPagePrivate *priv;

  g_return_if_fail (BECKON_IS_CALL_PAGE (self));
  g_return_if_fail (ADW_IS_AVATAR (avatar));
  g_return_if_fail (GTK_IS_LABEL (peer_label));
  g_return_if_fail (GTK_IS_LABEL (status_label));

  priv = beckon_call_page_get_instance_private (self);
  g_binding_group_bind (priv->bindings, "peer-id", peer_label, "label", G_BINDING_SYNC_CREATE);
  g_binding_group_bind (priv->bindings, "peer-id", avatar, "text", G_BINDING_SYNC_CREATE);
  g_binding_group_bind (priv->bindings, "status", status_label, "label", G_BINDING_SYNC_CREATE);
}

GSignalGroup *
beckon_call_page_get_signals (BeckonCallPage *self)
{
  BeckonCallPagePrivate *priv;

  g_return_val_if_fail (BECKON_IS_CALL_PAGE (self), NULL);

  priv = beckon_call_page_get_instance_private (self);
  return priv->signals;
}

void
beckon_call_page_show_content (BeckonCallPage *self,
                               GtkLabel       *label)
{
  BeckonCallPagePrivate *priv;
  const char *content;
  g_autofree char *quoted = NULL;

  g_return_if_fail (BECKON_IS_CALL_PAGE (self));
  g_return_if_fail (GTK_IS_LABEL (label));

  priv = beckon_call_page_get_instance_private (self);
  content = priv->call ? beckon_call_get_content (priv->call) : NULL;
  if (content != NULL && *content != '\0')
    /* Translators: the message sent with a call, in quotes */
    quoted = g_strdup_printf (_("“%s”"), content);

  gtk_label_set_label (label, quoted ? quoted : "");
  gtk_widget_set_visible (GTK_WIDGET (label), quoted != NULL);
}
