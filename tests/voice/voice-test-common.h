/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers for the voice tests and the voice benchmark: logged-in clients,
 * a tone meter on an appsink, an invitation that becomes two sessions.
 */
#pragma once

#include <gst/gst.h>
#include <rtm.h>

#include "beckon-voice-session.h"

G_BEGIN_DECLS

/* Counts zero crossings and energy of the 48 kHz mono audio an appsink gets. */
typedef struct _VoiceMeter VoiceMeter;

VoiceMeter *voice_meter_new            (void);
void        voice_meter_free           (VoiceMeter *meter);
/* (transfer floating) an appsink feeding the meter */
GstElement *voice_meter_make_sink      (VoiceMeter *meter);
/* With @sync the appsink takes each buffer when a speaker would play it. */
GstElement *voice_meter_make_sink_full (VoiceMeter *meter,
                                        gboolean    sync);
/* Forgets what was measured so far. */
void        voice_meter_reset          (VoiceMeter *meter);
double      voice_meter_get_seconds    (VoiceMeter *meter);
double      voice_meter_get_frequency  (VoiceMeter *meter);
double      voice_meter_get_rms_db     (VoiceMeter *meter);
/* The largest |sample| since the last reset. */
int         voice_meter_get_peak       (VoiceMeter *meter);
/* Monotonic µs of the first sample louder than -40 dBFS since the meter
 * was made, 0 if none; and of the first impulse (|x| > 0.5 after 100 ms
 * below 0.12) since the last voice_meter_reset(). */
gint64      voice_meter_get_first_sound_time (VoiceMeter *meter);
gint64      voice_meter_get_impulse_time     (VoiceMeter *meter);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VoiceMeter, voice_meter_free)

/* Logs in (waits, fails the test on error). */
RtmClient  *voice_test_login           (const char *uri,
                                        const char *uid);

/* Waits until @session reaches @state (or ENDED), failing the test naming
 * @what if it does not within @timeout_ms. */
void        voice_test_wait_state      (BeckonVoiceSession *session,
                                        BeckonVoiceState    state,
                                        guint               timeout_ms,
                                        const char         *what);

/* Waits until the meter heard @seconds of audio. */
void        voice_test_wait_audio      (VoiceMeter *meter,
                                        double      seconds,
                                        guint       timeout_ms,
                                        const char *what);

/* Drops the caller's reference to *object and waits (up to @timeout_ms)
 * until it is finalized: pending requests may hold it for a moment. Fails
 * the test if it never is. Sets *object to NULL. */
#define voice_test_assert_finalized(object, timeout_ms) \
  voice_test_assert_finalized_impl ((GObject **) (object), (timeout_ms), #object)
void        voice_test_assert_finalized_impl (GObject    **object,
                                              guint        timeout_ms,
                                              const char  *what);

typedef void (*VoiceTestConfigure) (BeckonVoiceSession *session,
                                    gpointer            user_data);

/* The caller invites @callee_id on @channel_id; when accepted it makes a
 * caller session with @configure and starts it. Returns the session
 * (started, CONNECTING) once the invitation was accepted. */
BeckonVoiceSession *voice_test_invite  (RtmClient          *caller,
                                        const char         *callee_id,
                                        const char         *channel_id,
                                        VoiceTestConfigure  configure,
                                        gpointer            user_data,
                                        guint               timeout_ms);

/* The callee answers the next invitation and starts a callee session made
 * with @configure. *out is set once the session starts. */
void                voice_test_answer_next (RtmClient            *callee,
                                            VoiceTestConfigure    configure,
                                            gpointer              user_data,
                                            BeckonVoiceSession  **out);

G_END_DECLS
