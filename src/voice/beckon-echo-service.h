/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <rtm.h>

#include "beckon-voice-session.h"

G_BEGIN_DECLS

#define BECKON_TYPE_ECHO_SERVICE (beckon_echo_service_get_type ())
G_DECLARE_FINAL_TYPE (BeckonEchoService, beckon_echo_service, BECKON, ECHO_SERVICE, GObject)

/*
 * BeckonEchoService: a sound test for one person. Made from a logged-in
 * RtmClient, it accepts every invitation on the client's call manager and,
 * for each, runs a callee BeckonVoiceSession in the invitation's channel
 * that plays the caller's own decoded audio back to them "delay"
 * milliseconds later. Several callers at once each get their own session.
 * Invitations without a channel are refused (there is nowhere to meet).
 *
 * Properties:
 *   "client" (RtmClient, construct-only)
 *   "delay" (uint ms, default 1000): how late the caller hears itself; the
 *     echo sends nothing before that, so keep it under the callers'
 *     media-timeout (3000 ms by default)
 *   "latency" (uint ms): jitter buffer of the sessions it makes
 *   "media-timeout" (uint ms): of the sessions it makes (see BeckonVoiceSession)
 *   "n-calls" (uint, read-only): sessions running now
 *
 * Signals (on the main context it was made in):
 *   session-added (BeckonVoiceSession *session)    a call was accepted
 *   session-removed (BeckonVoiceSession *session)  it ended
 *
 * Dropping the service hangs up every call it runs.
 */

BeckonEchoService *beckon_echo_service_new         (RtmClient         *client);
RtmClient         *beckon_echo_service_get_client  (BeckonEchoService *self);
guint              beckon_echo_service_get_n_calls (BeckonEchoService *self);
/* Hangs up every running call. */
void               beckon_echo_service_hangup_all  (BeckonEchoService *self);

G_END_DECLS
