/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "rtm-call-options.h"
#include "rtm-call-printer.h"

G_BEGIN_DECLS

#define RTM_CALL_TYPE_APP (rtm_call_app_get_type ())
G_DECLARE_FINAL_TYPE (RtmCallApp, rtm_call_app, RTM_CALL, APP, GObject)

/* Takes @options (transfer full). */
RtmCallApp *rtm_call_app_new  (RtmCallOptions *options,
                               RtmCallPrinter *printer);
/* Logs in, runs the command in a main loop until it is done, logs out and
 * returns the exit code (an RtmCallExit). */
int         rtm_call_app_run  (RtmCallApp     *self);

G_END_DECLS
