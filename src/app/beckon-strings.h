/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <rtm.h>

G_BEGIN_DECLS

/* Words for the user, translated; shared by pages, the window and tests. */
char     *beckon_connection_state_to_string (RtmConnectionState         state,
                                             RtmConnectionChangeReason  reason,
                                             const char                *user_id);
char     *beckon_format_duration            (gint64                     seconds);
gboolean  beckon_user_id_is_valid           (const char                *user_id);

G_END_DECLS
