/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtm-client-private.h: the internal API between RtmClient, RtmChannel,
 * RtmCallManager and the invitation objects. Not installed.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "rtm-protocol.h"
#include "rtm-types.h"
#include "rtm-client.h"
#include "rtm-channel.h"
#include "rtm-call-manager.h"
#include "rtm-local-invitation.h"
#include "rtm-remote-invitation.h"

G_BEGIN_DECLS

/* g_set_str() arrives in GLib 2.76; we build against 2.74. */
static inline gboolean
rtm_set_str (char       **str_pointer,
             const char  *new_str)
{
  char *copy;

  if (*str_pointer == new_str ||
      (*str_pointer != NULL && new_str != NULL && g_str_equal (*str_pointer, new_str)))
    return FALSE;

  copy = g_strdup (new_str);
  g_free (*str_pointer);
  *str_pointer = copy;
  return TRUE;
}

/* rtm-types.c */
G_GNUC_INTERNAL
GError              *rtm_error_new_from_wire              (const char           *code,
                                                           const char           *message);

/* rtm-client.c: requests. The frame is sent with a fresh "req". @func is
 * called exactly once, with the reply or the mapped RtmError (timeout,
 * connection lost; G_IO_ERROR_CANCELLED when the client is disposed):
 * exactly one of @reply and @error is non-NULL, and @func owns it
 * (transfer full) and must unref or free it, e.g. by
 * g_task_return_error(). It runs synchronously while the reply is
 * dispatched, so its state changes land before the server's next frame is
 * read; and synchronously within rtm_client_request() when not
 * connected. */
typedef void (*RtmClientReplyFunc) (JsonObject *reply,
                                    GError     *error,
                                    gpointer    user_data);

G_GNUC_INTERNAL
void                 rtm_client_request                   (RtmClient            *self,
                                                           JsonObject           *frame,
                                                           RtmClientReplyFunc    func,
                                                           gpointer              user_data);
/* Acknowledges an event whose delivery was put off (see
 * rtm_call_manager_handle_event()). */
G_GNUC_INTERNAL
void                 rtm_client_send_ack                  (RtmClient            *self,
                                                           gint64                ack);
G_GNUC_INTERNAL
gboolean             rtm_client_is_logged_in              (RtmClient            *self);

/* rtm-channel.c */
G_GNUC_INTERNAL
RtmChannel          *rtm_channel_new                      (RtmClient            *client,
                                                           const char           *channel_id);
G_GNUC_INTERNAL
void                 rtm_channel_handle_event             (RtmChannel           *self,
                                                           RtmFrameType          type,
                                                           JsonObject           *frame);
/* The connection dropped: not joined any more, but joined again by
 * rtm_channel_rejoin() after the reconnect. */
G_GNUC_INTERNAL
void                 rtm_channel_connection_lost          (RtmChannel           *self);
/* Logged out: not joined and not joined again. */
G_GNUC_INTERNAL
void                 rtm_channel_reset                    (RtmChannel           *self);
G_GNUC_INTERNAL
void                 rtm_channel_rejoin                   (RtmChannel           *self);

/* rtm-call-manager.c */
G_GNUC_INTERNAL
RtmCallManager      *rtm_call_manager_new                 (RtmClient            *client);
/* Returns FALSE when the event was put off until the invite it belongs
 * to is answered; the manager then acks it itself once delivered. */
G_GNUC_INTERNAL
gboolean             rtm_call_manager_handle_event        (RtmCallManager       *self,
                                                           RtmFrameType          type,
                                                           JsonObject           *frame);
/* Ends every invitation in flight with NOT_LOGGEDIN (logout, dropped
 * connection, kicked). */
G_GNUC_INTERNAL
void                 rtm_call_manager_end_all             (RtmCallManager       *self);

/* rtm-local-invitation.c */
G_GNUC_INTERNAL
RtmLocalInvitation  *rtm_local_invitation_new             (const char           *callee_id);
/* Moves the state forward; returns FALSE (and changes nothing) otherwise. */
G_GNUC_INTERNAL
gboolean             rtm_local_invitation_set_state       (RtmLocalInvitation   *self,
                                                           RtmLocalInvitationState state);
G_GNUC_INTERNAL
gboolean             rtm_local_invitation_is_final        (RtmLocalInvitation   *self);
G_GNUC_INTERNAL
void                 rtm_local_invitation_lock            (RtmLocalInvitation   *self);
G_GNUC_INTERNAL
gboolean             rtm_local_invitation_is_locked       (RtmLocalInvitation   *self);
G_GNUC_INTERNAL
void                 rtm_local_invitation_set_invitation_id (RtmLocalInvitation *self,
                                                           const char           *invitation_id);
G_GNUC_INTERNAL
void                 rtm_local_invitation_set_remote_response (RtmLocalInvitation *self,
                                                           const char           *response);
G_GNUC_INTERNAL
void                 rtm_local_invitation_set_failure_code (RtmLocalInvitation  *self,
                                                           RtmLocalInvitationError code);

/* rtm-remote-invitation.c */
G_GNUC_INTERNAL
RtmRemoteInvitation *rtm_remote_invitation_new            (const char           *invitation_id,
                                                           const char           *caller_id,
                                                           const char           *content,
                                                           const char           *channel_id);
G_GNUC_INTERNAL
gboolean             rtm_remote_invitation_set_state      (RtmRemoteInvitation  *self,
                                                           RtmRemoteInvitationState state);
G_GNUC_INTERNAL
gboolean             rtm_remote_invitation_is_final       (RtmRemoteInvitation  *self);
G_GNUC_INTERNAL
void                 rtm_remote_invitation_lock           (RtmRemoteInvitation  *self);
G_GNUC_INTERNAL
gboolean             rtm_remote_invitation_is_locked      (RtmRemoteInvitation  *self);
G_GNUC_INTERNAL
void                 rtm_remote_invitation_set_failure_code (RtmRemoteInvitation *self,
                                                           RtmRemoteInvitationError code);

G_END_DECLS
