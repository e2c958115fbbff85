/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "beckon-call-list.h"
#include "beckon-dial-page.h"
#include "beckon-history-page.h"
#include "beckon-in-call-page.h"
#include "beckon-incoming-page.h"
#include "beckon-outgoing-page.h"
#include "beckon-sign-in-page.h"

G_BEGIN_DECLS

#define BECKON_TYPE_WINDOW (beckon_window_get_type ())
G_DECLARE_FINAL_TYPE (BeckonWindow, beckon_window, BECKON, WINDOW, AdwApplicationWindow)

/*
 * The main window: a view of a BeckonCallList ("call-list", construct-only).
 * It shows the sign-in page while signed out, the call pages while a call
 * rings or runs (and the way a call ended, for a moment), else the dial and
 * history pages. Without an application (tests) it takes the call list's
 * actions as its own "app" group.
 */

BeckonWindow       *beckon_window_new                 (GtkApplication *application,
                                                       BeckonCallList *call_list);
BeckonCallList     *beckon_window_get_call_list       (BeckonWindow   *self);
/* "sign-in", "home", "outgoing", "incoming" or "in-call". */
const char         *beckon_window_get_page_name       (BeckonWindow   *self);
void                beckon_window_show_history        (BeckonWindow   *self);
/* The connection state in words, as the title bar shows it. */
const char         *beckon_window_get_connection_text (BeckonWindow   *self);
void                beckon_window_set_connection_text (BeckonWindow   *self,
                                                       const char     *text);
/* A lasting warning under the title bar (no audio device), or NULL. */
void                beckon_window_set_warning         (BeckonWindow   *self,
                                                       const char     *text);
void                beckon_window_add_toast           (BeckonWindow   *self,
                                                       const char     *text);
/* How long an ended call stays on screen, in milliseconds. */
void                beckon_window_set_end_linger      (BeckonWindow   *self,
                                                       guint           milliseconds);

BeckonSignInPage   *beckon_window_get_sign_in_page    (BeckonWindow   *self);
BeckonDialPage     *beckon_window_get_dial_page       (BeckonWindow   *self);
BeckonHistoryPage  *beckon_window_get_history_page    (BeckonWindow   *self);
BeckonOutgoingPage *beckon_window_get_outgoing_page   (BeckonWindow   *self);
BeckonIncomingPage *beckon_window_get_incoming_page   (BeckonWindow   *self);
BeckonInCallPage   *beckon_window_get_in_call_page    (BeckonWindow   *self);

G_END_DECLS
