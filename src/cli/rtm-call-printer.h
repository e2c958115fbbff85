/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <stdio.h>

G_BEGIN_DECLS

#define RTM_CALL_TYPE_PRINTER (rtm_call_printer_get_type ())
G_DECLARE_FINAL_TYPE (RtmCallPrinter, rtm_call_printer, RTM_CALL, PRINTER, GObject)

/*
 * Prints rtm-call's events as they happen: a time-stamped line for people,
 * or with "json" one JSON object per line,
 *   {"event": NAME, "time": UNIX_SECONDS, ...fields...}
 * Every line is flushed at once, so a reader on a pipe sees it in time.
 */

RtmCallPrinter *rtm_call_printer_new      (FILE           *out,
                                           FILE           *err,
                                           gboolean        json);
gboolean        rtm_call_printer_get_json (RtmCallPrinter *self);

/* Prints event @name with @fields (transfer none, nullable) in JSON mode,
 * or the formatted text in human mode. */
void            rtm_call_printer_event    (RtmCallPrinter *self,
                                           const char     *name,
                                           JsonObject     *fields,
                                           const char     *format,
                                           ...) G_GNUC_PRINTF (4, 5);
/* An "error" event with "message" in JSON mode; "rtm-call: MESSAGE" on
 * the error stream in human mode. */
void            rtm_call_printer_error    (RtmCallPrinter *self,
                                           const char     *format,
                                           ...) G_GNUC_PRINTF (2, 3);
/* A line on the error stream in both modes (prompts, hints). */
void            rtm_call_printer_prompt   (RtmCallPrinter *self,
                                           const char     *format,
                                           ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
