/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (RTM_INSIDE) && !defined (RTM_COMPILATION)
# error "Only <rtm.h> can be included directly."
#endif

#include <glib-object.h>

#include "rtm-types.h"

G_BEGIN_DECLS

#define RTM_TYPE_REMOTE_INVITATION (rtm_remote_invitation_get_type ())
G_DECLARE_FINAL_TYPE (RtmRemoteInvitation, rtm_remote_invitation, RTM, REMOTE_INVITATION, GObject)

/*
 * The callee's side of an invitation, handed out by
 * #RtmCallManager::remote-invitation-received.
 *
 * Properties (all notify on change): "caller-id", "content", "channel-id"
 * (read-only, from the caller), "response" (settable until answered),
 * "state" (RtmRemoteInvitationState, read-only), "invitation-id"
 * (read-only), "failure-code" (RtmRemoteInvitationError, read-only).
 */

const char               *rtm_remote_invitation_get_caller_id     (RtmRemoteInvitation *self);
const char               *rtm_remote_invitation_get_content       (RtmRemoteInvitation *self);
const char               *rtm_remote_invitation_get_channel_id    (RtmRemoteInvitation *self);
const char               *rtm_remote_invitation_get_response      (RtmRemoteInvitation *self);
/* Returns FALSE (and changes nothing) once answered or ended, or when the
 * response is over 8 KiB. */
gboolean                  rtm_remote_invitation_set_response      (RtmRemoteInvitation *self,
                                                                   const char          *response);
RtmRemoteInvitationState  rtm_remote_invitation_get_state         (RtmRemoteInvitation *self);
const char               *rtm_remote_invitation_get_invitation_id (RtmRemoteInvitation *self);
RtmRemoteInvitationError  rtm_remote_invitation_get_failure_code  (RtmRemoteInvitation *self);

G_END_DECLS
