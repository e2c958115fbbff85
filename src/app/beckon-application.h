/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "beckon-call-list.h"
#include "beckon-ringer.h"

G_BEGIN_DECLS

#define BECKON_TYPE_APPLICATION (beckon_application_get_type ())
G_DECLARE_FINAL_TYPE (BeckonApplication, beckon_application, BECKON, APPLICATION, AdwApplication)

/*
 * The app: one instance, GSettings, the account (RtmClient), the call list
 * whose actions become app.*, the ringer, notifications, and the embedded
 * server plus echo service for newcomers.
 *
 * Audio: $BECKON_AUDIO_SOURCE and $BECKON_AUDIO_SINK (gst-launch
 * descriptions) override the devices, for tests and demos.
 */

BeckonApplication *beckon_application_new            (void);
BeckonCallList    *beckon_application_get_call_list  (BeckonApplication *self);
BeckonRinger      *beckon_application_get_ringer     (BeckonApplication *self);
void               beckon_application_sign_in        (BeckonApplication *self,
                                                      const char        *server_uri,
                                                      const char        *user_id,
                                                      const char        *token);
void               beckon_application_sign_out       (BeckonApplication *self);

G_END_DECLS
