/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <rtm.h>

#include "beckon-history.h"

G_BEGIN_DECLS

#define BECKON_TYPE_DIAL_PAGE (beckon_dial_page_get_type ())
G_DECLARE_FINAL_TYPE (BeckonDialPage, beckon_dial_page, BECKON, DIAL_PAGE, AdwBin)

/*
 * Properties: "client" (RtmClient, nullable: for presence as you type),
 * "history" (BeckonHistory, nullable: the recent peers).
 * Call activates app.dial with (peer, content); a recent peer's button
 * activates app.call-back.
 */

GtkWidget  *beckon_dial_page_new               (void);
void        beckon_dial_page_set_client        (BeckonDialPage *self,
                                                RtmClient      *client);
void        beckon_dial_page_set_history       (BeckonDialPage *self,
                                                BeckonHistory  *history);
const char *beckon_dial_page_get_peer_id       (BeckonDialPage *self);
void        beckon_dial_page_set_peer_id       (BeckonDialPage *self,
                                                const char     *peer_id);
void        beckon_dial_page_set_content       (BeckonDialPage *self,
                                                const char     *content);
/* "bob is online", "bob is offline" or NULL while unknown. */
const char *beckon_dial_page_get_presence_text (BeckonDialPage *self);
guint       beckon_dial_page_get_n_recent      (BeckonDialPage *self);
gboolean    beckon_dial_page_can_call          (BeckonDialPage *self);
void        beckon_dial_page_call              (BeckonDialPage *self);

G_END_DECLS
