/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "beckon-history-entry.h"

G_BEGIN_DECLS

#define BECKON_TYPE_HISTORY (beckon_history_get_type ())
G_DECLARE_FINAL_TYPE (BeckonHistory, beckon_history, BECKON, HISTORY, GObject)

/*
 * A GListModel of BeckonHistoryEntry, newest first, kept in a JSON file
 * ("path", construct-only; by default g_get_user_data_dir()/beckon/history.json)
 * that is rewritten atomically after every change.
 */

BeckonHistory *beckon_history_new               (const char         *path);
const char    *beckon_history_get_path          (BeckonHistory      *self);
void           beckon_history_add               (BeckonHistory      *self,
                                                 BeckonHistoryEntry *entry);
void           beckon_history_clear             (BeckonHistory      *self);
/* Returns (transfer full) up to @max distinct peers, most recent first. */
GStrv          beckon_history_dup_recent_peers  (BeckonHistory      *self,
                                                 guint               max);
/* The last load or save failure, if any. */
const GError  *beckon_history_get_error         (BeckonHistory      *self);

G_END_DECLS
