/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "test-ws-client.h"

#include <check.h>
#include <string.h>

#include "rtm-test-server.h"

struct _TestClient
{
  SoupSession             *session;
  SoupWebsocketConnection *websocket;
  GError                  *connect_error;
  GTlsCertificate         *peer_certificate;
  GQueue                   frames;      /* JsonObject, unread */
  GPtrArray               *log;
  char                    *uid;
  gint64                   next_req;
  gboolean                 auto_ack;
  gboolean                 connected;
  gboolean                 closed;
};

static void
on_message (SoupWebsocketConnection *websocket,
            int                      data_type,
            GBytes                  *message,
            gpointer                 user_data)
{
  TestClient *self = user_data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize length = 0;
  const char *data = g_bytes_get_data (message, &length);
  JsonObject *frame;
  const char *invitation;

  ck_assert_msg (data_type == SOUP_WEBSOCKET_DATA_TEXT, "the server sent a binary message");
  ck_assert_msg (json_parser_load_from_data (parser, data, (gssize) length, NULL),
                 "the server sent a frame that is not JSON: %.*s", (int) length, data);
  ck_assert_msg (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)),
                 "the server sent a frame that is not an object");
  frame = json_object_ref (json_node_get_object (json_parser_get_root (parser)));

  invitation = json_object_get_string_member_with_default (frame, "invitation", NULL);
  g_ptr_array_add (self->log,
                   invitation ? g_strdup_printf ("%s:%s", json_object_get_string_member (frame, "type"), invitation)
                              : g_strdup (json_object_get_string_member (frame, "type")));

  if (self->auto_ack && json_object_has_member (frame, "ack"))
    test_client_ack (self, json_object_get_int_member (frame, "ack"));
  g_queue_push_tail (&self->frames, frame);
}

static void
on_closed (SoupWebsocketConnection *websocket,
           gpointer                 user_data)
{
  TestClient *self = user_data;

  self->closed = TRUE;
}

/* The TLS test serves a self-signed certificate. */
static gboolean
on_accept_certificate (SoupMessage          *message,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  return TRUE;
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  TestClient *self = user_data;

  self->websocket = soup_session_websocket_connect_finish (SOUP_SESSION (source), result,
                                                           &self->connect_error);
  self->connected = TRUE;
}

TestClient *
test_client_connect (const char *uri)
{
  TestClient *self = g_new0 (TestClient, 1);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);

  self->session = soup_session_new ();
  self->log = g_ptr_array_new_with_free_func (g_free);
  self->auto_ack = TRUE;
  g_queue_init (&self->frames);

  g_signal_connect (message, "accept-certificate", G_CALLBACK (on_accept_certificate), NULL);
  soup_session_websocket_connect_async (self->session, message, NULL, NULL,
                                        G_PRIORITY_DEFAULT, NULL, on_connected, self);
  rtm_test_wait_for (self->connected, TEST_TIMEOUT_MS, "the WebSocket handshake");
  ck_assert_msg (self->websocket != NULL, "cannot connect to %s: %s", uri,
                 self->connect_error ? self->connect_error->message : "?");
  if (soup_message_get_tls_peer_certificate (message) != NULL)
    self->peer_certificate = g_object_ref (soup_message_get_tls_peer_certificate (message));
  soup_websocket_connection_set_max_incoming_payload_size (self->websocket, 4 * 1024 * 1024);
  g_signal_connect (self->websocket, "message", G_CALLBACK (on_message), self);
  g_signal_connect (self->websocket, "closed", G_CALLBACK (on_closed), self);
  return self;
}

guint
test_client_connect_refused (const char *uri)
{
  TestClient *self = g_new0 (TestClient, 1);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);
  guint status;

  self->session = soup_session_new ();
  self->log = g_ptr_array_new_with_free_func (g_free);
  g_queue_init (&self->frames);
  soup_session_websocket_connect_async (self->session, message, NULL, NULL,
                                        G_PRIORITY_DEFAULT, NULL, on_connected, self);
  rtm_test_wait_for (self->connected, TEST_TIMEOUT_MS, "the WebSocket handshake");
  status = self->websocket != NULL ? 0 : soup_message_get_status (message);
  test_client_free (self);
  return status;
}

TestClient *
test_client_login (const char *uri,
                   const char *uid,
                   const char *token)
{
  TestClient *self = test_client_connect (uri);
  g_autoptr(JsonObject) reply = NULL;
  gint64 req;

  if (token != NULL)
    req = test_client_request (self, "login", "\"version\": 1, \"uid\": \"%s\", \"token\": \"%s\"", uid, token);
  else
    req = test_client_request (self, "login", "\"version\": 1, \"uid\": \"%s\"", uid);
  reply = test_client_expect_reply (self, req);
  ck_assert_str_eq (json_object_get_string_member (reply, "uid"), uid);
  self->uid = g_strdup (uid);
  return self;
}

void
test_client_free (TestClient *self)
{
  if (self == NULL)
    return;
  if (self->websocket != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->websocket, self);
      if (soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->websocket);
    }
  g_queue_clear_full (&self->frames, (GDestroyNotify) json_object_unref);
  g_clear_pointer (&self->log, g_ptr_array_unref);
  g_clear_error (&self->connect_error);
  g_clear_object (&self->peer_certificate);
  g_clear_object (&self->session);
  g_free (self->uid);
  g_free (self);
}

const char *
test_client_get_uid (TestClient *self)
{
  return self->uid;
}

void
test_client_set_auto_ack (TestClient *self,
                          gboolean    auto_ack)
{
  self->auto_ack = auto_ack;
}

void
test_client_send_text (TestClient *self,
                       const char *text)
{
  ck_assert_msg (soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN,
                 "sending on a closed connection: %s", text);
  soup_websocket_connection_send_text (self->websocket, text);
}

void
test_client_send_binary (TestClient *self,
                         gsize       length)
{
  g_autofree guint8 *data = g_malloc0 (length);

  soup_websocket_connection_send_binary (self->websocket, data, length);
}

gint64
test_client_request (TestClient *self,
                     const char *type,
                     const char *members_format,
                     ...)
{
  g_autofree char *members = NULL;
  g_autofree char *text = NULL;
  gint64 req = ++self->next_req;

  if (members_format != NULL)
    {
      va_list args;

      va_start (args, members_format);
      members = g_strdup_vprintf (members_format, args);
      va_end (args);
    }
  text = g_strdup_printf ("{\"type\": \"%s\", \"req\": %" G_GINT64_FORMAT "%s%s}", type, req,
                          members ? ", " : "", members ? members : "");
  test_client_send_text (self, text);
  return req;
}

void
test_client_ack (TestClient *self,
                 gint64      ack)
{
  g_autofree char *text = g_strdup_printf ("{\"type\": \"ack\", \"ack\": %" G_GINT64_FORMAT "}", ack);

  if (soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    test_client_send_text (self, text);
}

typedef gboolean (*Match) (JsonObject *frame, gconstpointer a, gconstpointer b);

static JsonObject *
take (TestClient *self,
      Match       match,
      gconstpointer a,
      gconstpointer b)
{
  for (GList *l = self->frames.head; l != NULL; l = l->next)
    if (match (l->data, a, b))
      {
        JsonObject *frame = l->data;

        g_queue_delete_link (&self->frames, l);
        return frame;
      }
  return NULL;
}

static gboolean
on_deadline (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

static JsonObject *
wait_for (TestClient    *self,
          Match          match,
          gconstpointer  a,
          gconstpointer  b,
          guint          timeout_ms)
{
  gboolean expired = FALSE;
  guint deadline = g_timeout_add (timeout_ms, on_deadline, &expired);
  JsonObject *frame;

  while ((frame = take (self, match, a, b)) == NULL && !expired && !self->closed)
    g_main_context_iteration (NULL, TRUE);
  if (frame == NULL && self->closed)
    frame = take (self, match, a, b);
  if (!expired)
    g_source_remove (deadline);
  return frame;
}

static const char *
type_of (JsonObject *frame)
{
  return json_object_get_string_member_with_default (frame, "type", "");
}

static gboolean
match_req (JsonObject    *frame,
           gconstpointer  a,
           gconstpointer  b)
{
  gint64 req = *(const gint64 *) a;

  if (!g_str_equal (type_of (frame), "reply") && !g_str_equal (type_of (frame), "error"))
    return FALSE;
  return json_object_get_int_member_with_default (frame, "req", 0) == req;
}

static char *
describe_pending (TestClient *self)
{
  GString *s = g_string_new ("");

  for (GList *l = self->frames.head; l != NULL; l = l->next)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), l->data);
      g_autofree char *text = json_to_string (node, FALSE);

      g_string_append_printf (s, "\n  %s", text);
    }
  return g_string_free (s, FALSE);
}

JsonObject *
test_client_expect_reply (TestClient *self,
                          gint64      req)
{
  JsonObject *frame = wait_for (self, match_req, &req, NULL, TEST_TIMEOUT_MS);
  g_autofree char *pending = describe_pending (self);

  ck_assert_msg (frame != NULL, "%s: no reply to request %" G_GINT64_FORMAT " (unread:%s)",
                 self->uid ? self->uid : "client", req, pending);
  ck_assert_msg (g_str_equal (type_of (frame), "reply"),
                 "%s: request %" G_GINT64_FORMAT " failed with %s: %s",
                 self->uid ? self->uid : "client", req,
                 json_object_get_string_member_with_default (frame, "code", "?"),
                 json_object_get_string_member_with_default (frame, "message", "?"));
  return frame;
}

static gboolean
match_error (JsonObject    *frame,
             gconstpointer  a,
             gconstpointer  b)
{
  gint64 req = *(const gint64 *) a;

  if (!g_str_equal (type_of (frame), "error") && !g_str_equal (type_of (frame), "reply"))
    return FALSE;
  if (req == 0)
    return g_str_equal (type_of (frame), "error") && !json_object_has_member (frame, "req");
  return json_object_get_int_member_with_default (frame, "req", 0) == req;
}

JsonObject *
test_client_expect_error (TestClient *self,
                          gint64      req,
                          const char *code)
{
  JsonObject *frame = wait_for (self, match_error, &req, NULL, TEST_TIMEOUT_MS);
  g_autofree char *pending = describe_pending (self);

  ck_assert_msg (frame != NULL, "%s: no %s error for request %" G_GINT64_FORMAT " (unread:%s)",
                 self->uid ? self->uid : "client", code, req, pending);
  ck_assert_msg (g_str_equal (type_of (frame), "error"),
                 "%s: request %" G_GINT64_FORMAT " succeeded; expected %s",
                 self->uid ? self->uid : "client", req, code);
  ck_assert_msg (g_str_equal (json_object_get_string_member (frame, "code"), code),
                 "%s: request %" G_GINT64_FORMAT " failed with %s (%s), expected %s",
                 self->uid ? self->uid : "client", req,
                 json_object_get_string_member (frame, "code"),
                 json_object_get_string_member_with_default (frame, "message", ""), code);
  ck_assert_msg (*json_object_get_string_member_with_default (frame, "message", "") != '\0',
                 "error %s has no message", code);
  return frame;
}

static gboolean
match_event (JsonObject    *frame,
             gconstpointer  a,
             gconstpointer  b)
{
  const char *type = a;
  const char *invitation = b;

  if (!g_str_equal (type_of (frame), type))
    return FALSE;
  return invitation == NULL ||
         g_strcmp0 (json_object_get_string_member_with_default (frame, "invitation", NULL), invitation) == 0;
}

JsonObject *
test_client_expect_event (TestClient *self,
                          const char *type,
                          const char *invitation)
{
  JsonObject *frame = wait_for (self, match_event, type, invitation, TEST_TIMEOUT_MS);
  g_autofree char *pending = describe_pending (self);

  ck_assert_msg (frame != NULL, "%s: no %s event%s%s (unread:%s)",
                 self->uid ? self->uid : "client", type,
                 invitation ? " for " : "", invitation ? invitation : "", pending);
  return frame;
}

void
test_client_expect_no_event (TestClient *self,
                             const char *type,
                             guint       ms)
{
  g_autoptr(JsonObject) frame = wait_for (self, match_event, type, NULL, ms);

  ck_assert_msg (frame == NULL, "%s: unexpected %s event", self->uid ? self->uid : "client", type);
}

guint
test_client_pending (TestClient *self)
{
  return self->frames.length;
}

gushort
test_client_wait_closed (TestClient *self,
                         guint       timeout_ms)
{
  rtm_test_wait_for (self->closed, timeout_ms, "the server closing the connection");
  return soup_websocket_connection_get_close_code (self->websocket);
}

gboolean
test_client_is_closed (TestClient *self)
{
  return self->closed;
}

GPtrArray *
test_client_get_log (TestClient *self)
{
  return self->log;
}

void
test_client_close (TestClient *self)
{
  if (soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

GTlsCertificate *
test_client_get_peer_certificate (TestClient *self)
{
  return self->peer_certificate;
}
