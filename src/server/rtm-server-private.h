/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtm-server-private.h: what RtmServer offers its connections and
 * invitations, not the program.
 */
#pragma once

#include "rtm-server.h"
#include "rtm-server-connection.h"

G_BEGIN_DECLS

typedef struct _RtmServerInvitation RtmServerInvitation;

RtmServerConfig *rtm_server_get_config          (RtmServer           *self);

/* A frame the connection accepted (rate limit passed, parsed, known type). */
void             rtm_server_handle_frame        (RtmServer           *self,
                                                 RtmServerConnection *connection,
                                                 RtmFrameType         type,
                                                 gint64               req,
                                                 JsonObject          *frame);
/* The connection is gone for the protocol (closed, closing, dead); called
 * once per connection. */
void             rtm_server_detach_connection   (RtmServer           *self,
                                                 RtmServerConnection *connection);
/* libsoup finished with the connection: drop it. */
void             rtm_server_remove_connection   (RtmServer           *self,
                                                 RtmServerConnection *connection);

/* Ack numbers are unique server-wide; the ack names the invitation. */
guint            rtm_server_register_ack        (RtmServer           *self,
                                                 RtmServerInvitation *invitation);
void             rtm_server_unregister_ack      (RtmServer           *self,
                                                 guint                ack);
/* The invitation ended and waits for nothing: keep its id for the linger
 * time so late requests get ALREADY_END / ALREADY_ACCEPT. */
void             rtm_server_linger_invitation   (RtmServer           *self,
                                                 RtmServerInvitation *invitation);

G_END_DECLS
