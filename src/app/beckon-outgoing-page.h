/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "beckon-call.h"

G_BEGIN_DECLS

#define BECKON_TYPE_OUTGOING_PAGE (beckon_outgoing_page_get_type ())
G_DECLARE_FINAL_TYPE (BeckonOutgoingPage, beckon_outgoing_page, BECKON, OUTGOING_PAGE, AdwBin)

/* A view of one call ("call", nullable). */

GtkWidget  *beckon_outgoing_page_new         (void);
BeckonCall *beckon_outgoing_page_get_call    (BeckonOutgoingPage *self);
void        beckon_outgoing_page_set_call    (BeckonOutgoingPage *self,
                                          BeckonCall     *call);
const char *beckon_outgoing_page_get_status  (BeckonOutgoingPage *self);
const char *beckon_outgoing_page_get_content (BeckonOutgoingPage *self);

G_END_DECLS
