/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>
#include <rtm.h>

#include "beckon-voice-types.h"
#include "beckon-voice-enum-types.h"

G_BEGIN_DECLS

#define BECKON_TYPE_VOICE_SESSION (beckon_voice_session_get_type ())
G_DECLARE_FINAL_TYPE (BeckonVoiceSession, beckon_voice_session, BECKON, VOICE_SESSION, GObject)

/*
 * Properties:
 *   "client" (RtmClient, construct-only), "channel-id", "peer-id" (construct-only),
 *   "role" (BeckonVoiceRole, construct-only),
 *   "source-description" / "sink-description" (string: a gst-launch bin
 *     description such as "audiotestsrc freq=440 is-live=true"; NULL = default),
 *   "source-device" / "sink-device" (GstDevice, nullable; wins over the description),
 *   "source-element" / "sink-element" (GstElement, nullable; wins over the
 *     device: an appsrc/appsink or a bin with one pad; the sink gets 48 kHz),
 *   With none of the three, the default devices (autoaudiosrc/autoaudiosink)
 *   are used, and start() fails with BECKON_VOICE_ERROR_DEVICE when
 *   GstDeviceMonitor finds no microphone (or speaker): no sound server.
 *   "latency" (uint ms, jitter buffer, default 30), "echo-cancel" (boolean, default TRUE
 *     where webrtcdsp exists), "muted" (boolean, read-write),
 *   "connect-timeout" (uint ms, default 20000; 0 = none), "media-timeout"
 *     (uint ms, default 3000; 0 = none: once connected, no packet from the
 *     peer for this long ends the call with NO_MEDIA),
 *   "state" (BeckonVoiceState, read-only), "end-reason" (read-only),
 *   "error" (GError boxed, read-only, nullable: why it ended, if by error).
 *
 * Signals (all on the main context the session was created in):
 *   state-changed (BeckonVoiceState new_state, BeckonVoiceState old_state)
 *   levels (double input_db, double output_db)            about 10 per second,
 *               dBFS RMS of what is sent and what is played, -100 = silence
 *   statistics (double round_trip_ms, double jitter_ms,
 *               gint64 packets_lost, double bitrate_kbps)  once a second
 */

BeckonVoiceSession   *beckon_voice_session_new            (RtmClient          *client,
                                                           const char         *channel_id,
                                                           const char         *peer_id,
                                                           BeckonVoiceRole     role);

/* Joins the channel and starts negotiating: NEW -> CONNECTING. Fails with a
 * BeckonVoiceError when an element is missing, a device cannot be opened,
 * the client is not logged in or the state is not NEW; the state then stays
 * NEW. Later failures end the call (state ENDED, see end-reason and error). */
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


G_END_DECLS
