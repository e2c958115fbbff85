/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtm-server-connection.h: one client's WebSocket on the server: its
 * authentication state, rate limiter, keepalive deadline and the order of
 * its replies.
 */
#pragma once

#include <libsoup/soup.h>

#include "rtm-protocol.h"

G_BEGIN_DECLS

typedef struct _RtmServer RtmServer;

#define RTM_TYPE_SERVER_CONNECTION (rtm_server_connection_get_type ())
G_DECLARE_FINAL_TYPE (RtmServerConnection, rtm_server_connection, RTM, SERVER_CONNECTION, GObject)

/* A reply held back until an event's ack (docs/protocol.md, "Event order"). */
typedef struct _RtmServerReplySlot RtmServerReplySlot;

/* @peer names the client in the log ("host:port"). */
RtmServerConnection *rtm_server_connection_new              (RtmServer               *server,
                                                             SoupWebsocketConnection *websocket,
                                                             const char              *peer);
SoupWebsocketConnection *rtm_server_connection_get_websocket (RtmServerConnection    *self);
const char          *rtm_server_connection_get_uid          (RtmServerConnection     *self);
void                 rtm_server_connection_set_uid          (RtmServerConnection     *self,
                                                             const char              *uid);
gboolean             rtm_server_connection_is_open          (RtmServerConnection     *self);
const char          *rtm_server_connection_get_peer         (RtmServerConnection     *self);

/* Events: sent at once. */
void                 rtm_server_connection_send             (RtmServerConnection     *self,
                                                             JsonObject              *frame);
/* Replies and errors to requests: sent in the order the requests came. */
void                 rtm_server_connection_reply            (RtmServerConnection     *self,
                                                             JsonObject              *frame);
void                 rtm_server_connection_reply_error      (RtmServerConnection     *self,
                                                             gint64                   req,
                                                             RtmWireError             code,
                                                             const char              *message);
RtmServerReplySlot  *rtm_server_connection_defer_reply      (RtmServerConnection     *self);
void                 rtm_server_connection_complete_reply   (RtmServerConnection     *self,
                                                             RtmServerReplySlot      *slot,
                                                             JsonObject              *frame);

/* Closes with @code; the server forgets the connection at once, whether or
 * not the peer answers the close. */
void                 rtm_server_connection_close            (RtmServerConnection     *self,
                                                             gushort                  code,
                                                             const char              *reason);
/* Called by the server's sweep: closes the connection if it stayed
 * unauthenticated or silent for too long, and sends the keepalive ping
 * when one is due. */
void                 rtm_server_connection_check_deadlines  (RtmServerConnection     *self,
                                                             gint64                   now);

/* What the connection is part of, for the server to undo when it goes.
 * Created on first use; the arrays hold references / owned strings. */
GPtrArray           *rtm_server_connection_get_invitations  (RtmServerConnection     *self);
GPtrArray           *rtm_server_connection_get_channels     (RtmServerConnection     *self);
GPtrArray           *rtm_server_connection_get_subscriptions (RtmServerConnection    *self);
void                 rtm_server_connection_remove_invitation (RtmServerConnection  *self,
                                                             gpointer                 invitation);
/* Hands the arrays over (may be NULL), leaving the connection with none. */
GPtrArray           *rtm_server_connection_steal_invitations (RtmServerConnection    *self);
GPtrArray           *rtm_server_connection_steal_channels   (RtmServerConnection     *self);
GPtrArray           *rtm_server_connection_steal_subscriptions (RtmServerConnection  *self);

G_END_DECLS
