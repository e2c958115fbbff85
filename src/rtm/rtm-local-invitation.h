/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (RTM_INSIDE) && !defined (RTM_COMPILATION)
# error "Only <rtm.h> can be included directly."
#endif

#include <glib-object.h>

#include "rtm-types.h"

G_BEGIN_DECLS

#define RTM_TYPE_LOCAL_INVITATION (rtm_local_invitation_get_type ())
G_DECLARE_FINAL_TYPE (RtmLocalInvitation, rtm_local_invitation, RTM, LOCAL_INVITATION, GObject)

/*
 * The caller's side of an invitation, made by
 * rtm_call_manager_create_local_invitation().
 *
 * Properties (all notify on change): "callee-id" (construct-only),
 * "content" and "channel-id" (settable while IDLE), "response" (read-only,
 * the callee's), "state" (RtmLocalInvitationState, read-only),
 * "invitation-id" (read-only, the server's id once sent, else NULL),
 * "failure-code" (RtmLocalInvitationError, read-only).
 */

const char              *rtm_local_invitation_get_callee_id     (RtmLocalInvitation *self);
const char              *rtm_local_invitation_get_content       (RtmLocalInvitation *self);
/* The setters return FALSE (and change nothing) once the invitation was sent,
 * or when the value is over its limit (content 8 KiB) or an invalid channel id. */
gboolean                 rtm_local_invitation_set_content       (RtmLocalInvitation *self,
                                                                 const char         *content);
const char              *rtm_local_invitation_get_channel_id    (RtmLocalInvitation *self);
gboolean                 rtm_local_invitation_set_channel_id    (RtmLocalInvitation *self,
                                                                 const char         *channel_id);
const char              *rtm_local_invitation_get_response      (RtmLocalInvitation *self);
RtmLocalInvitationState  rtm_local_invitation_get_state         (RtmLocalInvitation *self);
const char              *rtm_local_invitation_get_invitation_id (RtmLocalInvitation *self);
RtmLocalInvitationError  rtm_local_invitation_get_failure_code  (RtmLocalInvitation *self);

G_END_DECLS
