/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-incoming-page"

#include "config.h"

#include "beckon-incoming-page.h"

struct _BeckonIncomingPage
{
  BeckonCallPage parent_instance;

  /* template */
  AdwAvatar     *avatar;
  GtkLabel      *peer_label;
  GtkLabel      *status_label;
  GtkLabel      *content_label;
  GtkButton     *accept_button;
  GtkButton     *decline_button;
};

G_DEFINE_FINAL_TYPE (BeckonIncomingPage, beckon_incoming_page, BECKON_TYPE_CALL_PAGE)

static void
on_call_state_changed (BeckonIncomingPage *self)
{
  BeckonCall *call = beckon_call_page_get_call (BECKON_CALL_PAGE (self));
  gboolean ringing = call && beckon_call_is_ringing (call);

  /* Nothing left to answer once it ended. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->accept_button), ringing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->decline_button), ringing);
}

static void
beckon_incoming_page_call_changed (BeckonCallPage *page)
{
  BeckonIncomingPage *self = BECKON_INCOMING_PAGE (page);
  BeckonCall *call = beckon_call_page_get_call (page);

  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->accept_button), "s",
                                    call ? beckon_call_get_id (call) : "");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->decline_button), "s",
                                    call ? beckon_call_get_id (call) : "");
  beckon_call_page_show_content (page, self->content_label);
  on_call_state_changed (self);
}

static void
beckon_incoming_page_class_init (BeckonIncomingPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  BeckonCallPageClass *page_class = BECKON_CALL_PAGE_CLASS (klass);

  page_class->call_changed = beckon_incoming_page_call_changed;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/beckon-incoming-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BeckonIncomingPage, avatar);
  gtk_widget_class_bind_template_child (widget_class, BeckonIncomingPage, peer_label);
  gtk_widget_class_bind_template_child (widget_class, BeckonIncomingPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, BeckonIncomingPage, content_label);
  gtk_widget_class_bind_template_child (widget_class, BeckonIncomingPage, accept_button);
  gtk_widget_class_bind_template_child (widget_class, BeckonIncomingPage, decline_button);
}

static void
beckon_incoming_page_init (BeckonIncomingPage *self)
{
  BeckonCallPage *page = BECKON_CALL_PAGE (self);

  gtk_widget_init_template (GTK_WIDGET (self));

  beckon_call_page_bind_peer (page, self->avatar, self->peer_label, self->status_label);
  g_signal_group_connect_swapped (beckon_call_page_get_signals (page), "state-changed",
                                  G_CALLBACK (on_call_state_changed), self);
}

GtkWidget *
beckon_incoming_page_new (void)
{
  return g_object_new (BECKON_TYPE_INCOMING_PAGE, NULL);
}

const char *
beckon_incoming_page_get_status (BeckonIncomingPage *self)
{
  g_return_val_if_fail (BECKON_IS_INCOMING_PAGE (self), NULL);
  return gtk_label_get_label (self->status_label);
}

const char *
beckon_incoming_page_get_content (BeckonIncomingPage *self)
{
  g_return_val_if_fail (BECKON_IS_INCOMING_PAGE (self), NULL);
  return gtk_label_get_label (self->content_label);
}
