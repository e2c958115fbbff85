/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "beckon-history.h"

G_BEGIN_DECLS

#define BECKON_TYPE_HISTORY_PAGE (beckon_history_page_get_type ())
G_DECLARE_FINAL_TYPE (BeckonHistoryPage, beckon_history_page, BECKON, HISTORY_PAGE, AdwBin)

/* A view of a BeckonHistory ("history", nullable); each row calls back
 * through app.call-back, the Clear button activates app.clear-history. */

GtkWidget     *beckon_history_page_new         (void);
BeckonHistory *beckon_history_page_get_history (BeckonHistoryPage *self);
void           beckon_history_page_set_history (BeckonHistoryPage *self,
                                                BeckonHistory     *history);
/* The row at @index's title and subtitle, for tests. */
GtkWidget     *beckon_history_page_get_row     (BeckonHistoryPage *self,
                                                guint              index);
gboolean       beckon_history_page_is_empty    (BeckonHistoryPage *self);

/* "Missed call · 14:02 · 00:32", as a row's subtitle shows it. */
char          *beckon_history_entry_describe   (BeckonHistoryEntry *entry);

G_END_DECLS
