/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "beckon-call.h"

G_BEGIN_DECLS

#define BECKON_TYPE_INCOMING_PAGE (beckon_incoming_page_get_type ())
G_DECLARE_FINAL_TYPE (BeckonIncomingPage, beckon_incoming_page, BECKON, INCOMING_PAGE, AdwBin)

/* A view of one call ("call", nullable). */

GtkWidget  *beckon_incoming_page_new         (void);
BeckonCall *beckon_incoming_page_get_call    (BeckonIncomingPage *self);
void        beckon_incoming_page_set_call    (BeckonIncomingPage *self,
                                          BeckonCall     *call);
const char *beckon_incoming_page_get_status  (BeckonIncomingPage *self);
const char *beckon_incoming_page_get_content (BeckonIncomingPage *self);

G_END_DECLS
