/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <rtm.h>
#include "beckon-voice-session.h"

G_BEGIN_DECLS

/**
 * BeckonCallDirection:
 * @BECKON_CALL_DIRECTION_OUTGOING: we invited the peer
 * @BECKON_CALL_DIRECTION_INCOMING: the peer invited us
 */
typedef enum {
  BECKON_CALL_DIRECTION_OUTGOING,
  BECKON_CALL_DIRECTION_INCOMING,
} BeckonCallDirection;

/**
 * BeckonCallState:
 * @BECKON_CALL_STATE_DIALING: outgoing; the invitation is on its way
 * @BECKON_CALL_STATE_ALERTING: outgoing; the peer's client rings
 * @BECKON_CALL_STATE_INCOMING: incoming; ringing here
 * @BECKON_CALL_STATE_CONNECTING: answered; the audio is being set up
 * @BECKON_CALL_STATE_ACTIVE: audio flows
 * @BECKON_CALL_STATE_ENDED: over; see #BeckonCall:end-reason
 *
 * A call's state only moves forward.
 */
typedef enum {
  BECKON_CALL_STATE_DIALING,
  BECKON_CALL_STATE_ALERTING,
  BECKON_CALL_STATE_INCOMING,
  BECKON_CALL_STATE_CONNECTING,
  BECKON_CALL_STATE_ACTIVE,
  BECKON_CALL_STATE_ENDED,
} BeckonCallState;

/**
 * BeckonCallEndReason:
 * @BECKON_CALL_END_NONE: not ended
 * @BECKON_CALL_END_CANCELLED: the caller cancelled before an answer
 * @BECKON_CALL_END_DECLINED: the callee declined
 * @BECKON_CALL_END_BUSY: the callee declined with the response "busy"
 * @BECKON_CALL_END_PEER_OFFLINE: the peer is offline or went away
 * @BECKON_CALL_END_NO_ANSWER: the peer's client never got the invitation
 * @BECKON_CALL_END_EXPIRED: nobody answered in time
 * @BECKON_CALL_END_NOT_SIGNED_IN: we are not signed in (any more)
 * @BECKON_CALL_END_HANGUP_LOCAL: we hung up
 * @BECKON_CALL_END_HANGUP_REMOTE: the peer hung up
 * @BECKON_CALL_END_MEDIA_FAILED: the audio could not be set up or broke
 * @BECKON_CALL_END_ERROR: the invitation could not be sent or answered
 */
typedef enum {
  BECKON_CALL_END_NONE,
  BECKON_CALL_END_CANCELLED,
  BECKON_CALL_END_DECLINED,
  BECKON_CALL_END_BUSY,
  BECKON_CALL_END_PEER_OFFLINE,
  BECKON_CALL_END_NO_ANSWER,
  BECKON_CALL_END_EXPIRED,
  BECKON_CALL_END_NOT_SIGNED_IN,
  BECKON_CALL_END_HANGUP_LOCAL,
  BECKON_CALL_END_HANGUP_REMOTE,
  BECKON_CALL_END_MEDIA_FAILED,
  BECKON_CALL_END_ERROR,
} BeckonCallEndReason;

/**
 * BeckonCallQuality:
 * @BECKON_CALL_QUALITY_UNKNOWN: no statistics yet
 * @BECKON_CALL_QUALITY_GOOD: low round trip, loss and jitter
 * @BECKON_CALL_QUALITY_FAIR: noticeable delay or loss
 * @BECKON_CALL_QUALITY_POOR: the call is hard to follow
 */
typedef enum {
  BECKON_CALL_QUALITY_UNKNOWN,
  BECKON_CALL_QUALITY_GOOD,
  BECKON_CALL_QUALITY_FAIR,
  BECKON_CALL_QUALITY_POOR,
} BeckonCallQuality;

#define BECKON_TYPE_CALL (beckon_call_get_type ())
G_DECLARE_FINAL_TYPE (BeckonCall, beckon_call, BECKON, CALL, GObject)

/*
 * Properties: "id" (string, unique in the process), "direction", "state",
 * "peer-id", "content", "response", "end-reason", "status" (the state in
 * words, translated), "duration" (seconds since the answer), "muted",
 * "input-level"/"output-level" (dB), "quality", "quality-text",
 * "local-invitation", "remote-invitation", "session" (nullable).
 *
 * Signals: state-changed (BeckonCallState new, BeckonCallState old).
 */

BeckonCall          *beckon_call_new_outgoing         (RtmClient            *client,
                                                       RtmLocalInvitation   *invitation);
BeckonCall          *beckon_call_new_incoming         (RtmClient            *client,
                                                       RtmRemoteInvitation  *invitation);

const char          *beckon_call_get_id               (BeckonCall           *self);
BeckonCallDirection  beckon_call_get_direction        (BeckonCall           *self);
BeckonCallState      beckon_call_get_state            (BeckonCall           *self);
const char          *beckon_call_get_peer_id          (BeckonCall           *self);
const char          *beckon_call_get_content          (BeckonCall           *self);
const char          *beckon_call_get_response         (BeckonCall           *self);
BeckonCallEndReason  beckon_call_get_end_reason       (BeckonCall           *self);
const char          *beckon_call_get_status           (BeckonCall           *self);
gint64               beckon_call_get_duration         (BeckonCall           *self);
GDateTime           *beckon_call_get_start_time       (BeckonCall           *self);
gboolean             beckon_call_get_answered         (BeckonCall           *self);
gboolean             beckon_call_get_muted            (BeckonCall           *self);
void                 beckon_call_set_muted            (BeckonCall           *self,
                                                       gboolean              muted);
double               beckon_call_get_input_level      (BeckonCall           *self);
double               beckon_call_get_output_level     (BeckonCall           *self);
BeckonCallQuality    beckon_call_get_quality          (BeckonCall           *self);
const char          *beckon_call_get_quality_text     (BeckonCall           *self);
RtmLocalInvitation  *beckon_call_get_local_invitation (BeckonCall           *self);
RtmRemoteInvitation *beckon_call_get_remote_invitation (BeckonCall          *self);
BeckonVoiceSession  *beckon_call_get_session          (BeckonCall           *self);
gboolean             beckon_call_is_ringing           (BeckonCall           *self);
gboolean             beckon_call_is_live              (BeckonCall           *self);

/* Audio set-up for the session made on answer; the call list sets these. */
void                 beckon_call_set_audio            (BeckonCall           *self,
                                                       const char           *source_description,
                                                       const char           *sink_description,
                                                       GstDevice            *source_device,
                                                       GstDevice            *sink_device,
                                                       gboolean              echo_cancel);

void                 beckon_call_send                 (BeckonCall           *self);
void                 beckon_call_accept               (BeckonCall           *self);
void                 beckon_call_decline              (BeckonCall           *self,
                                                       const char           *response);
/* Cancels, declines or hangs up, whatever fits the state. */
void                 beckon_call_hang_up              (BeckonCall           *self);

G_END_DECLS
