/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-sign-in-page"

#include "config.h"

#include <glib/gi18n.h>

#include "beckon-sign-in-page.h"
#include "beckon-strings.h"

struct _BeckonSignInPage
{
  AdwBin       parent_instance;

  /* template */
  AdwEntryRow *server_row;
  AdwEntryRow *user_row;
  AdwEntryRow *token_row;
  GtkLabel    *error_label;
  GtkButton   *sign_in_button;
  GtkSpinner  *spinner;

  gboolean     busy;
};

G_DEFINE_FINAL_TYPE (BeckonSignInPage, beckon_sign_in_page, ADW_TYPE_BIN)

static void
update_button (BeckonSignInPage *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button),
                            !self->busy && beckon_sign_in_page_can_sign_in (self));
}

static void
on_entry_changed (BeckonSignInPage *self)
{
  update_button (self);
}

static void
on_sign_in_clicked (BeckonSignInPage *self)
{
  if (self->busy || !beckon_sign_in_page_can_sign_in (self))
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "app.sign-in", "(sss)",
                              beckon_sign_in_page_get_server_uri (self),
                              beckon_sign_in_page_get_user_id (self),
                              beckon_sign_in_page_get_token (self));
}

static void
beckon_sign_in_page_class_init (BeckonSignInPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/beckon-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BeckonSignInPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, BeckonSignInPage, user_row);
  gtk_widget_class_bind_template_child (widget_class, BeckonSignInPage, token_row);
  gtk_widget_class_bind_template_child (widget_class, BeckonSignInPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, BeckonSignInPage, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, BeckonSignInPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in_clicked);
}

static void
beckon_sign_in_page_init (BeckonSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_button (self);
}

GtkWidget *
beckon_sign_in_page_new (void)
{
  return g_object_new (BECKON_TYPE_SIGN_IN_PAGE, NULL);
}

const char *
beckon_sign_in_page_get_server_uri (BeckonSignInPage *self)
{
  g_return_val_if_fail (BECKON_IS_SIGN_IN_PAGE (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->server_row));
}

void
beckon_sign_in_page_set_server_uri (BeckonSignInPage *self,
                                    const char       *uri)
{
  g_return_if_fail (BECKON_IS_SIGN_IN_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), uri ? uri : "");
}

const char *
beckon_sign_in_page_get_user_id (BeckonSignInPage *self)
{
  g_return_val_if_fail (BECKON_IS_SIGN_IN_PAGE (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->user_row));
}

void
beckon_sign_in_page_set_user_id (BeckonSignInPage *self,
                                 const char       *user_id)
{
  g_return_if_fail (BECKON_IS_SIGN_IN_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), user_id ? user_id : "");
}

const char *
beckon_sign_in_page_get_token (BeckonSignInPage *self)
{
  g_return_val_if_fail (BECKON_IS_SIGN_IN_PAGE (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->token_row));
}

void
beckon_sign_in_page_set_error (BeckonSignInPage *self,
                               const char       *message)
{
  g_return_if_fail (BECKON_IS_SIGN_IN_PAGE (self));

  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL && *message);
}

const char *
beckon_sign_in_page_get_error (BeckonSignInPage *self)
{
  g_return_val_if_fail (BECKON_IS_SIGN_IN_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_label (self->error_label);
}

void
beckon_sign_in_page_set_busy (BeckonSignInPage *self,
                              gboolean          busy)
{
  g_return_if_fail (BECKON_IS_SIGN_IN_PAGE (self));

  self->busy = !!busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
  update_button (self);
}

gboolean
beckon_sign_in_page_can_sign_in (BeckonSignInPage *self)
{
  const char *server;

  g_return_val_if_fail (BECKON_IS_SIGN_IN_PAGE (self), FALSE);

  server = beckon_sign_in_page_get_server_uri (self);
  return (g_str_has_prefix (server, "ws://") || g_str_has_prefix (server, "wss://")) &&
         beckon_user_id_is_valid (beckon_sign_in_page_get_user_id (self));
}
