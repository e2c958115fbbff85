/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The echo command's glue: runs a BeckonEchoService on a logged-in client
 * and prints its calls. Built only with the voice session.
 */
#pragma once

#include <rtm.h>

#include "rtm-call-printer.h"

G_BEGIN_DECLS

/* Returns (transfer full) the running BeckonEchoService. */
GObject *rtm_call_echo_start       (RtmClient      *client,
                                    RtmCallPrinter *printer,
                                    guint           delay_ms,
                                    GError        **error);
/* Hangs up every call the service runs. */
void     rtm_call_echo_hangup_all  (GObject        *echo);

G_END_DECLS
