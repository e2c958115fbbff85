/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The voice part of rtm-call, built only when the voice session is: runs
 * one BeckonVoiceSession for an accepted invitation and prints its state,
 * levels and statistics.
 */
#pragma once

#include <rtm.h>

#include "rtm-call-options.h"
#include "rtm-call-printer.h"

G_BEGIN_DECLS

#define RTM_CALL_TYPE_AUDIO (rtm_call_audio_get_type ())
G_DECLARE_FINAL_TYPE (RtmCallAudio, rtm_call_audio, RTM_CALL, AUDIO, GObject)

/*
 * Signals:
 *   ended ()   the call is over; rtm_call_audio_get_exit_code() says how
 */

/* Makes the DTLS certificate ahead of the first call and checks that the
 * elements exist. */
gboolean      rtm_call_audio_prepare        (GError         **error);

RtmCallAudio *rtm_call_audio_new            (RtmClient       *client,
                                             RtmCallPrinter  *printer,
                                             const char      *channel_id,
                                             const char      *peer_id,
                                             gboolean         caller,
                                             gboolean         test_audio,
                                             double           duration);
gboolean      rtm_call_audio_start          (RtmCallAudio    *self,
                                             GError         **error);
/* Hangs up; "ended" follows. Safe at any time. */
void          rtm_call_audio_hangup         (RtmCallAudio    *self);
gboolean      rtm_call_audio_get_ended      (RtmCallAudio    *self);
const char   *rtm_call_audio_get_peer_id    (RtmCallAudio    *self);
/* RTM_CALL_EXIT_OK when either side hung up, RTM_CALL_EXIT_DROPPED otherwise. */
RtmCallExit   rtm_call_audio_get_exit_code  (RtmCallAudio    *self);

G_END_DECLS
