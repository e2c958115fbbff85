/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BECKON_TYPE_SIGN_IN_PAGE (beckon_sign_in_page_get_type ())
G_DECLARE_FINAL_TYPE (BeckonSignInPage, beckon_sign_in_page, BECKON, SIGN_IN_PAGE, AdwBin)

/* Sign In activates app.sign-in with (server, user id, token). */

GtkWidget  *beckon_sign_in_page_new            (void);
const char *beckon_sign_in_page_get_server_uri (BeckonSignInPage *self);
void        beckon_sign_in_page_set_server_uri (BeckonSignInPage *self,
                                                const char       *uri);
const char *beckon_sign_in_page_get_user_id    (BeckonSignInPage *self);
void        beckon_sign_in_page_set_user_id    (BeckonSignInPage *self,
                                                const char       *user_id);
const char *beckon_sign_in_page_get_token      (BeckonSignInPage *self);
/* A reason in words under the form, or NULL to hide it. */
void        beckon_sign_in_page_set_error      (BeckonSignInPage *self,
                                                const char       *message);
const char *beckon_sign_in_page_get_error      (BeckonSignInPage *self);
void        beckon_sign_in_page_set_busy       (BeckonSignInPage *self,
                                                gboolean          busy);
gboolean    beckon_sign_in_page_can_sign_in    (BeckonSignInPage *self);

G_END_DECLS
