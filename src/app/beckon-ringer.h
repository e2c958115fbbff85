/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "beckon-call-list.h"

G_BEGIN_DECLS

/**
 * BeckonRingerState:
 * @BECKON_RINGER_SILENT: nothing sounds
 * @BECKON_RINGER_RINGING: an incoming call rings
 * @BECKON_RINGER_RINGING_SOFTLY: an incoming call while in a call (call waiting)
 * @BECKON_RINGER_RINGBACK: our outgoing call rings at the peer's
 */
typedef enum {
  BECKON_RINGER_SILENT,
  BECKON_RINGER_RINGING,
  BECKON_RINGER_RINGING_SOFTLY,
  BECKON_RINGER_RINGBACK,
} BeckonRingerState;

#define BECKON_TYPE_RINGER (beckon_ringer_get_type ())
G_DECLARE_FINAL_TYPE (BeckonRinger, beckon_ringer, BECKON, RINGER, GObject)

/*
 * Derives from all calls of a BeckonCallList what should sound, and plays
 * it: generated tones that loop until the state changes and stop at once.
 *
 * Properties: "call-list" (construct-only), "state" (read-only),
 * "sink-description" (gst-launch description; NULL = autoaudiosink),
 * "playing" (read-only: a tone pipeline runs).
 */

BeckonRinger      *beckon_ringer_new                  (BeckonCallList *call_list);
BeckonRingerState  beckon_ringer_get_state            (BeckonRinger   *self);
gboolean           beckon_ringer_get_playing          (BeckonRinger   *self);
void               beckon_ringer_set_sink_description (BeckonRinger   *self,
                                                       const char     *description);

G_END_DECLS
