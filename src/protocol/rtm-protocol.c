/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "rtm-protocol"

#include "rtm-protocol.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

G_DEFINE_QUARK (rtm-wire-error-quark, rtm_wire_error)

static const char * const wire_error_names[RTM_WIRE_N_ERRORS] = {
  [RTM_WIRE_OK] = "OK",
  [RTM_WIRE_BAD_FRAME] = "BAD_FRAME",
  [RTM_WIRE_UNKNOWN_TYPE] = "UNKNOWN_TYPE",
  [RTM_WIRE_UNSUPPORTED_VERSION] = "UNSUPPORTED_VERSION",
  [RTM_WIRE_MISSING_FIELD] = "MISSING_FIELD",
  [RTM_WIRE_BAD_FIELD] = "BAD_FIELD",
  [RTM_WIRE_TOO_LARGE] = "TOO_LARGE",
  [RTM_WIRE_TOO_OFTEN] = "TOO_OFTEN",
  [RTM_WIRE_NOT_LOGGED_IN] = "NOT_LOGGED_IN",
  [RTM_WIRE_ALREADY_LOGGED_IN] = "ALREADY_LOGGED_IN",
  [RTM_WIRE_INVALID_TOKEN] = "INVALID_TOKEN",
  [RTM_WIRE_TOKEN_EXPIRED] = "TOKEN_EXPIRED",
  [RTM_WIRE_PEER_OFFLINE] = "PEER_OFFLINE",
  [RTM_WIRE_ALREADY_JOINED] = "ALREADY_JOINED",
  [RTM_WIRE_NOT_IN_CHANNEL] = "NOT_IN_CHANNEL",
  [RTM_WIRE_UNKNOWN_INVITATION] = "UNKNOWN_INVITATION",
  [RTM_WIRE_NOT_PERMITTED] = "NOT_PERMITTED",
  [RTM_WIRE_ALREADY_ACCEPT] = "ALREADY_ACCEPT",
  [RTM_WIRE_ALREADY_END] = "ALREADY_END",
  [RTM_WIRE_INTERNAL] = "INTERNAL",
};

static const char * const frame_type_names[RTM_FRAME_N_TYPES] = {
  [RTM_FRAME_UNKNOWN] = NULL,
  [RTM_FRAME_LOGIN] = "login",
  [RTM_FRAME_LOGOUT] = "logout",
  [RTM_FRAME_PING] = "ping",
  [RTM_FRAME_QUERY_PRESENCE] = "query_presence",
  [RTM_FRAME_SUBSCRIBE_PRESENCE] = "subscribe_presence",
  [RTM_FRAME_UNSUBSCRIBE_PRESENCE] = "unsubscribe_presence",
  [RTM_FRAME_PEER_MESSAGE] = "peer_message",
  [RTM_FRAME_CHANNEL_JOIN] = "channel_join",
  [RTM_FRAME_CHANNEL_LEAVE] = "channel_leave",
  [RTM_FRAME_CHANNEL_MEMBERS] = "channel_members",
  [RTM_FRAME_CHANNEL_MESSAGE] = "channel_message",
  [RTM_FRAME_INVITE] = "invite",
  [RTM_FRAME_INVITATION_CANCEL] = "invitation_cancel",
  [RTM_FRAME_INVITATION_ACCEPT] = "invitation_accept",
  [RTM_FRAME_INVITATION_REFUSE] = "invitation_refuse",
  [RTM_FRAME_ACK] = "ack",
  [RTM_FRAME_REPLY] = "reply",
  [RTM_FRAME_ERROR] = "error",
  [RTM_FRAME_KICKED] = "kicked",
  [RTM_FRAME_PRESENCE] = "presence",
  [RTM_FRAME_MEMBER_JOINED] = "member_joined",
  [RTM_FRAME_MEMBER_LEFT] = "member_left",
  [RTM_FRAME_INVITATION_RECEIVED] = "invitation_received",
  [RTM_FRAME_INVITATION_RECEIVED_BY_PEER] = "invitation_received_by_peer",
  [RTM_FRAME_INVITATION_ACCEPTED] = "invitation_accepted",
  [RTM_FRAME_INVITATION_REFUSED] = "invitation_refused",
  [RTM_FRAME_INVITATION_CANCELED] = "invitation_canceled",
  [RTM_FRAME_INVITATION_FAILED] = "invitation_failed",
};

const char *
rtm_wire_error_to_string (RtmWireError code)
{
  if ((guint) code >= RTM_WIRE_N_ERRORS)
    return "INTERNAL";
  return wire_error_names[code];
}

RtmWireError
rtm_wire_error_from_string (const char *name)
{
  if (name == NULL)
    return RTM_WIRE_INTERNAL;
  for (guint i = 0; i < RTM_WIRE_N_ERRORS; i++)
    if (g_str_equal (wire_error_names[i], name))
      return (RtmWireError) i;
  return RTM_WIRE_INTERNAL;
}

const char *
rtm_frame_type_to_string (RtmFrameType type)
{
  if ((guint) type >= RTM_FRAME_N_TYPES)
    return NULL;
  return frame_type_names[type];
}

RtmFrameType
rtm_frame_type_from_string (const char *name)
{
  if (name == NULL)
    return RTM_FRAME_UNKNOWN;
  for (guint i = 1; i < RTM_FRAME_N_TYPES; i++)
    if (g_str_equal (frame_type_names[i], name))
      return (RtmFrameType) i;
  return RTM_FRAME_UNKNOWN;
}

JsonObject *
rtm_frame_parse (const char    *data,
                 gsize          length,
                 gsize          max_length,
                 RtmFrameType  *out_type,
                 JsonObject   **out_object,
                 GError       **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;
  RtmFrameType type;

  if (out_type != NULL)
    *out_type = RTM_FRAME_UNKNOWN;
  if (out_object != NULL)
    *out_object = NULL;

  if (data == NULL)
    {
      g_set_error_literal (error, RTM_WIRE_ERROR, RTM_WIRE_BAD_FRAME, "empty frame");
      return NULL;
    }
  if (max_length > 0 && length > max_length)
    {
      g_set_error (error, RTM_WIRE_ERROR, RTM_WIRE_TOO_LARGE,
                   "frame of %" G_GSIZE_FORMAT " bytes is over the limit of %" G_GSIZE_FORMAT,
                   length, max_length);
      return NULL;
    }
  if (length > G_MAXSSIZE || !g_utf8_validate (data, (gssize) length, NULL))
    {
      g_set_error_literal (error, RTM_WIRE_ERROR, RTM_WIRE_BAD_FRAME, "frame is not valid UTF-8");
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      g_set_error (error, RTM_WIRE_ERROR, RTM_WIRE_BAD_FRAME,
                   "frame is not JSON: %s", local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, RTM_WIRE_ERROR, RTM_WIRE_BAD_FRAME, "frame is not a JSON object");
      return NULL;
    }

  object = json_node_get_object (root);
  {
    JsonNode *type_node = json_object_get_member (object, "type");

    if (type_node == NULL || !JSON_NODE_HOLDS_VALUE (type_node) ||
        json_node_get_value_type (type_node) != G_TYPE_STRING)
      type = RTM_FRAME_UNKNOWN;
    else
      type = rtm_frame_type_from_string (json_node_get_string (type_node));
  }

  if (type == RTM_FRAME_UNKNOWN)
    {
      g_set_error_literal (error, RTM_WIRE_ERROR, RTM_WIRE_UNKNOWN_TYPE,
                           "frame has a missing or unknown \"type\"");
      if (out_object != NULL)
        *out_object = json_object_ref (object);
      return NULL;
    }

  if (out_type != NULL)
    *out_type = type;
  return json_object_ref (object);
}

static JsonNode *
get_member (JsonObject  *frame,
            const char  *member,
            gboolean     required,
            GError     **error)
{
  JsonNode *node = json_object_get_member (frame, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        g_set_error (error, RTM_WIRE_ERROR, RTM_WIRE_MISSING_FIELD,
                     "missing member \"%s\"", member);
      return NULL;
    }
  return node;
}

static gboolean
node_holds (JsonNode *node,
            GType     type)
{
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  return json_node_get_value_type (node) == type;
}

gboolean
rtm_frame_get_req (JsonObject  *frame,
                   gint64      *out_req,
                   GError     **error)
{
  gint64 req = 0;

  if (!rtm_frame_get_int (frame, "req", TRUE, 0, &req, error))
    return FALSE;
  if (req <= 0)
    {
      g_set_error_literal (error, RTM_WIRE_ERROR, RTM_WIRE_BAD_FIELD,
                           "member \"req\" must be a positive integer");
      return FALSE;
    }
  *out_req = req;
  return TRUE;
}

const char *
rtm_frame_get_string (JsonObject  *frame,
                      const char  *member,
                      gboolean     required,
                      gsize        max_length,
                      GError     **error)
{
  JsonNode *node;
  const char *value;

  node = get_member (frame, member, required, error);
  if (node == NULL)
    return NULL;
  if (!node_holds (node, G_TYPE_STRING))
    {
      g_set_error (error, RTM_WIRE_ERROR, RTM_WIRE_BAD_FIELD,
                   "member \"%s\" must be a string", member);
      return NULL;
    }
  value = json_node_get_string (node);
  if (max_length > 0 && strlen (value) > max_length)
    {
      g_set_error (error, RTM_WIRE_ERROR, RTM_WIRE_TOO_LARGE,
                   "member \"%s\" is over its limit of %" G_GSIZE_FORMAT " bytes",
                   member, max_length);
      return NULL;
    }
  return value;
}

const char *
rtm_frame_get_id (JsonObject  *frame,
                  const char  *member,
                  gboolean     required,
                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *value;

  value = rtm_frame_get_string (frame, member, required, 0, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (value != NULL && !rtm_id_is_valid (value))
    {
      g_set_error (error, RTM_WIRE_ERROR, RTM_WIRE_BAD_FIELD,
                   "member \"%s\" is not a valid id (1-64 printable ASCII characters, no space)",
                   member);
      return NULL;
    }
  return value;
}

gboolean
rtm_frame_get_int (JsonObject  *frame,
                   const char  *member,
                   gboolean     required,
                   gint64       default_value,
                   gint64      *out_value,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *node;

  node = get_member (frame, member, required, &local_error);
  if (node == NULL)
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      *out_value = default_value;
      return TRUE;
    }
  if (node_holds (node, G_TYPE_INT64))
    {
      *out_value = json_node_get_int (node);
      return TRUE;
    }
  if (node_holds (node, G_TYPE_DOUBLE))
    {
      double d = json_node_get_double (node);

      if (d == (double) (gint64) d && d > -9007199254740992.0 && d < 9007199254740992.0)
        {
          *out_value = (gint64) d;
          return TRUE;
        }
    }
  g_set_error (error, RTM_WIRE_ERROR, RTM_WIRE_BAD_FIELD,
               "member \"%s\" must be an integer", member);
  return FALSE;
}

gboolean
rtm_frame_get_bool (JsonObject  *frame,
                    const char  *member,
                    gboolean     required,
                    gboolean     default_value,
                    gboolean    *out_value,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *node;

  node = get_member (frame, member, required, &local_error);
  if (node == NULL)
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      *out_value = default_value;
      return TRUE;
    }
  if (!node_holds (node, G_TYPE_BOOLEAN))
    {
      g_set_error (error, RTM_WIRE_ERROR, RTM_WIRE_BAD_FIELD,
                   "member \"%s\" must be a boolean", member);
      return FALSE;
    }
  *out_value = json_node_get_boolean (node);
  return TRUE;
}

const char **
rtm_frame_get_id_array (JsonObject  *frame,
                        const char  *member,
                        guint        max_items,
                        GError     **error)
{
  g_autofree const char **ids = NULL;
  JsonNode *node;
  JsonArray *array;
  guint n;

  node = get_member (frame, member, TRUE, error);
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, RTM_WIRE_ERROR, RTM_WIRE_BAD_FIELD,
                   "member \"%s\" must be an array of ids", member);
      return NULL;
    }
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (max_items > 0 && n > max_items)
    {
      g_set_error (error, RTM_WIRE_ERROR, RTM_WIRE_TOO_LARGE,
                   "member \"%s\" has %u items, over the limit of %u", member, n, max_items);
      return NULL;
    }
  ids = g_new0 (const char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (!node_holds (item, G_TYPE_STRING) || !rtm_id_is_valid (json_node_get_string (item)))
        {
          g_set_error (error, RTM_WIRE_ERROR, RTM_WIRE_BAD_FIELD,
                       "member \"%s\" item %u is not a valid id", member, i);
          return NULL;
        }
      ids[i] = json_node_get_string (item);
    }
  return g_steal_pointer (&ids);
}

JsonObject *
rtm_frame_new (RtmFrameType type)
{
  JsonObject *frame;

  g_return_val_if_fail (type > RTM_FRAME_UNKNOWN && type < RTM_FRAME_N_TYPES, NULL);

  frame = json_object_new ();
  json_object_set_string_member (frame, "type", frame_type_names[type]);
  return frame;
}

JsonObject *
rtm_frame_new_reply (gint64 req)
{
  JsonObject *frame = rtm_frame_new (RTM_FRAME_REPLY);

  json_object_set_int_member (frame, "req", req);
  return frame;
}

JsonObject *
rtm_frame_new_error (gint64        req,
                     RtmWireError  code,
                     const char   *message)
{
  JsonObject *frame = rtm_frame_new (RTM_FRAME_ERROR);

  if (req > 0)
    json_object_set_int_member (frame, "req", req);
  json_object_set_string_member (frame, "code", rtm_wire_error_to_string (code));
  json_object_set_string_member (frame, "message", message != NULL ? message : "");
  return frame;
}

char *
rtm_frame_to_data (JsonObject *frame,
                   gsize      *out_length)
{
  g_autoptr(JsonNode) node = NULL;
  char *text;

  g_return_val_if_fail (frame != NULL, NULL);

  node = json_node_init_object (json_node_alloc (), frame);
  text = json_to_string (node, FALSE);
  if (out_length != NULL)
    *out_length = strlen (text);
  return text;
}

gboolean
rtm_id_is_valid (const char *id)
{
  static const char extra[] = "!#$%&()+-:;<=.>?@[]^_{|}~,";
  gsize n = 0;

  if (id == NULL)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++, n++)
    {
      if (n >= RTM_MAX_ID_LENGTH)
        return FALSE;
      if (!g_ascii_isalnum (*p) && strchr (extra, *p) == NULL)
        return FALSE;
    }
  return n > 0;
}

gboolean
rtm_invitation_id_is_valid (const char *id)
{
  gsize n = 0;

  if (id == NULL)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++, n++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p) || n >= RTM_INVITATION_ID_LENGTH)
      return FALSE;
  return n == RTM_INVITATION_ID_LENGTH;
}

char *
rtm_invitation_id_new (void)
{
  guint8 bytes[RTM_INVITATION_ID_LENGTH / 2];
  GString *s;
  gsize got = 0;

  while (got < sizeof bytes)
    {
      ssize_t r = getrandom (bytes + got, sizeof bytes - got, 0);

      if (r > 0)
        got += (gsize) r;
      else if (r < 0 && errno != EINTR)
        g_error ("getrandom() failed: %s", g_strerror (errno));
    }
  s = g_string_sized_new (RTM_INVITATION_ID_LENGTH + 1);
  for (gsize i = 0; i < sizeof bytes; i++)
    g_string_append_printf (s, "%02x", bytes[i]);
  return g_string_free (s, FALSE);
}

static char *
token_signature (const char *secret,
                 const char *uid,
                 gint64      expiry_unix)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret));
  g_autofree char *message = g_strdup_printf ("%s:%" G_GINT64_FORMAT, uid, expiry_unix);

  g_hmac_update (hmac, (const guchar *) message, (gssize) strlen (message));
  return g_strdup (g_hmac_get_string (hmac));
}

char *
rtm_token_mint (const char *secret,
                const char *uid,
                gint64      expiry_unix)
{
  g_autofree char *signature = NULL;

  g_return_val_if_fail (secret != NULL && *secret != '\0', NULL);
  g_return_val_if_fail (rtm_id_is_valid (uid), NULL);

  signature = token_signature (secret, uid, expiry_unix);
  return g_strdup_printf ("1:%" G_GINT64_FORMAT ":%s", expiry_unix, signature);
}

RtmWireError
rtm_token_verify (const char *secret,
                  const char *uid,
                  const char *token,
                  gint64      now_unix)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *expected = NULL;
  gint64 expiry;
  char *end = NULL;
  guint8 diff = 0;

  if (secret == NULL || uid == NULL || token == NULL)
    return RTM_WIRE_INVALID_TOKEN;

  parts = g_strsplit (token, ":", 3);
  if (g_strv_length (parts) != 3 || !g_str_equal (parts[0], "1"))
    return RTM_WIRE_INVALID_TOKEN;

  errno = 0;
  expiry = g_ascii_strtoll (parts[1], &end, 10);
  if (errno != 0 || end == parts[1] || *end != '\0')
    return RTM_WIRE_INVALID_TOKEN;

  expected = token_signature (secret, uid, expiry);
  if (strlen (expected) != strlen (parts[2]))
    return RTM_WIRE_INVALID_TOKEN;
  /* Constant time, so the signature cannot be guessed byte by byte. */
  for (gsize i = 0; expected[i] != '\0'; i++)
    diff |= (guint8) (expected[i] ^ parts[2][i]);
  if (diff != 0)
    return RTM_WIRE_INVALID_TOKEN;

  if (expiry <= now_unix)
    return RTM_WIRE_TOKEN_EXPIRED;
  return RTM_WIRE_OK;
}
