/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-outgoing-page"

#include "config.h"

#include "beckon-outgoing-page.h"

struct _BeckonOutgoingPage
{
  BeckonCallPage parent_instance;

  /* template */
  AdwAvatar     *avatar;
  GtkLabel      *peer_label;
  GtkLabel      *status_label;
  GtkLabel      *content_label;
  GtkButton     *cancel_button;
};

G_DEFINE_FINAL_TYPE (BeckonOutgoingPage, beckon_outgoing_page, BECKON_TYPE_CALL_PAGE)

static void
on_call_state_changed (BeckonOutgoingPage *self)
{
  BeckonCall *call = beckon_call_page_get_call (BECKON_CALL_PAGE (self));

  /* Nothing left to cancel once it ended. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button),
                            call && beckon_call_is_ringing (call));
}

static void
beckon_outgoing_page_call_changed (BeckonCallPage *page)
{
  BeckonOutgoingPage *self = BECKON_OUTGOING_PAGE (page);
  BeckonCall *call = beckon_call_page_get_call (page);

  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->cancel_button), "s",
                                    call ? beckon_call_get_id (call) : "");
  beckon_call_page_show_content (page, self->content_label);
  on_call_state_changed (self);
}

static void
beckon_outgoing_page_class_init (BeckonOutgoingPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  BeckonCallPageClass *page_class = BECKON_CALL_PAGE_CLASS (klass);

  page_class->call_changed = beckon_outgoing_page_call_changed;

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
  BeckonCallPage *page = BECKON_CALL_PAGE (self);

  gtk_widget_init_template (GTK_WIDGET (self));

  beckon_call_page_bind_peer (page, self->avatar, self->peer_label, self->status_label);
  g_signal_group_connect_swapped (beckon_call_page_get_signals (page), "state-changed",
                                  G_CALLBACK (on_call_state_changed), self);
}

GtkWidget *
beckon_outgoing_page_new (void)
{
  return g_object_new (BECKON_TYPE_OUTGOING_PAGE, NULL);
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
