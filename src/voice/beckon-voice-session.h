/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>
#include <rtm.h>

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

#define BECKON_TYPE_VOICE_SESSION (beckon_voice_session_get_type ())
G_DECLARE_FINAL_TYPE (BeckonVoiceSession, beckon_voice_session, BECKON, VOICE_SESSION, GObject)

/*
 * Properties:
 *   "client" (RtmClient, construct-only), "channel-id", "peer-id" (construct-only),
 *   "role" (BeckonVoiceRole, construct-only),
 *   "source-description" / "sink-description" (string: a gst-launch bin
 *     description such as "audiotestsrc freq=440 is-live=true"; NULL = default),
 *   "source-device" / "sink-device" (GstDevice, nullable; wins over the description),
 *   "latency" (uint ms, jitter buffer), "echo-cancel" (boolean, default TRUE
 *     where webrtcdsp exists), "muted" (boolean, read-write),
 *   "connect-timeout" (uint ms), "media-timeout" (uint ms: no audio from the
 *     peer for this long ends the call with NO_MEDIA),
 *   "state" (BeckonVoiceState, read-only), "end-reason" (read-only),
 *   "error" (GError boxed, read-only, nullable: why it ended, if by error).
 *
 * Signals (all on the main context the session was created in):
 *   state-changed (BeckonVoiceState new_state, BeckonVoiceState old_state)
 *   levels (double input_db, double output_db)            about 10 per second
 *   statistics (double round_trip_ms, double jitter_ms,
 *               gint64 packets_lost, double bitrate_kbps)  once a second
 */

BeckonVoiceSession   *beckon_voice_session_new            (RtmClient          *client,
                                                           const char         *channel_id,
                                                           const char         *peer_id,
                                                           BeckonVoiceRole     role);

/* Joins the channel and starts negotiating: NEW -> CONNECTING. Fails with a
 * BeckonVoiceError when an element is missing or the state is not NEW. */
gboolean              beckon_voice_session_start          (BeckonVoiceSession *self,
                                                           GError            **error);
/* Tells the peer and ends with HANGUP_LOCAL. Safe in any state, any number
 * of times. */
void                  beckon_voice_session_hangup         (BeckonVoiceSession *self);

BeckonVoiceState      beckon_voice_session_get_state      (BeckonVoiceSession *self);
BeckonVoiceEndReason  beckon_voice_session_get_end_reason (BeckonVoiceSession *self);
const GError         *beckon_voice_session_get_error      (BeckonVoiceSession *self);
const char           *beckon_voice_session_get_peer_id    (BeckonVoiceSession *self);
gboolean              beckon_voice_session_get_muted      (BeckonVoiceSession *self);
void                  beckon_voice_session_set_muted      (BeckonVoiceSession *self,
                                                           gboolean            muted);

/* Makes the DTLS certificate once per process, ahead of the first call.
 * Cheap after the first time; call it at start-up. */
gboolean              beckon_voice_prepare                (GError            **error);

const char           *beckon_voice_end_reason_to_string   (BeckonVoiceEndReason reason);

G_END_DECLS
