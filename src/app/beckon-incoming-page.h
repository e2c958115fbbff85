/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "beckon-call-page.h"

G_BEGIN_DECLS

#define BECKON_TYPE_INCOMING_PAGE (beckon_incoming_page_get_type ())
G_DECLARE_FINAL_TYPE (BeckonIncomingPage, beckon_incoming_page, BECKON, INCOMING_PAGE, BeckonCallPage)

/* A view of a call to us ("call", from BeckonCallPage, nullable):
 * accept or decline it while it rings. */

GtkWidget  *beckon_incoming_page_new         (void);
const char *beckon_incoming_page_get_status  (BeckonIncomingPage *self);
const char *beckon_incoming_page_get_content (BeckonIncomingPage *self);

G_END_DECLS
