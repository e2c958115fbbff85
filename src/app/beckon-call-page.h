/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "beckon-call.h"

G_BEGIN_DECLS

#define BECKON_TYPE_CALL_PAGE (beckon_call_page_get_type ())
G_DECLARE_DERIVABLE_TYPE (BeckonCallPage, beckon_call_page, BECKON, CALL_PAGE, AdwBin)

/*
 * The base of the pages that show one call ("call", nullable): it holds the
 * call and the bindings and signal connections that follow it, so that a
 * page only says what it shows.
 */
struct _BeckonCallPageClass
{
  AdwBinClass parent_class;

  /* Runs once "call" changed, before it is notified: refresh the page's
   * own widgets from the new call (or NULL). */
  void (*call_changed) (BeckonCallPage *self);
};

BeckonCall   *beckon_call_page_get_call    (BeckonCallPage *self);
void          beckon_call_page_set_call    (BeckonCallPage *self,
                                            BeckonCall     *call);

/* For subclasses, from their init: show the call's peer in @avatar and
 * @peer_label and its status in @status_label. */
void          beckon_call_page_bind_peer   (BeckonCallPage *self,
                                            AdwAvatar      *avatar,
                                            GtkLabel       *peer_label,
                                            GtkLabel       *status_label);
/* For subclasses: show the message sent with the call in @label, in
 * quotes, or hide @label when there is none. */
void          beckon_call_page_show_content (BeckonCallPage *self,
                                             GtkLabel       *label);
/* For subclasses: a BeckonCall signal group that follows "call". */
GSignalGroup *beckon_call_page_get_signals (BeckonCallPage *self);

G_END_DECLS
