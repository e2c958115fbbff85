/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "beckon-call.h"
#include "beckon-history.h"

G_BEGIN_DECLS

#define BECKON_TYPE_CALL_LIST (beckon_call_list_get_type ())
G_DECLARE_FINAL_TYPE (BeckonCallList, beckon_call_list, BECKON, CALL_LIST, GObject)

/*
 * Owns every BeckonCall of one RtmClient, from the invitation to the end of
 * its audio, and records each in the history when it ends. A GListModel of
 * the calls in progress.
 *
 * Properties: "client" (RtmClient, nullable: changing it ends every call),
 * "history" (BeckonHistory, construct-only, nullable), "refuse-when-busy"
 * (boolean), "source-description"/"sink-description" (strings for the voice
 * session; tests use audiotestsrc/fakesink), "source-device"/"sink-device"
 * (GstDevice), "echo-cancel" (boolean).
 *
 * Signals: call-added (BeckonCall *), call-removed (BeckonCall *): removed
 * once the call ended; failed (const char *message): an action could not
 * be done.
 *
 * Actions (beckon_call_list_get_actions(), added to the application as app.*):
 * dial (ss: peer, content), call-back (s: peer), accept (s: call id or ""),
 * decline (s), hangup (s), cancel (s), mute (stateful b), clear-history.
 */

BeckonCallList *beckon_call_list_new                  (RtmClient       *client,
                                                       BeckonHistory   *history);

RtmClient      *beckon_call_list_get_client           (BeckonCallList  *self);
void            beckon_call_list_set_client           (BeckonCallList  *self,
                                                       RtmClient       *client);
BeckonHistory  *beckon_call_list_get_history          (BeckonCallList  *self);
gboolean        beckon_call_list_get_refuse_when_busy (BeckonCallList  *self);
void            beckon_call_list_set_refuse_when_busy (BeckonCallList  *self,
                                                       gboolean         refuse);
void            beckon_call_list_set_audio            (BeckonCallList  *self,
                                                       const char      *source_description,
                                                       const char      *sink_description);
void            beckon_call_list_set_devices          (BeckonCallList  *self,
                                                       GstDevice       *source_device,
                                                       GstDevice       *sink_device);
void            beckon_call_list_set_echo_cancel      (BeckonCallList  *self,
                                                       gboolean         echo_cancel);

GActionGroup   *beckon_call_list_get_actions          (BeckonCallList  *self);

/* Returns (transfer none) the new call, or NULL with a GError in
 * G_IO_ERROR (INVALID_ARGUMENT for a bad id, NOT_CONNECTED when not signed in). */
BeckonCall     *beckon_call_list_dial                 (BeckonCallList  *self,
                                                       const char      *peer_id,
                                                       const char      *content,
                                                       GError         **error);
/* Answers @call, hanging up a call in progress first. */
void            beckon_call_list_accept               (BeckonCallList  *self,
                                                       BeckonCall      *call);

/* Lookups, (transfer none) and nullable. */
BeckonCall     *beckon_call_list_find                 (BeckonCallList  *self,
                                                       const char      *call_id);
BeckonCall     *beckon_call_list_get_live_call        (BeckonCallList  *self);
BeckonCall     *beckon_call_list_get_incoming_call    (BeckonCallList  *self);
BeckonCall     *beckon_call_list_get_outgoing_call    (BeckonCallList  *self);

G_END_DECLS
