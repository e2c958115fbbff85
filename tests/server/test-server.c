/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtm-server at the frame level: a real server process, raw WebSocket
 * clients, every flow of docs/protocol.md.
 */
#include <check.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "rtm-protocol.h"
#include "rtm-test-server.h"
#include "test-ws-client.h"

static RtmTestServer *server;

static void
setup (void)
{
  server = rtm_test_server_start (NULL);
}

static void
teardown (void)
{
  g_clear_pointer (&server, rtm_test_server_free);
}

static const char *
uri (void)
{
  return rtm_test_server_get_uri (server);
}

static RtmTestServer *
start_server (const char *first_arg,
              ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return rtm_test_server_start ((const char * const *) args->pdata);
}

/* Sends an invite and returns the invitation id from the reply. */
static char *
invite (TestClient *caller,
        const char *callee,
        const char *extra)
{
  g_autoptr(JsonObject) reply = NULL;
  gint64 req;
  const char *id;

  req = test_client_request (caller, "invite", "\"callee\": \"%s\"%s%s", callee,
                             extra ? ", " : "", extra ? extra : "");
  reply = test_client_expect_reply (caller, req);
  id = json_object_get_string_member_with_default (reply, "invitation", NULL);
  ck_assert_msg (rtm_invitation_id_is_valid (id), "invite reply has no valid id");
  return g_strdup (id);
}

/* Sends an invitation request and returns its req. */
static gint64
answer (TestClient *client,
        const char *type,
        const char *id)
{
  return test_client_request (client, type, "\"invitation\": \"%s\"", id);
}

static void
expect_failed (TestClient *client,
               const char *id,
               const char *code)
{
  g_autoptr(JsonObject) event = test_client_expect_event (client, "invitation_failed", id);

  ck_assert_msg (g_str_equal (json_object_get_string_member (event, "code"), code),
                 "%s: invitation failed with %s, expected %s", test_client_get_uid (client),
                 json_object_get_string_member (event, "code"), code);
}

static void
ping (TestClient *client)
{
  G_GNUC_UNUSED g_autoptr(JsonObject) reply = test_client_expect_reply (client, test_client_request (client, "ping", NULL));
}

/* An invitation between two bystanders, ringing while a test misbehaves;
 * it must still complete afterwards. */
typedef struct {
  TestClient *caller;
  TestClient *callee;
  char       *id;
} Bystanders;

static Bystanders *
bystanders_begin (const char *server_uri)
{
  Bystanders *b = g_new0 (Bystanders, 1);
  g_autoptr(JsonObject) received = NULL;
  g_autoptr(JsonObject) by_peer = NULL;

  b->caller = test_client_login (server_uri, "carol", NULL);
  b->callee = test_client_login (server_uri, "dave", NULL);
  b->id = invite (b->caller, "dave", NULL);
  received = test_client_expect_event (b->callee, "invitation_received", b->id);
  by_peer = test_client_expect_event (b->caller, "invitation_received_by_peer", b->id);
  return b;
}

static void
bystanders_finish (Bystanders *b)
{
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) accepted = NULL;
  gint64 req;

  req = answer (b->callee, "invitation_accept", b->id);
  accepted = test_client_expect_event (b->caller, "invitation_accepted", b->id);
  reply = test_client_expect_reply (b->callee, req);
  test_client_free (b->caller);
  test_client_free (b->callee);
  g_free (b->id);
  g_free (b);
}

/* Start-up and login */

START_TEST (test_startup_prints_the_uri_of_a_free_port)
{
  g_autoptr(TestClient) client = NULL;
  guint16 port = rtm_test_server_get_port (server);

  ck_assert_msg (g_str_has_prefix (uri (), "ws://127.0.0.1:"), "URI is %s", uri ());
  ck_assert_msg (g_str_has_suffix (uri (), "/rtm"), "URI is %s", uri ());
  ck_assert_uint_ne (port, 0);
  client = test_client_connect (uri ());
  ping (client);
}
END_TEST

START_TEST (test_open_mode_logs_in_any_uid_and_tells_the_settings)
{
  g_autoptr(RtmTestServer) own = start_server ("--ice-server", "stun://stun.example.org:3478",
                                               "--ice-server", "turn://u:p@turn.example.org:3478",
                                               "--invitation-lifetime", "12.5", NULL);
  g_autoptr(TestClient) client = test_client_connect (rtm_test_server_get_uri (own));
  g_autoptr(JsonObject) reply = NULL;
  JsonArray *ice;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  reply = test_client_expect_reply (client,
                                    test_client_request (client, "login", "\"version\": 1, \"uid\": \"a!#$%%&()+-:;<=.>?@[]^_{|}~,\""));
  ck_assert_str_eq (json_object_get_string_member (reply, "uid"), "a!#$%&()+-:;<=.>?@[]^_{|}~,");
  ice = json_object_get_array_member (reply, "ice_servers");
  ck_assert_uint_eq (json_array_get_length (ice), 2);
  ck_assert_str_eq (json_array_get_string_element (ice, 0), "stun://stun.example.org:3478");
  ck_assert_str_eq (json_array_get_string_element (ice, 1), "turn://u:p@turn.example.org:3478");
  ck_assert_double_eq_tol (json_object_get_double_member (reply, "invitation_lifetime"), 12.5, 1e-9);
  ck_assert_int_le (llabs (json_object_get_int_member (reply, "server_time") - now), 5);
}
END_TEST

START_TEST (test_login_refuses_bad_requests)
{
  g_autoptr(TestClient) client = test_client_connect (uri ());
  g_autoptr(JsonObject) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL, e5 = NULL, e6 = NULL;
  gint64 req;

  e1 = test_client_expect_error (client, test_client_request (client, "invite", "\"callee\": \"bob\""),
                                 "NOT_LOGGED_IN");
  ping (client);
  e2 = test_client_expect_error (client, test_client_request (client, "login", "\"version\": 2, \"uid\": \"al\""),
                                 "UNSUPPORTED_VERSION");
  e3 = test_client_expect_error (client, test_client_request (client, "login", "\"version\": 1, \"uid\": \"a b\""),
                                 "BAD_FIELD");
  ck_assert_msg (strstr (json_object_get_string_member (e3, "message"), "uid") != NULL,
                 "the error does not name uid");
  e4 = test_client_expect_error (client, test_client_request (client, "login", "\"version\": 1"),
                                 "MISSING_FIELD");
  ck_assert_msg (strstr (json_object_get_string_member (e4, "message"), "uid") != NULL,
                 "the error does not name uid");
  e5 = test_client_expect_error (client, test_client_request (client, "logout", NULL), "NOT_LOGGED_IN");
  {
    g_autoptr(JsonObject) reply = NULL;

    req = test_client_request (client, "login", "\"version\": 1, \"uid\": \"alice\"");
    reply = test_client_expect_reply (client, req);
  }
  e6 = test_client_expect_error (client, test_client_request (client, "login", "\"version\": 1, \"uid\": \"alice\""),
                                 "ALREADY_LOGGED_IN");
  ping (client);
}
END_TEST

/* A temporary folder that goes with its files at the end of the scope. */
typedef char TempDir;

static void
temp_dir_free (TempDir *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (dir);
  g_free (dir);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TempDir, temp_dir_free)

static char *
write_secret (const char *dir,
              const char *secret)
{
  char *path = g_build_filename (dir, "secret", NULL);

  ck_assert (g_file_set_contents (path, secret, -1, NULL));
  return path;
}

static void
expect_login_error (const char *server_uri,
                    const char *uid,
                    const char *token,
                    const char *code)
{
  g_autoptr(TestClient) client = test_client_connect (server_uri);
  g_autoptr(JsonObject) error = NULL;
  gint64 req;

  if (token != NULL)
    req = test_client_request (client, "login", "\"version\": 1, \"uid\": \"%s\", \"token\": \"%s\"", uid, token);
  else
    req = test_client_request (client, "login", "\"version\": 1, \"uid\": \"%s\"", uid);
  error = test_client_expect_error (client, req, code);
}

START_TEST (test_tokens_are_checked_when_a_secret_is_set)
{
  g_autoptr(TempDir) dir = g_dir_make_tmp ("rtm-server-test-XXXXXX", NULL);
  g_autofree char *secret_file = write_secret (dir, "s3cret\n");
  g_autoptr(RtmTestServer) own = start_server ("--secret-file", secret_file, NULL);
  const char *own_uri = rtm_test_server_get_uri (own);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *good = rtm_token_mint ("s3cret", "alice", now + 60);
  g_autofree char *wrong_key = rtm_token_mint ("other", "alice", now + 60);
  g_autofree char *expired = rtm_token_mint ("s3cret", "alice", now - 1);
  g_autofree char *bobs = rtm_token_mint ("s3cret", "bob", now + 60);
  g_autoptr(TestClient) alice = NULL;

  expect_login_error (own_uri, "alice", NULL, "INVALID_TOKEN");
  expect_login_error (own_uri, "alice", wrong_key, "INVALID_TOKEN");
  expect_login_error (own_uri, "alice", expired, "TOKEN_EXPIRED");
  expect_login_error (own_uri, "alice", bobs, "INVALID_TOKEN");
  expect_login_error (own_uri, "alice", "1:99999999999:zz", "INVALID_TOKEN");
  alice = test_client_login (own_uri, "alice", good);
  ping (alice);
}
END_TEST

START_TEST (test_token_command_mints_tokens_the_server_accepts)
{
  g_autoptr(TempDir) dir = g_dir_make_tmp ("rtm-server-test-XXXXXX", NULL);
  g_autofree char *config = g_build_filename (dir, "server.conf", NULL);
  g_autoptr(RtmTestServer) own = NULL;
  g_autoptr(GSubprocess) minter = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TestClient) bob = NULL;
  g_autofree char *out = NULL;

  ck_assert (g_file_set_contents (config, "[server]\nsecret=from-the-config\n", -1, NULL));
  own = start_server ("--config", config, NULL);
  minter = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, g_getenv ("RTM_SERVER_PATH"),
                             "token", "--uid", "bob", "--ttl", "60", "--config", config, NULL);
  ck_assert_msg (minter != NULL, "cannot run rtm-server token: %s", error ? error->message : "");
  ck_assert (g_subprocess_communicate_utf8 (minter, NULL, NULL, &out, NULL, &error));
  ck_assert_int_eq (g_subprocess_get_exit_status (minter), 0);
  g_strstrip (out);
  ck_assert_msg (g_str_has_prefix (out, "1:"), "rtm-server token printed \"%s\"", out);
  bob = test_client_login (rtm_test_server_get_uri (own), "bob", out);
  expect_login_error (rtm_test_server_get_uri (own), "carol", out, "INVALID_TOKEN");
}
END_TEST

START_TEST (test_sighup_reloads_the_secret_without_dropping_sessions)
{
  g_autoptr(TempDir) dir = g_dir_make_tmp ("rtm-server-test-XXXXXX", NULL);
  g_autofree char *secret_file = write_secret (dir, "first");
  g_autoptr(RtmTestServer) own = start_server ("--secret-file", secret_file, NULL);
  const char *own_uri = rtm_test_server_get_uri (own);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *old_token = rtm_token_mint ("first", "bob", now + 60);
  g_autofree char *new_token = rtm_token_mint ("second", "bob", now + 60);
  g_autofree char *alice_token = rtm_token_mint ("first", "alice", now + 60);
  g_autoptr(TestClient) alice = test_client_login (own_uri, "alice", alice_token);
  g_autoptr(TestClient) bob = NULL;

  g_free (write_secret (dir, "second"));
  kill (rtm_test_server_get_pid (own), SIGHUP);
  rtm_test_run_for (300);
  expect_login_error (own_uri, "bob", old_token, "INVALID_TOKEN");
  bob = test_client_login (own_uri, "bob", new_token);
  ping (alice);
}
END_TEST

START_TEST (test_a_second_login_kicks_the_first_session)
{
  g_autoptr(TestClient) first = test_client_login (uri (), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (uri (), "bob", NULL);
  g_autoptr(TestClient) second = NULL;
  g_autoptr(JsonObject) kicked = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autofree char *id = NULL;

  joined = test_client_expect_reply (first, test_client_request (first, "channel_join", "\"channel\": \"c\""));
  id = invite (first, "bob", NULL);
  g_clear_pointer (&joined, json_object_unref);
  joined = test_client_expect_reply (bob, test_client_request (bob, "channel_join", "\"channel\": \"c\""));

  second = test_client_login (uri (), "alice", NULL);
  kicked = test_client_expect_event (first, "kicked", NULL);
  ck_assert_str_eq (json_object_get_string_member (kicked, "reason"), "REMOTE_LOGIN");
  ck_assert_uint_eq (test_client_wait_closed (first, TEST_TIMEOUT_MS), RTM_CLOSE_REMOTE_LOGIN);
  expect_failed (bob, id, "PEER_OFFLINE");
  g_clear_pointer (&joined, json_object_unref);
  joined = test_client_expect_event (bob, "member_left", NULL);
  ping (second);
}
END_TEST

START_TEST (test_tls_serves_wss)
{
  g_autoptr(RtmTestServer) own = start_server ("--tls-certificate", TEST_DATA_DIR "/test-cert.pem",
                                               "--tls-key", TEST_DATA_DIR "/test-key.pem", NULL);
  g_autoptr(TestClient) alice = NULL;
  g_autoptr(TestClient) bob = NULL;
  g_autoptr(JsonObject) reply = NULL, message = NULL;

  ck_assert_msg (g_str_has_prefix (rtm_test_server_get_uri (own), "wss://127.0.0.1:"),
                 "URI is %s", rtm_test_server_get_uri (own));
  alice = test_client_login (rtm_test_server_get_uri (own), "alice", NULL);
  bob = test_client_login (rtm_test_server_get_uri (own), "bob", NULL);
  reply = test_client_expect_reply (alice, test_client_request (alice, "peer_message", "\"to\": \"bob\", \"text\": \"over tls\""));
  message = test_client_expect_event (bob, "peer_message", NULL);
  ck_assert_str_eq (json_object_get_string_member (message, "text"), "over tls");
}
END_TEST

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  ck_assert (g_file_get_contents (from, &contents, &length, NULL));
  ck_assert (g_file_set_contents (to, contents, (gssize) length, NULL));
}

START_TEST (test_sighup_reloads_the_tls_certificate)
{
  g_autoptr(TempDir) dir = g_dir_make_tmp ("rtm-server-test-XXXXXX", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *config = g_build_filename (dir, "server.conf", NULL);
  g_autoptr(GTlsCertificate) second = NULL;
  g_autoptr(RtmTestServer) own = NULL;
  g_autoptr(TestClient) before = NULL;
  g_autoptr(TestClient) after = NULL;

  copy_file (TEST_DATA_DIR "/test-cert.pem", cert);
  copy_file (TEST_DATA_DIR "/test-key.pem", key);
  ck_assert (g_file_set_contents (config, "[server]\ntls-certificate=cert.pem\ntls-key=key.pem\n", -1, NULL));
  own = start_server ("--config", config, NULL);
  before = test_client_login (rtm_test_server_get_uri (own), "alice", NULL);

  copy_file (TEST_DATA_DIR "/test-cert2.pem", cert);
  copy_file (TEST_DATA_DIR "/test-key2.pem", key);
  kill (rtm_test_server_get_pid (own), SIGHUP);
  rtm_test_run_for (300);
  after = test_client_login (rtm_test_server_get_uri (own), "bob", NULL);

  second = g_tls_certificate_new_from_file (TEST_DATA_DIR "/test-cert2.pem", NULL);
  ck_assert (second != NULL);
  ck_assert_msg (!g_tls_certificate_is_same (test_client_get_peer_certificate (before), second),
                 "the first client already saw the second certificate");
  ck_assert_msg (g_tls_certificate_is_same (test_client_get_peer_certificate (after), second),
                 "new connections do not get the reloaded certificate");
  ping (before);
}
END_TEST

START_TEST (test_connections_past_the_limit_are_turned_away)
{
  g_autoptr(RtmTestServer) own = start_server ("--max-connections", "2", NULL);
  g_autoptr(TestClient) alice = test_client_login (rtm_test_server_get_uri (own), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (rtm_test_server_get_uri (own), "bob", NULL);
  g_autoptr(TestClient) dave = NULL;

  ck_assert_uint_eq (test_client_connect_refused (rtm_test_server_get_uri (own)), SOUP_STATUS_SERVICE_UNAVAILABLE);
  ping (alice);
  g_clear_pointer (&bob, test_client_free);
  rtm_test_run_for (200);
  dave = test_client_login (rtm_test_server_get_uri (own), "dave", NULL);
}
END_TEST

START_TEST (test_single_threaded_mode_serves_the_same_protocol)
{
  g_autoptr(RtmTestServer) own = start_server ("--workers", "0", NULL);
  Bystanders *b = bystanders_begin (rtm_test_server_get_uri (own));
  g_autoptr(TestClient) alice = test_client_login (rtm_test_server_get_uri (own), "alice", NULL);
  g_autoptr(JsonObject) reply = NULL;

  reply = test_client_expect_reply (alice, test_client_request (alice, "query_presence", "\"uids\": [\"carol\"]"));
  ck_assert (json_object_get_boolean_member (json_object_get_object_member (reply, "online"), "carol"));
  bystanders_finish (b);
}
END_TEST

/* Invitation flows */

START_TEST (test_accept_reaches_both_sides_in_order)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (uri (), "bob", NULL);
  g_autoptr(JsonObject) received = NULL, by_peer = NULL, accepted = NULL, reply = NULL;
  g_autofree char *id = invite (alice, "bob", "\"content\": \"hello\", \"channel\": \"room-1\"");
  gint64 req;

  received = test_client_expect_event (bob, "invitation_received", id);
  ck_assert_str_eq (json_object_get_string_member (received, "caller"), "alice");
  ck_assert_str_eq (json_object_get_string_member (received, "content"), "hello");
  ck_assert_str_eq (json_object_get_string_member (received, "channel"), "room-1");
  ck_assert_int_gt (json_object_get_int_member (received, "ack"), 0);
  by_peer = test_client_expect_event (alice, "invitation_received_by_peer", id);

  req = test_client_request (bob, "invitation_accept", "\"invitation\": \"%s\", \"response\": \"yes\"", id);
  accepted = test_client_expect_event (alice, "invitation_accepted", id);
  ck_assert_str_eq (json_object_get_string_member (accepted, "response"), "yes");
  ck_assert_int_gt (json_object_get_int_member (accepted, "ack"), 0);
  reply = test_client_expect_reply (bob, req);
}
END_TEST

START_TEST (test_refuse_carries_the_response)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (uri (), "bob", NULL);
  g_autoptr(JsonObject) received = NULL, refused = NULL, reply = NULL, late = NULL;
  g_autofree char *id = invite (alice, "bob", NULL);
  gint64 req;

  received = test_client_expect_event (bob, "invitation_received", id);
  ck_assert_str_eq (json_object_get_string_member (received, "content"), "");
  ck_assert (!json_object_has_member (received, "channel"));
  req = test_client_request (bob, "invitation_refuse", "\"invitation\": \"%s\", \"response\": \"busy\"", id);
  refused = test_client_expect_event (alice, "invitation_refused", id);
  ck_assert_str_eq (json_object_get_string_member (refused, "response"), "busy");
  reply = test_client_expect_reply (bob, req);
  late = test_client_expect_error (alice, answer (alice, "invitation_cancel", id), "ALREADY_END");
}
END_TEST

START_TEST (test_cancel_reaches_the_callee_first)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (uri (), "bob", NULL);
  g_autoptr(JsonObject) canceled = NULL, reply = NULL, late = NULL;
  g_autofree char *id = invite (alice, "bob", NULL);
  gint64 req;

  g_clear_pointer (&canceled, json_object_unref);
  canceled = test_client_expect_event (bob, "invitation_received", id);
  g_clear_pointer (&canceled, json_object_unref);
  test_client_set_auto_ack (bob, FALSE);
  req = answer (alice, "invitation_cancel", id);
  canceled = test_client_expect_event (bob, "invitation_canceled", id);
  /* The caller's reply waits for the callee's ack. */
  test_client_expect_no_event (alice, "reply", 300);
  test_client_ack (bob, json_object_get_int_member (canceled, "ack"));
  reply = test_client_expect_reply (alice, req);
  late = test_client_expect_error (bob, answer (bob, "invitation_accept", id), "ALREADY_END");
}
END_TEST

START_TEST (test_expiry_before_the_ack_is_peer_no_response)
{
  g_autoptr(RtmTestServer) own = start_server ("--invitation-lifetime", "0.3", NULL);
  g_autoptr(TestClient) alice = test_client_login (rtm_test_server_get_uri (own), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (rtm_test_server_get_uri (own), "bob", NULL);
  g_autoptr(JsonObject) received = NULL, late = NULL;
  g_autofree char *id = NULL;
  gint64 start = g_get_monotonic_time ();

  test_client_set_auto_ack (bob, FALSE);
  id = invite (alice, "bob", NULL);
  received = test_client_expect_event (bob, "invitation_received", id);
  expect_failed (alice, id, "PEER_NO_RESPONSE");
  expect_failed (bob, id, "INVITATION_EXPIRE");
  ck_assert_int_ge (g_get_monotonic_time () - start, 250000);
  late = test_client_expect_error (bob, answer (bob, "invitation_accept", id), "ALREADY_END");
}
END_TEST

START_TEST (test_expiry_after_the_ack_is_invitation_expire_on_both_sides)
{
  g_autoptr(RtmTestServer) own = start_server ("--invitation-lifetime", "0.3", NULL);
  g_autoptr(TestClient) alice = test_client_login (rtm_test_server_get_uri (own), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (rtm_test_server_get_uri (own), "bob", NULL);
  g_autoptr(JsonObject) by_peer = NULL, late = NULL;
  g_autofree char *id = invite (alice, "bob", NULL);

  by_peer = test_client_expect_event (alice, "invitation_received_by_peer", id);
  expect_failed (alice, id, "INVITATION_EXPIRE");
  expect_failed (bob, id, "INVITATION_EXPIRE");
  late = test_client_expect_error (alice, answer (alice, "invitation_cancel", id), "ALREADY_END");
}
END_TEST

START_TEST (test_offline_callee_fails_with_peer_offline)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(JsonObject) late = NULL;
  g_autofree char *id = invite (alice, "nobody", NULL);

  expect_failed (alice, id, "PEER_OFFLINE");
  late = test_client_expect_error (alice, answer (alice, "invitation_cancel", id), "ALREADY_END");
}
END_TEST

START_TEST (test_caller_disconnecting_mid_ring_tells_the_callee)
{
  TestClient *alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (uri (), "bob", NULL);
  g_autoptr(JsonObject) received = NULL, late = NULL;
  g_autofree char *id = invite (alice, "bob", NULL);

  received = test_client_expect_event (bob, "invitation_received", id);
  test_client_free (alice);
  expect_failed (bob, id, "PEER_OFFLINE");
  late = test_client_expect_error (bob, answer (bob, "invitation_accept", id), "ALREADY_END");
}
END_TEST

START_TEST (test_callee_disconnecting_mid_ring_tells_the_caller)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  TestClient *bob = test_client_login (uri (), "bob", NULL);
  g_autoptr(JsonObject) by_peer = NULL;
  g_autofree char *id = invite (alice, "bob", NULL);

  by_peer = test_client_expect_event (alice, "invitation_received_by_peer", id);
  test_client_free (bob);
  expect_failed (alice, id, "PEER_OFFLINE");
}
END_TEST

START_TEST (test_logout_mid_ring_tells_the_other_side)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (uri (), "bob", NULL);
  g_autoptr(JsonObject) received = NULL, reply = NULL;
  g_autofree char *id = invite (alice, "bob", NULL);

  received = test_client_expect_event (bob, "invitation_received", id);
  reply = test_client_expect_reply (bob, test_client_request (bob, "logout", NULL));
  expect_failed (alice, id, "PEER_OFFLINE");
  ck_assert_uint_eq (test_client_wait_closed (bob, TEST_TIMEOUT_MS), SOUP_WEBSOCKET_CLOSE_NORMAL);
}
END_TEST

START_TEST (test_third_parties_are_not_permitted)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (uri (), "bob", NULL);
  g_autoptr(TestClient) eve = test_client_login (uri (), "eve", NULL);
  g_autoptr(JsonObject) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL, e5 = NULL, received = NULL;
  g_autoptr(JsonObject) accepted = NULL, reply = NULL, late = NULL;
  g_autofree char *id = invite (alice, "bob", NULL);
  gint64 req;

  received = test_client_expect_event (bob, "invitation_received", id);
  e1 = test_client_expect_error (eve, answer (eve, "invitation_cancel", id), "NOT_PERMITTED");
  e2 = test_client_expect_error (eve, answer (eve, "invitation_accept", id), "NOT_PERMITTED");
  e3 = test_client_expect_error (eve, answer (eve, "invitation_refuse", id), "NOT_PERMITTED");
  e4 = test_client_expect_error (alice, answer (alice, "invitation_accept", id), "NOT_PERMITTED");
  e5 = test_client_expect_error (bob, answer (bob, "invitation_cancel", id), "NOT_PERMITTED");
  ck_assert_uint_eq (test_client_pending (alice), 1);  /* received_by_peer, nothing else */

  req = answer (bob, "invitation_accept", id);
  accepted = test_client_expect_event (alice, "invitation_accepted", id);
  reply = test_client_expect_reply (bob, req);
  late = test_client_expect_error (eve, answer (eve, "invitation_cancel", id), "NOT_PERMITTED");
}
END_TEST

START_TEST (test_late_requests_get_already_accept_or_already_end)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (uri (), "bob", NULL);
  g_autoptr(JsonObject) reply = NULL, accepted = NULL, e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;
  g_autoptr(JsonObject) refused = NULL, reply2 = NULL;
  g_autofree char *id = invite (alice, "bob", NULL);
  g_autofree char *id2 = invite (alice, "bob", NULL);
  gint64 req;

  req = answer (bob, "invitation_accept", id);
  accepted = test_client_expect_event (alice, "invitation_accepted", id);
  reply = test_client_expect_reply (bob, req);
  e1 = test_client_expect_error (alice, answer (alice, "invitation_cancel", id), "ALREADY_ACCEPT");
  e2 = test_client_expect_error (bob, answer (bob, "invitation_refuse", id), "ALREADY_ACCEPT");
  e3 = test_client_expect_error (bob, answer (bob, "invitation_accept", id), "ALREADY_ACCEPT");

  /* The second invitation to the same callee lived on its own. */
  req = answer (bob, "invitation_refuse", id2);
  refused = test_client_expect_event (alice, "invitation_refused", id2);
  reply2 = test_client_expect_reply (bob, req);
  e4 = test_client_expect_error (bob, answer (bob, "invitation_accept", id2), "ALREADY_END");
}
END_TEST

START_TEST (test_unknown_and_malformed_invitation_ids)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(JsonObject) e1 = NULL, e2 = NULL, e3 = NULL;
  g_autofree char *unknown = rtm_invitation_id_new ();

  e1 = test_client_expect_error (alice, answer (alice, "invitation_cancel", unknown), "UNKNOWN_INVITATION");
  e2 = test_client_expect_error (alice, answer (alice, "invitation_cancel", "not-an-id"), "BAD_FIELD");
  e3 = test_client_expect_error (alice, test_client_request (alice, "invitation_accept", NULL), "MISSING_FIELD");
}
END_TEST

START_TEST (test_ended_invitations_are_forgotten_after_the_linger_time)
{
  g_autoptr(RtmTestServer) own = start_server ("--invitation-linger", "0.2", NULL);
  g_autoptr(TestClient) alice = test_client_login (rtm_test_server_get_uri (own), "alice", NULL);
  g_autoptr(JsonObject) e1 = NULL, e2 = NULL;
  g_autofree char *id = invite (alice, "nobody", NULL);

  expect_failed (alice, id, "PEER_OFFLINE");
  e1 = test_client_expect_error (alice, answer (alice, "invitation_cancel", id), "ALREADY_END");
  rtm_test_run_for (600);
  e2 = test_client_expect_error (alice, answer (alice, "invitation_cancel", id), "UNKNOWN_INVITATION");
}
END_TEST

START_TEST (test_inviting_oneself_plays_both_roles)
{
  g_autoptr(RtmTestServer) own = start_server ("--invitation-lifetime", "0.3", NULL);
  g_autoptr(TestClient) alice = test_client_login (rtm_test_server_get_uri (own), "alice", NULL);
  g_autoptr(JsonObject) received = NULL, by_peer = NULL, failed1 = NULL, failed2 = NULL;
  g_autofree char *id = invite (alice, "alice", NULL);

  received = test_client_expect_event (alice, "invitation_received", id);
  ck_assert_str_eq (json_object_get_string_member (received, "caller"), "alice");
  by_peer = test_client_expect_event (alice, "invitation_received_by_peer", id);
  /* Expiry reaches both roles, so a client tracking each side ends both. */
  failed1 = test_client_expect_event (alice, "invitation_failed", id);
  failed2 = test_client_expect_event (alice, "invitation_failed", id);
  ck_assert_str_eq (json_object_get_string_member (failed1, "code"), "INVITATION_EXPIRE");
  ck_assert_str_eq (json_object_get_string_member (failed2, "code"), "INVITATION_EXPIRE");
}
END_TEST

/* Event order */

START_TEST (test_received_by_peer_waits_for_the_callees_ack)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (uri (), "bob", NULL);
  g_autoptr(JsonObject) received = NULL, by_peer = NULL;
  g_autofree char *id = NULL;

  test_client_set_auto_ack (bob, FALSE);
  id = invite (alice, "bob", NULL);
  received = test_client_expect_event (bob, "invitation_received", id);
  test_client_expect_no_event (alice, "invitation_received_by_peer", 300);
  test_client_ack (bob, json_object_get_int_member (received, "ack"));
  by_peer = test_client_expect_event (alice, "invitation_received_by_peer", id);
}
END_TEST

START_TEST (test_the_callees_reply_waits_for_the_callers_ack)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (uri (), "bob", NULL);
  g_autoptr(JsonObject) by_peer = NULL, accepted = NULL, reply = NULL, pong = NULL;
  g_autofree char *id = invite (alice, "bob", NULL);
  gint64 req, ping_req;
  GPtrArray *log;

  by_peer = test_client_expect_event (alice, "invitation_received_by_peer", id);
  test_client_set_auto_ack (alice, FALSE);
  req = answer (bob, "invitation_accept", id);
  ping_req = test_client_request (bob, "ping", NULL);
  accepted = test_client_expect_event (alice, "invitation_accepted", id);
  /* Neither the accept's reply nor the later ping's may come yet. */
  test_client_expect_no_event (bob, "reply", 300);
  test_client_ack (alice, json_object_get_int_member (accepted, "ack"));
  reply = test_client_expect_reply (bob, req);
  pong = test_client_expect_reply (bob, ping_req);
  log = test_client_get_log (bob);
  ck_assert_uint_ge (log->len, 2);
  ck_assert_str_eq (g_ptr_array_index (log, log->len - 2), "reply");
}
END_TEST

START_TEST (test_the_reply_goes_out_after_the_ack_timeout)
{
  g_autoptr(RtmTestServer) own = start_server ("--ack-timeout", "0.4", NULL);
  g_autoptr(TestClient) alice = test_client_login (rtm_test_server_get_uri (own), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (rtm_test_server_get_uri (own), "bob", NULL);
  g_autoptr(JsonObject) refused = NULL, reply = NULL;
  g_autofree char *id = NULL;
  gint64 req, start;

  test_client_set_auto_ack (alice, FALSE);
  id = invite (alice, "bob", NULL);
  start = g_get_monotonic_time ();
  req = answer (bob, "invitation_refuse", id);
  refused = test_client_expect_event (alice, "invitation_refused", id);
  reply = test_client_expect_reply (bob, req);
  ck_assert_int_ge (g_get_monotonic_time () - start, 350000);
}
END_TEST

START_TEST (test_the_reply_goes_out_when_the_other_party_leaves_before_acking)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (uri (), "bob", NULL);
  g_autoptr(JsonObject) by_peer = NULL, accepted = NULL, reply = NULL;
  g_autofree char *id = invite (alice, "bob", NULL);
  gint64 req, start;

  by_peer = test_client_expect_event (alice, "invitation_received_by_peer", id);
  test_client_set_auto_ack (alice, FALSE);
  req = answer (bob, "invitation_accept", id);
  accepted = test_client_expect_event (alice, "invitation_accepted", id);
  test_client_expect_no_event (bob, "reply", 200);
  start = g_get_monotonic_time ();
  test_client_close (alice);
  /* Long before the 5 s ack timeout. */
  reply = test_client_expect_reply (bob, req);
  ck_assert_int_lt (g_get_monotonic_time () - start, 2 * G_USEC_PER_SEC);
}
END_TEST

START_TEST (test_caller_logout_mid_ring_tells_the_callee)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (uri (), "bob", NULL);
  g_autoptr(JsonObject) received = NULL, reply = NULL, late = NULL;
  g_autofree char *id = invite (alice, "bob", NULL);

  received = test_client_expect_event (bob, "invitation_received", id);
  reply = test_client_expect_reply (alice, test_client_request (alice, "logout", NULL));
  expect_failed (bob, id, "PEER_OFFLINE");
  late = test_client_expect_error (bob, answer (bob, "invitation_refuse", id), "ALREADY_END");
}
END_TEST

START_TEST (test_answering_before_the_ack_still_tells_received_by_peer_first)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (uri (), "bob", NULL);
  g_autoptr(JsonObject) received = NULL, accepted = NULL, reply = NULL;
  g_autofree char *id = NULL;
  g_autofree char *by_peer = NULL, *outcome = NULL;
  GPtrArray *log;
  gint64 req;

  test_client_set_auto_ack (bob, FALSE);
  id = invite (alice, "bob", NULL);
  received = test_client_expect_event (bob, "invitation_received", id);
  req = answer (bob, "invitation_accept", id);
  accepted = test_client_expect_event (alice, "invitation_accepted", id);
  reply = test_client_expect_reply (bob, req);
  log = test_client_get_log (alice);
  by_peer = g_strdup_printf ("invitation_received_by_peer:%s", id);
  outcome = g_strdup_printf ("invitation_accepted:%s", id);
  ck_assert_uint_ge (log->len, 2);
  ck_assert_str_eq (g_ptr_array_index (log, log->len - 2), by_peer);
  ck_assert_str_eq (g_ptr_array_index (log, log->len - 1), outcome);
}
END_TEST

/* Bad input */

START_TEST (test_malformed_frames_get_errors_and_harm_no_one)
{
  Bystanders *b = bystanders_begin (uri ());
  g_autoptr(TestClient) client = test_client_login (uri (), "mallory", NULL);
  g_autoptr(JsonObject) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL, e5 = NULL, e6 = NULL;
  g_autoptr(JsonObject) e7 = NULL, e8 = NULL, e9 = NULL, e10 = NULL, e11 = NULL, e12 = NULL;
  g_autofree char *big = g_strnfill (RTM_MAX_CONTENT_LENGTH + 1, 'x');
  g_autofree char *big_text = g_strnfill (RTM_MAX_TEXT_LENGTH + 1, 'x');

  test_client_send_text (client, "{\"type\": \"ping\", \"req\": ");
  e1 = test_client_expect_error (client, 0, "BAD_FRAME");
  test_client_send_text (client, "[1, 2, 3]");
  e2 = test_client_expect_error (client, 0, "BAD_FRAME");
  test_client_send_binary (client, 16);
  e3 = test_client_expect_error (client, 0, "BAD_FRAME");
  e4 = test_client_expect_error (client, test_client_request (client, "teleport", NULL), "UNKNOWN_TYPE");
  test_client_send_text (client, "{\"req\": 99}");
  e5 = test_client_expect_error (client, 99, "UNKNOWN_TYPE");
  e6 = test_client_expect_error (client, test_client_request (client, "invitation_accepted", NULL), "UNKNOWN_TYPE");
  test_client_send_text (client, "{\"type\": \"ping\"}");
  e7 = test_client_expect_error (client, 0, "MISSING_FIELD");
  test_client_send_text (client, "{\"type\": \"ping\", \"req\": \"one\"}");
  e8 = test_client_expect_error (client, 0, "BAD_FIELD");
  e9 = test_client_expect_error (client, test_client_request (client, "invite", NULL), "MISSING_FIELD");
  ck_assert_msg (strstr (json_object_get_string_member (e9, "message"), "callee") != NULL,
                 "the error does not name the member");
  e10 = test_client_expect_error (client, test_client_request (client, "invite", "\"callee\": 7"), "BAD_FIELD");
  e11 = test_client_expect_error (client, test_client_request (client, "invite", "\"callee\": \"dave\", \"content\": \"%s\"", big),
                                  "TOO_LARGE");
  e12 = test_client_expect_error (client, test_client_request (client, "peer_message", "\"to\": \"dave\", \"text\": \"%s\"", big_text),
                                  "TOO_LARGE");
  {
    g_autofree char *id = rtm_invitation_id_new ();
    g_autoptr(GString) many = g_string_new ("");
    g_autoptr(JsonObject) e13 = NULL, e14 = NULL, e15 = NULL, e16 = NULL;

    for (guint i = 0; i <= RTM_MAX_PRESENCE_UIDS; i++)
      g_string_append_printf (many, "%s\"u%u\"", i ? ", " : "", i);
    e13 = test_client_expect_error (client, test_client_request (client, "invitation_refuse", "\"invitation\": \"%s\", \"response\": \"%s\"", id, big),
                                    "TOO_LARGE");
    e14 = test_client_expect_error (client, test_client_request (client, "query_presence", "\"uids\": [%s]", many->str),
                                    "TOO_LARGE");
    e15 = test_client_expect_error (client, test_client_request (client, "channel_join", "\"channel\": \"has space\""),
                                    "BAD_FIELD");
    e16 = test_client_expect_error (client, test_client_request (client, "subscribe_presence", "\"uids\": \"carol\""),
                                    "BAD_FIELD");
  }
  ping (client);
  bystanders_finish (b);
}
END_TEST

START_TEST (test_oversized_frames_get_too_large_and_the_connection_survives)
{
  Bystanders *b = bystanders_begin (uri ());
  g_autoptr(TestClient) client = test_client_login (uri (), "mallory", NULL);
  g_autoptr(JsonObject) error = NULL;
  g_autofree char *padding = g_strnfill (RTM_DEFAULT_MAX_FRAME_SIZE, ' ');
  g_autofree char *huge = g_strnfill (RTM_HARD_MAX_FRAME_SIZE + 16, ' ');
  gushort code;

  test_client_request (client, "ping", "\"pad\": \"%s\"", padding);
  error = test_client_expect_error (client, 0, "TOO_LARGE");
  ping (client);
  /* Past the hard limit libsoup 3.2 drops the connection without a close
   * frame (1009 with later versions). */
  test_client_send_text (client, huge);
  code = test_client_wait_closed (client, TEST_TIMEOUT_MS);
  ck_assert_msg (code == 0 || code == SOUP_WEBSOCKET_CLOSE_ABNORMAL || code == SOUP_WEBSOCKET_CLOSE_TOO_BIG,
                 "closed with %u", code);
  bystanders_finish (b);
}
END_TEST

START_TEST (test_floods_get_too_often_then_are_closed)
{
  g_autoptr(RtmTestServer) own = start_server ("--rate-limit", "20", "--flood-close", "150", NULL);
  Bystanders *b = bystanders_begin (rtm_test_server_get_uri (own));
  g_autoptr(TestClient) client = test_client_login (rtm_test_server_get_uri (own), "mallory", NULL);
  g_autoptr(JsonObject) error = NULL;
  gint64 last = 0;

  /* A burst over the limit: TOO_OFTEN, and the connection stays. */
  for (guint i = 0; i < 60; i++)
    last = test_client_request (client, "ping", NULL);
  error = test_client_expect_error (client, last, "TOO_OFTEN");
  rtm_test_run_for (500);
  ping (client);

  /* Past flood-close dropped frames in a row, it goes with 1008. */
  for (guint i = 0; i < 400; i++)
    test_client_request (client, "ping", NULL);
  ck_assert_uint_eq (test_client_wait_closed (client, TEST_TIMEOUT_MS), SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  bystanders_finish (b);
}
END_TEST

START_TEST (test_unauthenticated_connections_are_closed_after_the_timeout)
{
  g_autoptr(RtmTestServer) own = start_server ("--auth-timeout", "0.3", NULL);
  Bystanders *b = bystanders_begin (rtm_test_server_get_uri (own));
  g_autoptr(TestClient) idle = test_client_connect (rtm_test_server_get_uri (own));
  gint64 start = g_get_monotonic_time ();

  ping (idle);   /* pings do not authenticate */
  ck_assert_uint_eq (test_client_wait_closed (idle, TEST_TIMEOUT_MS), SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  ck_assert_int_ge (g_get_monotonic_time () - start, 250000);
  bystanders_finish (b);
}
END_TEST

/* Presence, peer messages, channels */

START_TEST (test_presence_query_and_subscription)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(JsonObject) reply = NULL, sub = NULL, online = NULL, offline = NULL, unsub = NULL;
  TestClient *bob;
  JsonObject *map;

  reply = test_client_expect_reply (alice, test_client_request (alice, "query_presence", "\"uids\": [\"alice\", \"bob\"]"));
  map = json_object_get_object_member (reply, "online");
  ck_assert (json_object_get_boolean_member (map, "alice"));
  ck_assert (!json_object_get_boolean_member (map, "bob"));

  sub = test_client_expect_reply (alice, test_client_request (alice, "subscribe_presence", "\"uids\": [\"bob\"]"));
  ck_assert (!json_object_get_boolean_member (json_object_get_object_member (sub, "online"), "bob"));
  bob = test_client_login (uri (), "bob", NULL);
  online = test_client_expect_event (alice, "presence", NULL);
  ck_assert_str_eq (json_object_get_string_member (online, "uid"), "bob");
  ck_assert (json_object_get_boolean_member (online, "online"));
  test_client_free (bob);
  offline = test_client_expect_event (alice, "presence", NULL);
  ck_assert (!json_object_get_boolean_member (offline, "online"));

  unsub = test_client_expect_reply (alice, test_client_request (alice, "unsubscribe_presence", "\"uids\": [\"bob\"]"));
  bob = test_client_login (uri (), "bob", NULL);
  test_client_expect_no_event (alice, "presence", 300);
  test_client_free (bob);
}
END_TEST

START_TEST (test_peer_messages_reach_online_peers_only)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (uri (), "bob", NULL);
  g_autoptr(JsonObject) reply = NULL, message = NULL, offline = NULL;
  g_autofree char *text = g_strnfill (RTM_MAX_TEXT_LENGTH, 'm');

  reply = test_client_expect_reply (alice, test_client_request (alice, "peer_message", "\"to\": \"bob\", \"text\": \"%s\"", text));
  message = test_client_expect_event (bob, "peer_message", NULL);
  ck_assert_str_eq (json_object_get_string_member (message, "from"), "alice");
  ck_assert_str_eq (json_object_get_string_member (message, "text"), text);
  offline = test_client_expect_error (alice, test_client_request (alice, "peer_message", "\"to\": \"zed\", \"text\": \"hi\""),
                                      "PEER_OFFLINE");
}
END_TEST

START_TEST (test_channels_tell_members_about_each_other)
{
  g_autoptr(TestClient) alice = test_client_login (uri (), "alice", NULL);
  g_autoptr(TestClient) bob = test_client_login (uri (), "bob", NULL);
  TestClient *carol = test_client_login (uri (), "carol", NULL);
  g_autoptr(JsonObject) j1 = NULL, j2 = NULL, j3 = NULL, joined = NULL, members = NULL, sent = NULL;
  g_autoptr(JsonObject) got = NULL, left = NULL, e1 = NULL, e2 = NULL, e3 = NULL, leave = NULL, left2 = NULL;
  JsonArray *list;

  j1 = test_client_expect_reply (alice, test_client_request (alice, "channel_join", "\"channel\": \"room\""));
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (j1, "members")), 1);
  e1 = test_client_expect_error (alice, test_client_request (alice, "channel_join", "\"channel\": \"room\""), "ALREADY_JOINED");
  j2 = test_client_expect_reply (bob, test_client_request (bob, "channel_join", "\"channel\": \"room\""));
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (j2, "members")), 2);
  joined = test_client_expect_event (alice, "member_joined", NULL);
  ck_assert_str_eq (json_object_get_string_member (joined, "uid"), "bob");
  j3 = test_client_expect_reply (carol, test_client_request (carol, "channel_join", "\"channel\": \"room\""));

  members = test_client_expect_reply (alice, test_client_request (alice, "channel_members", "\"channel\": \"room\""));
  list = json_object_get_array_member (members, "members");
  ck_assert_uint_eq (json_array_get_length (list), 3);

  sent = test_client_expect_reply (bob, test_client_request (bob, "channel_message", "\"channel\": \"room\", \"text\": \"sdp\""));
  got = test_client_expect_event (alice, "channel_message", NULL);
  ck_assert_str_eq (json_object_get_string_member (got, "from"), "bob");
  ck_assert_str_eq (json_object_get_string_member (got, "text"), "sdp");
  test_client_expect_no_event (bob, "channel_message", 200);

  leave = test_client_expect_reply (bob, test_client_request (bob, "channel_leave", "\"channel\": \"room\""));
  left = test_client_expect_event (alice, "member_left", NULL);
  ck_assert_str_eq (json_object_get_string_member (left, "uid"), "bob");
  e2 = test_client_expect_error (bob, test_client_request (bob, "channel_message", "\"channel\": \"room\", \"text\": \"x\""),
                                 "NOT_IN_CHANNEL");
  e3 = test_client_expect_error (bob, test_client_request (bob, "channel_members", "\"channel\": \"room\""),
                                 "NOT_IN_CHANNEL");

  test_client_free (carol);
  left2 = test_client_expect_event (alice, "member_left", NULL);
  ck_assert_str_eq (json_object_get_string_member (left2, "uid"), "carol");
}
END_TEST

/* Keepalive and shutdown */

/* A client that logs in and then never reads again, so never pongs. */
/* A client on a bare socket, past the opening handshake: it sends what
 * the test writes and never answers a ping by itself. @extra_headers
 * (each ending in CRLF) go into the request; the response's head comes
 * back in @out_response. */
static GSocketConnection *
connect_raw_client (guint16      port,
                    const char  *extra_headers,
                    char       **out_response)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *request = g_strdup_printf ("GET /rtm HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                                              "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                              "Sec-WebSocket-Version: 13\r\n%s\r\n",
                                              port, extra_headers);
  GSocketConnection *connection;
  GInputStream *in;
  char buffer[2048];
  gsize got = 0;

  connection = g_socket_client_connect_to_host (socket_client, "127.0.0.1", port, NULL, &error);
  ck_assert_msg (connection != NULL, "cannot connect: %s", error ? error->message : "");
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 4);
  ck_assert (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                        request, strlen (request), NULL, NULL, NULL));
  /* Read the 101 response up to its blank line, no further. */
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  while (got < sizeof buffer - 1 && !(got >= 4 && memcmp (buffer + got - 4, "\r\n\r\n", 4) == 0))
    ck_assert (g_input_stream_read (in, buffer + got++, 1, NULL, NULL) == 1);
  buffer[got] = '\0';
  ck_assert_msg (g_str_has_prefix (buffer, "HTTP/1.1 101"), "handshake answered %s", buffer);
  if (out_response != NULL)
    *out_response = g_strdup (buffer);
  return connection;
}

/* Reads one frame from a raw client; returns its opcode, or -1 if none
 * came within the socket's timeout. The payload goes to @text. */
static int
read_raw_frame (GSocketConnection *connection,
                GString           *text)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  guint8 head[2];
  gsize length;
  char payload[65536];

  if (!g_input_stream_read_all (in, head, 2, NULL, NULL, NULL))
    return -1;
  length = head[1] & 0x7f;
  /* Final, no reserved bits (no extension), unmasked, short. */
  ck_assert_msg ((head[0] & 0xf0) == 0x80 && length < 126 && !(head[1] & 0x80),
                 "unexpected frame header %02x %02x", head[0], head[1]);
  ck_assert (g_input_stream_read_all (in, payload, length, NULL, NULL, NULL));
  g_string_assign (text, "");
  g_string_append_len (text, payload, length);
  return head[0] & 0x0f;
}

static void
send_raw_text (GSocketConnection *connection,
               const char        *text)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  const guint8 mask[4] = { 9, 8, 7, 6 };
  gsize length = strlen (text);
  guint8 frame[256];

  ck_assert (length < 126);
  frame[0] = 0x81;
  frame[1] = 0x80 | (guint8) length;
  memcpy (frame + 2, mask, 4);
  for (gsize i = 0; i < length; i++)
    frame[6 + i] = (guint8) text[i] ^ mask[i % 4];
  ck_assert (g_output_stream_write_all (out, frame, 6 + length, NULL, NULL, NULL));
}

/* A raw client that logs in as @uid, then says nothing more. */
static GSocketConnection *
connect_mute_client (guint16     port,
                     const char *uid)
{
  GSocketConnection *connection = connect_raw_client (port, "", NULL);
  g_autofree char *login = g_strdup_printf ("{\"type\":\"login\",\"req\":1,\"version\":1,\"uid\":\"%s\"}", uid);

  send_raw_text (connection, login);
  return connection;
}

START_TEST (test_permessage_deflate_is_not_agreed)
{
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *response = NULL;
  g_autofree char *lower = NULL;

  /* What browsers and most WebSocket libraries send by default. */
  connection = connect_raw_client (rtm_test_server_get_port (server),
                                   "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n",
                                   &response);
  lower = g_ascii_strdown (response, -1);
  ck_assert_msg (strstr (lower, "sec-websocket-extensions") == NULL,
                 "an extension was agreed: %s", response);

  /* The conversation goes on in plain frames: no RSV1 on the reply. */
  send_raw_text (connection, "{\"type\":\"ping\",\"req\":7}");
  ck_assert_int_eq (read_raw_frame (connection, text), 0x1);
  ck_assert_msg (strstr (text->str, "\"req\":7") != NULL, "got %s", text->str);
}
END_TEST

START_TEST (test_keepalive_pings_silent_connections_each_at_its_own_time)
{
  g_autoptr(RtmTestServer) own = start_server ("--keepalive-interval", "1", "--keepalive-timeout", "5", NULL);
  g_autoptr(GPtrArray) mutes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSocketConnection) chatty = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  gint64 start, first = G_MAXINT64, last = 0;

  /* Sixteen clients log in together and fall silent. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 16; i++)
    {
      g_autofree char *uid = g_strdup_printf ("quiet%u", i);
      GSocketConnection *mute = connect_mute_client (rtm_test_server_get_port (own), uid);

      ck_assert_int_eq (read_raw_frame (mute, text), 0x1);   /* the login reply */
      g_ptr_array_add (mutes, mute);
    }
  /* Wait on all of them at once: the time each ping arrives. */
  for (guint pinged = 0; pinged < 16;)
    {
      GPollFD fds[16];

      for (guint i = 0; i < mutes->len; i++)
        fds[i] = (GPollFD) { g_socket_get_fd (g_socket_connection_get_socket (g_ptr_array_index (mutes, i))),
                             G_IO_IN, 0 };
      ck_assert_int_gt (g_poll (fds, mutes->len, 4000), 0);
      for (guint i = 0; i < mutes->len; i++)
        if (fds[i].revents & G_IO_IN)
          {
            gint64 at = g_get_monotonic_time () - start;

            ck_assert_int_eq (read_raw_frame (g_ptr_array_index (mutes, i), text), 0x9);
            first = MIN (first, at);
            last = MAX (last, at);
            g_ptr_array_remove_index (mutes, i);
            pinged++;
            break;
          }
      if (mutes->len == 0)
        break;
    }
  /* Each is pinged after between half and all of the interval of
   * silence (plus the sweep's tick), not all in one sweep. */
  ck_assert_msg (first >= 400000, "first ping after %" G_GINT64_FORMAT " µs", first);
  ck_assert_msg (last <= 2000000, "last first ping after %" G_GINT64_FORMAT " µs", last);
  ck_assert_msg (last - first >= 200000, "all first pings within %" G_GINT64_FORMAT " µs",
                 last - first);

  /* A client that keeps talking is alive: it is not pinged. */
  chatty = connect_mute_client (rtm_test_server_get_port (own), "chatty");
  ck_assert_int_eq (read_raw_frame (chatty, text), 0x1);
  start = g_get_monotonic_time ();
  for (guint req = 2; g_get_monotonic_time () - start < 2500000; req++)
    {
      g_autofree char *request = g_strdup_printf ("{\"type\":\"ping\",\"req\":%u}", req);
      int opcode;

      send_raw_text (chatty, request);
      opcode = read_raw_frame (chatty, text);
      ck_assert_msg (opcode == 0x1, "a talking client got opcode %d", opcode);
      ck_assert_msg (strstr (text->str, "\"reply\"") != NULL, "got %s", text->str);
      g_usleep (200000);
    }
}
END_TEST

/* Deadlines are checked on the thread that serves each connection (a
 * worker, or the main thread when there are none). */
static void
check_keepalive_closes_a_mute_peer (const char *workers)
{
  g_autoptr(RtmTestServer) own = start_server ("--keepalive-interval", "1", "--keepalive-timeout", "2",
                                               "--workers", workers, NULL);
  g_autoptr(TestClient) alice = test_client_login (rtm_test_server_get_uri (own), "alice", NULL);
  g_autoptr(GSocketConnection) mute = NULL;
  g_autoptr(JsonObject) sub = NULL, online = NULL, offline = NULL;
  gint64 start;

  sub = test_client_expect_reply (alice, test_client_request (alice, "subscribe_presence", "\"uids\": [\"zombie\"]"));
  mute = connect_mute_client (rtm_test_server_get_port (own), "zombie");
  online = test_client_expect_event (alice, "presence", NULL);
  ck_assert (json_object_get_boolean_member (online, "online"));
  start = g_get_monotonic_time ();

  /* alice says nothing either, but her client answers pings. */
  rtm_test_run_for (1500);
  ck_assert (!test_client_is_closed (alice));
  offline = test_client_expect_event (alice, "presence", NULL);
  ck_assert (!json_object_get_boolean_member (offline, "online"));
  ck_assert_int_ge (g_get_monotonic_time () - start, 1500000);
  ck_assert (!test_client_is_closed (alice));
  ping (alice);
}

START_TEST (test_keepalive_closes_a_peer_that_stopped_answering)
{
  check_keepalive_closes_a_mute_peer ("32");
}
END_TEST

START_TEST (test_keepalive_closes_a_mute_peer_without_workers_too)
{
  check_keepalive_closes_a_mute_peer ("0");
}
END_TEST

START_TEST (test_sigterm_closes_connections_with_1001_and_exits_0)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TestClient) alice = NULL;
  g_autofree char *line = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, g_getenv ("RTM_SERVER_PATH"),
                              "--port", "0", NULL);
  ck_assert_msg (process != NULL, "cannot start rtm-server: %s", error ? error->message : "");
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  ck_assert_msg (line != NULL && g_str_has_prefix (line, "listening on ws://"), "first line: %s", line);

  alice = test_client_login (line + strlen ("listening on "), "alice", NULL);
  g_subprocess_send_signal (process, SIGTERM);
  ck_assert_uint_eq (test_client_wait_closed (alice, TEST_TIMEOUT_MS), SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  ck_assert (g_subprocess_wait (process, NULL, &error));
  ck_assert_msg (g_subprocess_get_if_exited (process), "rtm-server did not exit normally");
  ck_assert_int_eq (g_subprocess_get_exit_status (process), 0);
}
END_TEST

START_TEST (test_sigterm_right_after_the_listening_line_exits_0)
{
  /* Whoever reads the line may signal at once: the handler must be there. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GDataInputStream) out = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *line = NULL;

      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                  g_getenv ("RTM_SERVER_PATH"), "--port", "0", NULL);
      ck_assert_msg (process != NULL, "cannot start rtm-server: %s", error ? error->message : "");
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
      line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
      ck_assert_msg (line != NULL && g_str_has_prefix (line, "listening on "), "first line: %s", line);
      g_subprocess_send_signal (process, i % 2 ? SIGINT : SIGTERM);
      ck_assert (g_subprocess_wait (process, NULL, &error));
      ck_assert_msg (g_subprocess_get_if_exited (process), "rtm-server died of signal %d",
                     g_subprocess_get_if_signaled (process) ? g_subprocess_get_term_sig (process) : 0);
      ck_assert_int_eq (g_subprocess_get_exit_status (process), 0);
    }
}
END_TEST

START_TEST (test_bad_configuration_is_refused_at_start)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              g_getenv ("RTM_SERVER_PATH"), "--port", "0", "--invitation-lifetime", "soon", NULL);
  ck_assert (process != NULL);
  ck_assert (g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error));
  ck_assert_int_ne (g_subprocess_get_exit_status (process), 0);
  ck_assert_msg (strstr (err, "invitation-lifetime") != NULL, "the error does not name the key: %s", err);
}
END_TEST

/* Listening sockets on 127.0.0.1:@port, from /proc/net/tcp. */
static guint
count_listeners (guint16 port)
{
  g_autofree char *table = NULL;
  g_autofree char *local = g_strdup_printf ("0100007F:%04X", port);
  g_auto(GStrv) lines = NULL;
  guint count = 0;

  ck_assert (g_file_get_contents ("/proc/net/tcp", &table, NULL, NULL));
  lines = g_strsplit (table, "\n", 0);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", 0);
      g_autoptr(GPtrArray) columns = g_ptr_array_new ();

      for (guint f = 0; fields[f] != NULL; f++)
        if (*fields[f] != '\0')
          g_ptr_array_add (columns, fields[f]);
      /* sl local_address rem_address st: 0A is LISTEN */
      if (columns->len > 3 && g_str_equal (g_ptr_array_index (columns, 1), local) &&
          g_str_equal (g_ptr_array_index (columns, 3), "0A"))
        count++;
    }
  return count;
}

START_TEST (test_each_worker_has_its_own_accept_queue_and_the_port_is_not_shared)
{
  g_autoptr(RtmTestServer) own = start_server ("--workers", "4", NULL);
  g_autoptr(RtmTestServer) single = start_server ("--workers", "0", NULL);
  guint16 port = rtm_test_server_get_port (own);
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) test_client_free);
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  /* A queue per worker (SO_REUSEPORT), so a storm of connections does
   * not overflow one queue; one socket when there are no workers. */
  ck_assert_uint_eq (count_listeners (port), 4);
  ck_assert_uint_eq (count_listeners (rtm_test_server_get_port (single)), 1);
  /* Connections spread over the queues all get served. */
  for (guint i = 0; i < 16; i++)
    {
      g_autofree char *uid = g_strdup_printf ("user%u", i);

      g_ptr_array_add (clients, test_client_login (rtm_test_server_get_uri (own), uid, NULL));
    }
  for (guint i = 0; i < clients->len; i++)
    ping (g_ptr_array_index (clients, i));

  /* A second server on the same port must not quietly join the group. */
  second = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                             g_getenv ("RTM_SERVER_PATH"), "--port", port_text, NULL);
  ck_assert (second != NULL);
  ck_assert (g_subprocess_communicate_utf8 (second, NULL, NULL, NULL, &err, &error));
  ck_assert_int_ne (g_subprocess_get_exit_status (second), 0);
  ck_assert_msg (strstr (err, "in use") != NULL, "the error does not say so: %s", err);
  ck_assert_uint_eq (count_listeners (port), 4);
  ping (g_ptr_array_index (clients, 0));
}
END_TEST

/* Races */

typedef enum { ACT_ACCEPT, ACT_REFUSE, ACT_CANCEL, ACT_EXPIRE, ACT_CALLER_GONE, ACT_CALLEE_GONE, N_ACTS } Act;

/* The outcome one side saw, from its frames. */
static const char *
outcome_of (TestClient *client,
            const char *id)
{
  GPtrArray *log = test_client_get_log (client);
  const char *finals[] = { "invitation_accepted", "invitation_refused", "invitation_canceled",
                           "invitation_failed" };
  const char *seen = NULL;

  for (guint i = 0; i < log->len; i++)
    for (guint f = 0; f < G_N_ELEMENTS (finals); f++)
      {
        g_autofree char *entry = g_strdup_printf ("%s:%s", finals[f], id);

        if (g_str_equal (g_ptr_array_index (log, i), entry))
          {
            ck_assert_msg (seen == NULL, "%s saw two outcomes for %s: %s and %s",
                           test_client_get_uid (client), id, seen, finals[f]);
            seen = finals[f];
          }
      }
  return seen;
}

START_TEST (test_random_races_end_each_invitation_once_on_both_sides)
{
  g_autoptr(RtmTestServer) own = start_server ("--invitation-lifetime", "0.4", NULL);
  const char *own_uri = rtm_test_server_get_uri (own);
  GRand *rand = g_rand_new_with_seed ((guint32) g_get_real_time ());
  const guint n = 24;

  for (guint round = 0; round < 3; round++)
    {
      TestClient *callers[24], *callees[24];
      char *ids[24];
      gint64 reqs[24][2];
      Act acts[24];

      for (guint i = 0; i < n; i++)
        {
          g_autofree char *a = g_strdup_printf ("caller%u", i);
          g_autofree char *b = g_strdup_printf ("callee%u", i);

          callers[i] = test_client_login (own_uri, a, NULL);
          callees[i] = test_client_login (own_uri, b, NULL);
          ids[i] = invite (callers[i], b, NULL);
          acts[i] = g_rand_int_range (rand, 0, N_ACTS);
        }
      /* Both parties act at once where they can: the server must pick one. */
      for (guint i = 0; i < n; i++)
        {
          reqs[i][0] = reqs[i][1] = 0;
          switch (acts[i])
            {
            case ACT_ACCEPT:
            case ACT_REFUSE:
              reqs[i][1] = answer (callees[i], acts[i] == ACT_ACCEPT ? "invitation_accept" : "invitation_refuse", ids[i]);
              if (g_rand_boolean (rand))
                reqs[i][0] = answer (callers[i], "invitation_cancel", ids[i]);
              break;
            case ACT_CANCEL:
              reqs[i][0] = answer (callers[i], "invitation_cancel", ids[i]);
              if (g_rand_boolean (rand))
                reqs[i][1] = answer (callees[i], "invitation_accept", ids[i]);
              break;
            case ACT_CALLER_GONE:
              if (g_rand_boolean (rand))
                reqs[i][1] = answer (callees[i], "invitation_accept", ids[i]);
              test_client_close (callers[i]);
              break;
            case ACT_CALLEE_GONE:
              if (g_rand_boolean (rand))
                reqs[i][0] = answer (callers[i], "invitation_cancel", ids[i]);
              test_client_close (callees[i]);
              break;
            case ACT_EXPIRE:
            case N_ACTS:
            default:
              break;
            }
        }
      /* Wait (under load, as long as it takes) until every invitation has
       * ended for someone who can still tell. */
      {
        gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
        gboolean all_ended = FALSE;

        while (!all_ended && g_get_monotonic_time () < deadline)
          {
            all_ended = TRUE;
            for (guint i = 0; i < n && all_ended; i++)
              {
                gboolean caller_here = acts[i] != ACT_CALLER_GONE;
                gboolean callee_here = acts[i] != ACT_CALLEE_GONE;

                if (outcome_of (callers[i], ids[i]) == NULL && outcome_of (callees[i], ids[i]) == NULL &&
                    !(!caller_here && reqs[i][1] != 0) && !(!callee_here && reqs[i][0] != 0))
                  all_ended = FALSE;
              }
            if (!all_ended)
              rtm_test_run_for (20);
          }
      }

      for (guint i = 0; i < n; i++)
        {
          const char *caller_saw = outcome_of (callers[i], ids[i]);
          const char *callee_saw = outcome_of (callees[i], ids[i]);
          gboolean caller_here = acts[i] != ACT_CALLER_GONE;
          gboolean callee_here = acts[i] != ACT_CALLEE_GONE;

          if (caller_here && callee_here)
            {
              /* Both present: one outcome, seen by the side that did not act
               * (the actor learns it from its reply). */
              ck_assert_msg (caller_saw != NULL || callee_saw != NULL,
                             "invitation %u (act %d) never ended", i, acts[i]);
              if (caller_saw != NULL && callee_saw != NULL)
                ck_assert_msg (g_str_equal (caller_saw, "invitation_failed") &&
                               g_str_equal (callee_saw, "invitation_failed"),
                               "invitation %u ended as %s for the caller but %s for the callee",
                               i, caller_saw, callee_saw);
              if (g_strcmp0 (caller_saw, "invitation_accepted") == 0 ||
                  g_strcmp0 (caller_saw, "invitation_refused") == 0)
                {
                  /* The callee's answer won: its reply is a success, the
                   * caller's late cancel an error. */
                  G_GNUC_UNUSED g_autoptr(JsonObject) reply = test_client_expect_reply (callees[i], reqs[i][1]);
                  g_autoptr(JsonObject) late = NULL;

                  if (reqs[i][0] != 0)
                    late = test_client_expect_error (callers[i], reqs[i][0],
                                                     g_str_equal (caller_saw, "invitation_accepted")
                                                     ? "ALREADY_ACCEPT" : "ALREADY_END");
                }
              if (g_strcmp0 (callee_saw, "invitation_canceled") == 0)
                {
                  G_GNUC_UNUSED g_autoptr(JsonObject) reply = test_client_expect_reply (callers[i], reqs[i][0]);
                  g_autoptr(JsonObject) late = NULL;

                  if (reqs[i][1] != 0)
                    late = test_client_expect_error (callees[i], reqs[i][1], "ALREADY_END");
                }
            }
          else
            {
              const char *saw = caller_here ? caller_saw : callee_saw;
              TestClient *left = caller_here ? callers[i] : callees[i];
              gint64 req = reqs[i][caller_here ? 0 : 1];

              /* It heard PEER_OFFLINE, or it acted first and its reply
               * (a success) told it the outcome. */
              if (saw == NULL)
                {
                  g_autoptr(JsonObject) reply = NULL;

                  ck_assert_msg (req != 0, "invitation %u (act %d): the remaining side never heard the end",
                                 i, acts[i]);
                  reply = test_client_expect_reply (left, req);
                }
            }
        }
      for (guint i = 0; i < n; i++)
        {
          test_client_free (callers[i]);
          test_client_free (callees[i]);
          g_free (ids[i]);
        }
    }
  g_rand_free (rand);
}
END_TEST

#define ADD(suite, test, timeout) G_STMT_START {      \
    TCase *tcase = tcase_create (#test);                 \
    tcase_add_checked_fixture (tcase, setup, teardown);  \
    tcase_set_timeout (tcase, timeout);                  \
    tcase_add_test (tcase, test);                        \
    suite_add_tcase (suite, tcase);                      \
  } G_STMT_END

static Suite *
server_suite (void)
{
  Suite *suite = suite_create ("rtm-server");

  ADD (suite, test_startup_prints_the_uri_of_a_free_port, 10);
  ADD (suite, test_each_worker_has_its_own_accept_queue_and_the_port_is_not_shared, 20);
  ADD (suite, test_open_mode_logs_in_any_uid_and_tells_the_settings, 10);
  ADD (suite, test_login_refuses_bad_requests, 10);
  ADD (suite, test_tokens_are_checked_when_a_secret_is_set, 10);
  ADD (suite, test_token_command_mints_tokens_the_server_accepts, 10);
  ADD (suite, test_sighup_reloads_the_secret_without_dropping_sessions, 10);
  ADD (suite, test_a_second_login_kicks_the_first_session, 10);
  ADD (suite, test_tls_serves_wss, 10);
  ADD (suite, test_sighup_reloads_the_tls_certificate, 10);
  ADD (suite, test_single_threaded_mode_serves_the_same_protocol, 10);
  ADD (suite, test_connections_past_the_limit_are_turned_away, 10);
  ADD (suite, test_accept_reaches_both_sides_in_order, 10);
  ADD (suite, test_refuse_carries_the_response, 10);
  ADD (suite, test_cancel_reaches_the_callee_first, 10);
  ADD (suite, test_expiry_before_the_ack_is_peer_no_response, 10);
  ADD (suite, test_expiry_after_the_ack_is_invitation_expire_on_both_sides, 10);
  ADD (suite, test_offline_callee_fails_with_peer_offline, 10);
  ADD (suite, test_caller_disconnecting_mid_ring_tells_the_callee, 10);
  ADD (suite, test_callee_disconnecting_mid_ring_tells_the_caller, 10);
  ADD (suite, test_logout_mid_ring_tells_the_other_side, 10);
  ADD (suite, test_third_parties_are_not_permitted, 10);
  ADD (suite, test_late_requests_get_already_accept_or_already_end, 10);
  ADD (suite, test_unknown_and_malformed_invitation_ids, 10);
  ADD (suite, test_ended_invitations_are_forgotten_after_the_linger_time, 10);
  ADD (suite, test_inviting_oneself_plays_both_roles, 10);
  ADD (suite, test_received_by_peer_waits_for_the_callees_ack, 10);
  ADD (suite, test_the_callees_reply_waits_for_the_callers_ack, 10);
  ADD (suite, test_the_reply_goes_out_after_the_ack_timeout, 10);
  ADD (suite, test_answering_before_the_ack_still_tells_received_by_peer_first, 10);
  ADD (suite, test_the_reply_goes_out_when_the_other_party_leaves_before_acking, 10);
  ADD (suite, test_caller_logout_mid_ring_tells_the_callee, 10);
  ADD (suite, test_malformed_frames_get_errors_and_harm_no_one, 10);
  ADD (suite, test_oversized_frames_get_too_large_and_the_connection_survives, 10);
  ADD (suite, test_floods_get_too_often_then_are_closed, 10);
  ADD (suite, test_unauthenticated_connections_are_closed_after_the_timeout, 10);
  ADD (suite, test_presence_query_and_subscription, 10);
  ADD (suite, test_peer_messages_reach_online_peers_only, 10);
  ADD (suite, test_channels_tell_members_about_each_other, 10);
  ADD (suite, test_permessage_deflate_is_not_agreed, 10);
  ADD (suite, test_keepalive_pings_silent_connections_each_at_its_own_time, 20);
  ADD (suite, test_keepalive_closes_a_peer_that_stopped_answering, 20);
  ADD (suite, test_keepalive_closes_a_mute_peer_without_workers_too, 20);
  ADD (suite, test_sigterm_closes_connections_with_1001_and_exits_0, 10);
  ADD (suite, test_sigterm_right_after_the_listening_line_exits_0, 10);
  ADD (suite, test_bad_configuration_is_refused_at_start, 10);
  ADD (suite, test_random_races_end_each_invitation_once_on_both_sides, 30);
  return suite;
}

int
main (void)
{
  SRunner *runner = srunner_create (server_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
