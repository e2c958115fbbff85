/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The media half of a voice call: one GstPipeline around one webrtcbin.
 * Private to src/voice/: BeckonVoiceSession carries its descriptions and
 * candidates over RTM. Every method is called, and every signal emitted,
 * on the main context the object was made in.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define BECKON_TYPE_VOICE_PIPELINE (beckon_voice_pipeline_get_type ())
G_DECLARE_FINAL_TYPE (BeckonVoicePipeline, beckon_voice_pipeline, BECKON, VOICE_PIPELINE, GObject)

/*
 * Signals:
 *   local-description (const char *type, const char *sdp)   "offer" or "answer"
 *   local-candidate (guint mline, const char *candidate)
 *   media-flowing ()           the first RTP packet from the peer arrived
 *   first-audio ()             the first decoded audio left the decoder
 *   connected ()               webrtcbin's connection-state became CONNECTED
 *   ice-failed ()
 *   failed (GError *error)     an element, a device or a description failed
 *   levels (double input_db, double output_db)
 *   statistics (double rtt_ms, double jitter_ms, gint64 lost, double kbps)
 */

BeckonVoicePipeline *beckon_voice_pipeline_new                (gboolean             offerer,
                                                               GstElement          *source,
                                                               GstElement          *sink,
                                                               guint                latency_ms,
                                                               gboolean             echo_cancel,
                                                               const char * const  *ice_servers);
gboolean             beckon_voice_pipeline_start              (BeckonVoicePipeline *self,
                                                               GError             **error);
void                 beckon_voice_pipeline_stop               (BeckonVoicePipeline *self);
gboolean             beckon_voice_pipeline_set_remote_description (BeckonVoicePipeline *self,
                                                               const char          *type,
                                                               const char          *sdp,
                                                               GError             **error);
gboolean             beckon_voice_pipeline_add_remote_candidate (BeckonVoicePipeline *self,
                                                               guint                mline,
                                                               const char          *candidate,
                                                               GError             **error);
void                 beckon_voice_pipeline_set_muted          (BeckonVoicePipeline *self,
                                                               gboolean             muted);
/* Monotonic time (µs) the last RTP packet from the peer was depayloaded, 0 if none. */
gint64               beckon_voice_pipeline_get_last_media_time (BeckonVoicePipeline *self);
GstElement          *beckon_voice_pipeline_get_pipeline       (BeckonVoicePipeline *self);

/* Checks a peer's candidate line before webrtcbin sees it. */
gboolean             beckon_voice_candidate_is_valid          (const char          *candidate);
/* Whether webrtcdsp and webrtcechoprobe are installed. */
gboolean             beckon_voice_have_echo_cancel            (void);

G_END_DECLS
