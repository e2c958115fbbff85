/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (RTM_INSIDE) && !defined (RTM_COMPILATION)
# error "Only <rtm.h> can be included directly."
#endif

#include <gio/gio.h>

#include "rtm-types.h"

G_BEGIN_DECLS

#define RTM_TYPE_CHANNEL (rtm_channel_get_type ())
G_DECLARE_FINAL_TYPE (RtmChannel, rtm_channel, RTM, CHANNEL, GObject)

/*
 * Properties: "client" (RtmClient, construct-only, weak), "channel-id"
 * (string, construct-only), "joined" (boolean, read-only).
 *
 * Signals:
 *   message-received (const char *member_id, const char *text)
 *   member-joined (const char *member_id)
 *   member-left (const char *member_id)
 *
 * A joined channel is joined again after the client reconnects.
 */

const char  *rtm_channel_get_channel_id        (RtmChannel           *self);
gboolean     rtm_channel_get_joined            (RtmChannel           *self);

void         rtm_channel_join_async            (RtmChannel           *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean     rtm_channel_join_finish           (RtmChannel           *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void         rtm_channel_leave_async           (RtmChannel           *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean     rtm_channel_leave_finish          (RtmChannel           *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void         rtm_channel_send_message_async    (RtmChannel           *self,
                                                const char           *text,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean     rtm_channel_send_message_finish   (RtmChannel           *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void         rtm_channel_get_members_async     (RtmChannel           *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
/* Returns (transfer full) a NULL-terminated array of member ids. */
GStrv        rtm_channel_get_members_finish    (RtmChannel           *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
