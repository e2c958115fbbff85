/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * BeckonVoiceRole:
 * @BECKON_VOICE_ROLE_CALLER: sends the offer
 * @BECKON_VOICE_ROLE_CALLEE: answers
 */
typedef enum {
  BECKON_VOICE_ROLE_CALLER,
  BECKON_VOICE_ROLE_CALLEE,
} BeckonVoiceRole;

/**
 * BeckonVoiceState:
 * @BECKON_VOICE_STATE_NEW: made, not started
 * @BECKON_VOICE_STATE_CONNECTING: joined the channel, negotiating
 * @BECKON_VOICE_STATE_CONNECTED: audio flows
 * @BECKON_VOICE_STATE_ENDED: over; see #BeckonVoiceSession:end-reason
 */
typedef enum {
  BECKON_VOICE_STATE_NEW,
  BECKON_VOICE_STATE_CONNECTING,
  BECKON_VOICE_STATE_CONNECTED,
  BECKON_VOICE_STATE_ENDED,
} BeckonVoiceState;

/**
 * BeckonVoiceEndReason:
 * @BECKON_VOICE_END_NONE: not ended
 * @BECKON_VOICE_END_HANGUP_LOCAL: hung up here
 * @BECKON_VOICE_END_HANGUP_REMOTE: hung up by the peer
 * @BECKON_VOICE_END_ICE_FAILED: no network path to the peer
 * @BECKON_VOICE_END_NO_MEDIA: the peer's audio stopped arriving
 * @BECKON_VOICE_END_MEDIA_ERROR: an element or device failed, or the peer's SDP was bad
 * @BECKON_VOICE_END_CONNECT_TIMEOUT: not connected within the connect timeout
 * @BECKON_VOICE_END_SIGNALLING_ERROR: the RTM channel failed (left, or the client logged out)
 */
typedef enum {
  BECKON_VOICE_END_NONE,
  BECKON_VOICE_END_HANGUP_LOCAL,
  BECKON_VOICE_END_HANGUP_REMOTE,
  BECKON_VOICE_END_ICE_FAILED,
  BECKON_VOICE_END_NO_MEDIA,
  BECKON_VOICE_END_MEDIA_ERROR,
  BECKON_VOICE_END_CONNECT_TIMEOUT,
  BECKON_VOICE_END_SIGNALLING_ERROR,
} BeckonVoiceEndReason;

#define BECKON_VOICE_ERROR (beckon_voice_error_quark ())
GQuark beckon_voice_error_quark (void);

/**
 * BeckonVoiceError:
 * @BECKON_VOICE_ERROR_MISSING_ELEMENT: a GStreamer element is not installed
 * @BECKON_VOICE_ERROR_DEVICE: the microphone or speaker could not be opened
 * @BECKON_VOICE_ERROR_SIGNALLING: joining the channel or sending on it failed
 * @BECKON_VOICE_ERROR_BAD_SDP: the peer's description or candidate is malformed
 * @BECKON_VOICE_ERROR_STATE: the call is in the wrong state for this
 * @BECKON_VOICE_ERROR_FAILED: anything else
 */
typedef enum {
  BECKON_VOICE_ERROR_MISSING_ELEMENT,
  BECKON_VOICE_ERROR_DEVICE,
  BECKON_VOICE_ERROR_SIGNALLING,
  BECKON_VOICE_ERROR_BAD_SDP,
  BECKON_VOICE_ERROR_STATE,
  BECKON_VOICE_ERROR_FAILED,
} BeckonVoiceError;

const char *beckon_voice_end_reason_to_string (BeckonVoiceEndReason reason);

G_END_DECLS
