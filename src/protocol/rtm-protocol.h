/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtm-protocol.h: the wire codec shared by rtm-server and librtm.
 * docs/protocol.md is the specification; this file names its constants
 * and gives both sides one parser and one set of field readers.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define RTM_PROTOCOL_VERSION        1
#define RTM_PROTOCOL_PATH           "/rtm"

#define RTM_MAX_ID_LENGTH           64
#define RTM_MAX_CONTENT_LENGTH      8192   /* invitation content and response */
#define RTM_MAX_TEXT_LENGTH         32768  /* peer and channel message text */
#define RTM_MAX_PRESENCE_UIDS       256
#define RTM_DEFAULT_MAX_FRAME_SIZE  65536
#define RTM_HARD_MAX_FRAME_SIZE     (1024 * 1024)
#define RTM_INVITATION_ID_LENGTH    32

#define RTM_CLOSE_REMOTE_LOGIN      4001

/* Wire error codes, in docs/protocol.md's order. */
typedef enum {
  RTM_WIRE_OK = 0,
  RTM_WIRE_BAD_FRAME,
  RTM_WIRE_UNKNOWN_TYPE,
  RTM_WIRE_UNSUPPORTED_VERSION,
  RTM_WIRE_MISSING_FIELD,
  RTM_WIRE_BAD_FIELD,
  RTM_WIRE_TOO_LARGE,
  RTM_WIRE_TOO_OFTEN,
  RTM_WIRE_NOT_LOGGED_IN,
  RTM_WIRE_ALREADY_LOGGED_IN,
  RTM_WIRE_INVALID_TOKEN,
  RTM_WIRE_TOKEN_EXPIRED,
  RTM_WIRE_PEER_OFFLINE,
  RTM_WIRE_ALREADY_JOINED,
  RTM_WIRE_NOT_IN_CHANNEL,
  RTM_WIRE_UNKNOWN_INVITATION,
  RTM_WIRE_NOT_PERMITTED,
  RTM_WIRE_ALREADY_ACCEPT,
  RTM_WIRE_ALREADY_END,
  RTM_WIRE_INTERNAL,
  RTM_WIRE_N_ERRORS
} RtmWireError;

/* Errors the codec reports while reading a frame; the code is an RtmWireError. */
#define RTM_WIRE_ERROR (rtm_wire_error_quark ())
GQuark        rtm_wire_error_quark          (void);

const char   *rtm_wire_error_to_string      (RtmWireError  code);
RtmWireError  rtm_wire_error_from_string    (const char   *name);

/* Frame types, client requests first, then server frames. */
typedef enum {
  RTM_FRAME_UNKNOWN = 0,
  /* requests */
  RTM_FRAME_LOGIN,
  RTM_FRAME_LOGOUT,
  RTM_FRAME_PING,
  RTM_FRAME_QUERY_PRESENCE,
  RTM_FRAME_SUBSCRIBE_PRESENCE,
  RTM_FRAME_UNSUBSCRIBE_PRESENCE,
  RTM_FRAME_PEER_MESSAGE,
  RTM_FRAME_CHANNEL_JOIN,
  RTM_FRAME_CHANNEL_LEAVE,
  RTM_FRAME_CHANNEL_MEMBERS,
  RTM_FRAME_CHANNEL_MESSAGE,
  RTM_FRAME_INVITE,
  RTM_FRAME_INVITATION_CANCEL,
  RTM_FRAME_INVITATION_ACCEPT,
  RTM_FRAME_INVITATION_REFUSE,
  RTM_FRAME_ACK,
  /* server frames */
  RTM_FRAME_REPLY,
  RTM_FRAME_ERROR,
  RTM_FRAME_KICKED,
  RTM_FRAME_PRESENCE,
  RTM_FRAME_MEMBER_JOINED,
  RTM_FRAME_MEMBER_LEFT,
  RTM_FRAME_INVITATION_RECEIVED,
  RTM_FRAME_INVITATION_RECEIVED_BY_PEER,
  RTM_FRAME_INVITATION_ACCEPTED,
  RTM_FRAME_INVITATION_REFUSED,
  RTM_FRAME_INVITATION_CANCELED,
  RTM_FRAME_INVITATION_FAILED,
  RTM_FRAME_N_TYPES
} RtmFrameType;

/* Note: "peer_message" and "channel_message" are both requests (client to
 * server) and events (server to client); the type is the same, the members
 * differ ("to" versus "from"). */

const char   *rtm_frame_type_to_string      (RtmFrameType  type);
RtmFrameType  rtm_frame_type_from_string    (const char   *name);

/* Parsing. Returns the frame's object (owned) and its type, or NULL with
 * RTM_WIRE_ERROR BAD_FRAME / UNKNOWN_TYPE / TOO_LARGE. On UNKNOWN_TYPE the
 * object is still returned through @out_object so the caller can read "req". */
JsonObject   *rtm_frame_parse               (const char   *data,
                                             gsize         length,
                                             gsize         max_length,
                                             RtmFrameType *out_type,
                                             JsonObject  **out_object,
                                             GError      **error);

/* Reading members. Each returns FALSE (or NULL) with a BAD_FIELD or
 * MISSING_FIELD error that names the member. An optional member that is
 * absent or null yields NULL / the default and no error. */
gboolean      rtm_frame_get_req             (JsonObject   *frame,
                                             gint64       *out_req,
                                             GError      **error);
const char   *rtm_frame_get_string          (JsonObject   *frame,
                                             const char   *member,
                                             gboolean      required,
                                             gsize         max_length,
                                             GError      **error);
const char   *rtm_frame_get_id              (JsonObject   *frame,
                                             const char   *member,
                                             gboolean      required,
                                             GError      **error);
gboolean      rtm_frame_get_int             (JsonObject   *frame,
                                             const char   *member,
                                             gboolean      required,
                                             gint64        default_value,
                                             gint64       *out_value,
                                             GError      **error);
gboolean      rtm_frame_get_bool            (JsonObject   *frame,
                                             const char   *member,
                                             gboolean      required,
                                             gboolean      default_value,
                                             gboolean     *out_value,
                                             GError      **error);
/* An array of valid ids, at most @max_items; returns a NULL-terminated
 * vector of borrowed strings (free the vector only, with g_free). */
const char  **rtm_frame_get_id_array        (JsonObject   *frame,
                                             const char   *member,
                                             guint         max_items,
                                             GError      **error);

/* Building. */
JsonObject   *rtm_frame_new                 (RtmFrameType  type);
JsonObject   *rtm_frame_new_reply           (gint64        req);
JsonObject   *rtm_frame_new_error           (gint64        req,
                                             RtmWireError  code,
                                             const char   *message);
char         *rtm_frame_to_data             (JsonObject   *frame,
                                             gsize        *out_length);

/* Identifiers. */
gboolean      rtm_id_is_valid               (const char   *id);
gboolean      rtm_invitation_id_is_valid    (const char   *id);
char         *rtm_invitation_id_new         (void);

/* Tokens: "1:EXPIRY:HEX", HEX = HMAC-SHA256 (secret, UID ":" EXPIRY). */
char         *rtm_token_mint                (const char   *secret,
                                             const char   *uid,
                                             gint64        expiry_unix);
/* Returns RTM_WIRE_OK, RTM_WIRE_INVALID_TOKEN or RTM_WIRE_TOKEN_EXPIRED. */
RtmWireError  rtm_token_verify              (const char   *secret,
                                             const char   *uid,
                                             const char   *token,
                                             gint64        now_unix);

G_END_DECLS
