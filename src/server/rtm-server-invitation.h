/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtm-server-invitation.h: one call invitation and the arbiter state
 * machine of docs/protocol.md ("Invitations"): the first final transition
 * wins, both sides hear the same outcome, in the documented order.
 */
#pragma once

#include "rtm-server-private.h"

G_BEGIN_DECLS

typedef enum {
  RTM_SERVER_INVITATION_SENT,
  RTM_SERVER_INVITATION_RINGING,
  RTM_SERVER_INVITATION_ACCEPTED,
  RTM_SERVER_INVITATION_REFUSED,
  RTM_SERVER_INVITATION_CANCELED,
  RTM_SERVER_INVITATION_FAILED,
} RtmServerInvitationState;

#define RTM_TYPE_SERVER_INVITATION (rtm_server_invitation_get_type ())
G_DECLARE_FINAL_TYPE (RtmServerInvitation, rtm_server_invitation, RTM, SERVER_INVITATION, GObject)

RtmServerInvitation      *rtm_server_invitation_new        (RtmServer           *server,
                                                            RtmServerConnection *caller,
                                                            const char          *callee_uid,
                                                            const char          *content,
                                                            const char          *channel);
const char               *rtm_server_invitation_get_id     (RtmServerInvitation *self);
RtmServerInvitationState  rtm_server_invitation_get_state  (RtmServerInvitation *self);
gint64                    rtm_server_invitation_get_ended_at (RtmServerInvitation *self);

/* Replies to the caller's invite (@req) and rings @callee, or fails with
 * PEER_OFFLINE when @callee is NULL. */
void                      rtm_server_invitation_start      (RtmServerInvitation *self,
                                                            RtmServerConnection *callee,
                                                            gint64               req);
/* invitation_accept, invitation_refuse or invitation_cancel from @connection. */
void                      rtm_server_invitation_answer     (RtmServerInvitation *self,
                                                            RtmServerConnection *connection,
                                                            RtmFrameType         type,
                                                            gint64               req,
                                                            const char          *response);
void                      rtm_server_invitation_ack        (RtmServerInvitation *self,
                                                            RtmServerConnection *connection,
                                                            guint                ack);
/* @connection disconnected, logged out or was kicked. */
void                      rtm_server_invitation_party_gone (RtmServerInvitation *self,
                                                            RtmServerConnection *connection);
/* The server is shutting down: stop timers, send nothing more. */
void                      rtm_server_invitation_abandon    (RtmServerInvitation *self);

G_END_DECLS
