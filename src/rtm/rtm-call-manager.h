/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (RTM_INSIDE) && !defined (RTM_COMPILATION)
# error "Only <rtm.h> can be included directly."
#endif

#include <gio/gio.h>

#include "rtm-types.h"
#include "rtm-local-invitation.h"
#include "rtm-remote-invitation.h"

G_BEGIN_DECLS

#define RTM_TYPE_CALL_MANAGER (rtm_call_manager_get_type ())
G_DECLARE_FINAL_TYPE (RtmCallManager, rtm_call_manager, RTM, CALL_MANAGER, GObject)

/*
 * Owned by its RtmClient (rtm_client_get_call_manager()). Signals, named
 * after the seed's callbacks:
 *
 *   local-invitation-received-by-peer (RtmLocalInvitation *inv)
 *   local-invitation-accepted (RtmLocalInvitation *inv, const char *response)
 *   local-invitation-refused (RtmLocalInvitation *inv, const char *response)
 *   local-invitation-canceled (RtmLocalInvitation *inv)
 *   local-invitation-failure (RtmLocalInvitation *inv, RtmLocalInvitationError code)
 *   remote-invitation-received (RtmRemoteInvitation *inv)
 *   remote-invitation-accepted (RtmRemoteInvitation *inv)
 *   remote-invitation-refused (RtmRemoteInvitation *inv)
 *   remote-invitation-canceled (RtmRemoteInvitation *inv)
 *   remote-invitation-failure (RtmRemoteInvitation *inv, RtmRemoteInvitationError code)
 *
 * The invitation's state has changed when its signal is emitted. Each
 * invitation object gets exactly one final signal.
 */

RtmLocalInvitation *rtm_call_manager_create_local_invitation    (RtmCallManager       *self,
                                                                 const char           *callee_id);

void                rtm_call_manager_send_local_invitation_async     (RtmCallManager       *self,
                                                                      RtmLocalInvitation   *invitation,
                                                                      GCancellable         *cancellable,
                                                                      GAsyncReadyCallback   callback,
                                                                      gpointer              user_data);
gboolean            rtm_call_manager_send_local_invitation_finish    (RtmCallManager       *self,
                                                                      GAsyncResult         *result,
                                                                      GError              **error);
void                rtm_call_manager_cancel_local_invitation_async   (RtmCallManager       *self,
                                                                      RtmLocalInvitation   *invitation,
                                                                      GCancellable         *cancellable,
                                                                      GAsyncReadyCallback   callback,
                                                                      gpointer              user_data);
gboolean            rtm_call_manager_cancel_local_invitation_finish  (RtmCallManager       *self,
                                                                      GAsyncResult         *result,
                                                                      GError              **error);
void                rtm_call_manager_accept_remote_invitation_async  (RtmCallManager       *self,
                                                                      RtmRemoteInvitation  *invitation,
                                                                      GCancellable         *cancellable,
                                                                      GAsyncReadyCallback   callback,
                                                                      gpointer              user_data);
gboolean            rtm_call_manager_accept_remote_invitation_finish (RtmCallManager       *self,
                                                                      GAsyncResult         *result,
                                                                      GError              **error);
void                rtm_call_manager_refuse_remote_invitation_async  (RtmCallManager       *self,
                                                                      RtmRemoteInvitation  *invitation,
                                                                      GCancellable         *cancellable,
                                                                      GAsyncReadyCallback   callback,
                                                                      gpointer              user_data);
gboolean            rtm_call_manager_refuse_remote_invitation_finish (RtmCallManager       *self,
                                                                      GAsyncResult         *result,
                                                                      GError              **error);

G_END_DECLS
