/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "rtm"

#include "rtm-client-private.h"

/**
 * rtm_error_quark:
 *
 * The error domain of librtm's API calls.
 *
 * Returns: the #RTM_ERROR quark
 */
G_DEFINE_QUARK (rtm-error-quark, rtm_error)

/* docs/protocol.md, "Errors": the wire code to the API error. */
static const struct {
  RtmWireError wire;
  RtmError     error;
} wire_errors[] = {
  { RTM_WIRE_BAD_FRAME, RTM_ERROR_PROTOCOL },
  { RTM_WIRE_UNKNOWN_TYPE, RTM_ERROR_PROTOCOL },
  { RTM_WIRE_UNSUPPORTED_VERSION, RTM_ERROR_PROTOCOL },
  { RTM_WIRE_MISSING_FIELD, RTM_ERROR_INVALID_ARGUMENT },
  { RTM_WIRE_BAD_FIELD, RTM_ERROR_INVALID_ARGUMENT },
  { RTM_WIRE_TOO_LARGE, RTM_ERROR_INVALID_ARGUMENT },
  { RTM_WIRE_TOO_OFTEN, RTM_ERROR_TOO_OFTEN },
  { RTM_WIRE_NOT_LOGGED_IN, RTM_ERROR_NOT_LOGGED_IN },
  { RTM_WIRE_ALREADY_LOGGED_IN, RTM_ERROR_ALREADY_LOGGED_IN },
  { RTM_WIRE_INVALID_TOKEN, RTM_ERROR_INVALID_TOKEN },
  { RTM_WIRE_TOKEN_EXPIRED, RTM_ERROR_TOKEN_EXPIRED },
  { RTM_WIRE_PEER_OFFLINE, RTM_ERROR_PEER_OFFLINE },
  { RTM_WIRE_ALREADY_JOINED, RTM_ERROR_ALREADY_JOINED },
  { RTM_WIRE_NOT_IN_CHANNEL, RTM_ERROR_NOT_IN_CHANNEL },
  { RTM_WIRE_UNKNOWN_INVITATION, RTM_ERROR_ALREADY_END },
  { RTM_WIRE_NOT_PERMITTED, RTM_ERROR_NOT_PERMITTED },
  { RTM_WIRE_ALREADY_ACCEPT, RTM_ERROR_ALREADY_ACCEPT },
  { RTM_WIRE_ALREADY_END, RTM_ERROR_ALREADY_END },
  { RTM_WIRE_INTERNAL, RTM_ERROR_FAILED },
};

GError *
rtm_error_new_from_wire (const char *code,
                         const char *message)
{
  RtmWireError wire = rtm_wire_error_from_string (code);
  RtmError error = RTM_ERROR_FAILED;

  for (guint i = 0; i < G_N_ELEMENTS (wire_errors); i++)
    if (wire_errors[i].wire == wire)
      {
        error = wire_errors[i].error;
        break;
      }

  return g_error_new (RTM_ERROR, error, "%s: %s",
                      code != NULL ? code : "ERROR",
                      message != NULL && *message != '\0' ? message : "no details");
}
