/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "beckon-call-page.h"

G_BEGIN_DECLS

#define BECKON_TYPE_OUTGOING_PAGE (beckon_outgoing_page_get_type ())
G_DECLARE_FINAL_TYPE (BeckonOutgoingPage, beckon_outgoing_page, BECKON, OUTGOING_PAGE, BeckonCallPage)

/* A view of a call we placed ("call", from BeckonCallPage, nullable):
 * cancel it while it rings. */

GtkWidget  *beckon_outgoing_page_new         (void);
const char *beckon_outgoing_page_get_status  (BeckonOutgoingPage *self);
const char *beckon_outgoing_page_get_content (BeckonOutgoingPage *self);

G_END_DECLS
