/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "beckon-call-page.h"

G_BEGIN_DECLS

#define BECKON_TYPE_IN_CALL_PAGE (beckon_in_call_page_get_type ())
G_DECLARE_FINAL_TYPE (BeckonInCallPage, beckon_in_call_page, BECKON, IN_CALL_PAGE, BeckonCallPage)

/* A view of the call in progress ("call", from BeckonCallPage) and of a
 * second caller waiting ("waiting-call", shown as a banner); both nullable. */

GtkWidget  *beckon_in_call_page_new              (void);
BeckonCall *beckon_in_call_page_get_waiting_call (BeckonInCallPage *self);
void        beckon_in_call_page_set_waiting_call (BeckonInCallPage *self,
                                                  BeckonCall       *call);
const char *beckon_in_call_page_get_status       (BeckonInCallPage *self);
const char *beckon_in_call_page_get_quality      (BeckonInCallPage *self);
/* The banner's text, or NULL when no call waits. */
const char *beckon_in_call_page_get_waiting_text (BeckonInCallPage *self);
double      beckon_in_call_page_get_input_level  (BeckonInCallPage *self);
double      beckon_in_call_page_get_output_level (BeckonInCallPage *self);

G_END_DECLS
