/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rtm-call"

#include "rtm-call-echo.h"

#include <beckon-echo-service.h>

static void
on_session_state_changed (BeckonVoiceSession *session,
                          BeckonVoiceState    new_state,
                          BeckonVoiceState    old_state,
                          gpointer            user_data)
{
  RtmCallPrinter *printer = user_data;
  g_autoptr(JsonObject) fields = NULL;

  if (new_state != BECKON_VOICE_STATE_CONNECTED)
    return;

  fields = json_object_new ();
  json_object_set_string_member (fields, "peer", beckon_voice_session_get_peer_id (session));
  rtm_call_printer_event (printer, "echo-call-connected", fields,
                          "echoing %s", beckon_voice_session_get_peer_id (session));
}

static void
on_session_added (BeckonEchoService  *service,
                  BeckonVoiceSession *session,
                  gpointer            user_data)
{
  RtmCallPrinter *printer = user_data;
  g_autoptr(JsonObject) fields = json_object_new ();

  json_object_set_string_member (fields, "peer", beckon_voice_session_get_peer_id (session));
  json_object_set_int_member (fields, "calls", beckon_echo_service_get_n_calls (service));
  rtm_call_printer_event (printer, "echo-call-started", fields,
                          "call from %s (%u running)", beckon_voice_session_get_peer_id (session),
                          beckon_echo_service_get_n_calls (service));
  g_signal_connect_object (session, "state-changed", G_CALLBACK (on_session_state_changed),
                           printer, G_CONNECT_DEFAULT);
}

static void
on_session_removed (BeckonEchoService  *service,
                    BeckonVoiceSession *session,
                    gpointer            user_data)
{
  RtmCallPrinter *printer = user_data;
  g_autoptr(JsonObject) fields = json_object_new ();
  const char *reason = beckon_voice_end_reason_to_string (beckon_voice_session_get_end_reason (session));

  g_signal_handlers_disconnect_by_data (session, printer);
  json_object_set_string_member (fields, "peer", beckon_voice_session_get_peer_id (session));
  json_object_set_string_member (fields, "reason", reason);
  rtm_call_printer_event (printer, "echo-call-ended", fields,
                          "call from %s ended: %s", beckon_voice_session_get_peer_id (session),
                          reason);
}

GObject *
rtm_call_echo_start (RtmClient       *client,
                     RtmCallPrinter  *printer,
                     guint            delay_ms,
                     GError         **error)
{
  g_autoptr(BeckonEchoService) service = NULL;

  g_return_val_if_fail (RTM_IS_CLIENT (client), NULL);
  g_return_val_if_fail (RTM_CALL_IS_PRINTER (printer), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  service = beckon_echo_service_new (client);
  if (service == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the echo service did not start");
      return NULL;
    }
  g_object_set (service, "delay", delay_ms, NULL);

  g_signal_connect_object (service, "session-added", G_CALLBACK (on_session_added),
                           printer, G_CONNECT_DEFAULT);
  g_signal_connect_object (service, "session-removed", G_CALLBACK (on_session_removed),
                           printer, G_CONNECT_DEFAULT);
  return G_OBJECT (g_steal_pointer (&service));
}

void
rtm_call_echo_hangup_all (GObject *echo)
{
  g_return_if_fail (BECKON_IS_ECHO_SERVICE (echo));

  beckon_echo_service_hangup_all (BECKON_ECHO_SERVICE (echo));
}
