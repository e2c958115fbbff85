/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * librtm between real RtmClients over a real rtm-server process. Several
 * clients share the test's main context; every manager signal goes into
 * one ordered event log, so the tests can assert who heard what first.
 */
#include <check.h>
#include <errno.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <rtm.h>

#include "rtm-protocol.h"
#include "rtm-test-server.h"

#define WAIT_MS 5000

/* Runs the main context until @cond holds; fails naming @what otherwise. */
#define WAIT_UNTIL(cond, ms, what) G_STMT_START {                                        \
    gint64 wait_deadline_ = g_get_monotonic_time () + (gint64) (ms) * 1000;               \
    while (!(cond))                                                                       \
      {                                                                                   \
        if (g_get_monotonic_time () >= wait_deadline_)                                    \
          ck_abort_msg ("line %d: %s did not happen within %d ms", __LINE__, what, (int) (ms)); \
        g_main_context_iteration (NULL, TRUE);                                            \
      }                                                                                   \
  } G_STMT_END

typedef struct
{
  guint     seq;
  char     *party;
  char     *kind;    /* "received", "received-by-peer", "accepted", … */
  gboolean  local;   /* the caller's side */
  char     *id;
  int       code;
  char     *response;
  int       state;
} Event;

typedef struct
{
  char      *name;
  RtmClient *client;
  GPtrArray *remotes;   /* RtmRemoteInvitation received */
  GArray    *states;    /* connection states, in order */
  GArray    *reasons;
  gboolean   auto_accept;
  gboolean   accept_nested;   /* accept and wait, inside the handler */
  gboolean   nested_accepted;
} Party;

static RtmTestServer *server;
static GPtrArray *events;
static GPtrArray *parties;
static guint event_seq;
static guint ticker;

/* Fixtures */

static void
event_free (gpointer data)
{
  Event *event = data;

  g_free (event->party);
  g_free (event->kind);
  g_free (event->id);
  g_free (event->response);
  g_free (event);
}

static gboolean
on_tick (gpointer data)
{
  /* Keeps g_main_context_iteration() from blocking long in WAIT_UNTIL. */
  return G_SOURCE_CONTINUE;
}

static void party_free (Party *party);

static void
setup (void)
{
  events = g_ptr_array_new_with_free_func (event_free);
  parties = g_ptr_array_new ();
  event_seq = 0;
  ticker = g_timeout_add (10, on_tick, NULL);
  server = rtm_test_server_start (NULL);
}

static void
teardown (void)
{
  while (parties->len > 0)
    party_free (g_ptr_array_index (parties, parties->len - 1));
  g_clear_pointer (&parties, g_ptr_array_unref);
  g_clear_pointer (&server, rtm_test_server_free);
  g_clear_handle_id (&ticker, g_source_remove);
  g_clear_pointer (&events, g_ptr_array_unref);
}

static void
use_server (const char * const *args)
{
  g_clear_pointer (&server, rtm_test_server_free);
  server = rtm_test_server_start (args);
}

/* Async helpers */

static void
on_async (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
do_login (RtmClient   *client,
          const char  *uid,
          const char  *token,
          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rtm_client_login_async (client, uid, token, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "the login to finish");
  return rtm_client_login_finish (client, result, error);
}

static gboolean
do_logout (RtmClient  *client,
           GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rtm_client_logout_async (client, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "the logout to finish");
  return rtm_client_logout_finish (client, result, error);
}

#define DEFINE_INVITATION_OP(name, Type, async_fn, finish_fn)                  \
  static gboolean                                                               \
  name (Party *party, Type *invitation, GError **error)                        \
  {                                                                             \
    RtmCallManager *manager = rtm_client_get_call_manager (party->client);     \
    g_autoptr(GAsyncResult) result = NULL;                                      \
                                                                                \
    async_fn (manager, invitation, NULL, on_async, &result);                    \
    WAIT_UNTIL (result != NULL, WAIT_MS, #name " to finish");                  \
    return finish_fn (manager, result, error);                                  \
  }

DEFINE_INVITATION_OP (do_send, RtmLocalInvitation,
                      rtm_call_manager_send_local_invitation_async,
                      rtm_call_manager_send_local_invitation_finish)
DEFINE_INVITATION_OP (do_cancel, RtmLocalInvitation,
                      rtm_call_manager_cancel_local_invitation_async,
                      rtm_call_manager_cancel_local_invitation_finish)
DEFINE_INVITATION_OP (do_accept, RtmRemoteInvitation,
                      rtm_call_manager_accept_remote_invitation_async,
                      rtm_call_manager_accept_remote_invitation_finish)
DEFINE_INVITATION_OP (do_refuse, RtmRemoteInvitation,
                      rtm_call_manager_refuse_remote_invitation_async,
                      rtm_call_manager_refuse_remote_invitation_finish)

/* The event log */

static Event *
log_event (Party      *party,
           const char *kind,
           gboolean    local,
           const char *id,
           int         code,
           const char *response,
           int         state)
{
  Event *event = g_new0 (Event, 1);

  event->seq = ++event_seq;
  event->party = g_strdup (party->name);
  event->kind = g_strdup (kind);
  event->local = local;
  event->id = g_strdup (id);
  event->code = code;
  event->response = g_strdup (response);
  event->state = state;
  g_ptr_array_add (events, event);
  return event;
}

static Event *
find_event (const char *party,
            const char *kind)
{
  for (guint i = 0; i < events->len; i++)
    {
      Event *event = g_ptr_array_index (events, i);

      if (g_str_equal (event->party, party) && g_str_equal (event->kind, kind))
        return event;
    }
  return NULL;
}

/* find_event() that fails the test when the event never came. */
static Event *
get_event (const char *party,
           const char *kind)
{
  Event *event = find_event (party, kind);

  if (event == NULL)
    ck_abort_msg ("%s never heard %s", party, kind);
  return event;
}

static guint
count_events (const char *party,
              const char *kind)
{
  guint n = 0;

  for (guint i = 0; i < events->len; i++)
    {
      Event *event = g_ptr_array_index (events, i);

      if ((party == NULL || g_str_equal (event->party, party)) && g_str_equal (event->kind, kind))
        n++;
    }
  return n;
}

#define WAIT_EVENT(party, kind) \
  WAIT_UNTIL (find_event ((party), (kind)) != NULL, WAIT_MS, party " hearing " kind)

/* The first event of each pair happened before the second. */
static void
assert_before (const char *party_a,
               const char *kind_a,
               const char *party_b,
               const char *kind_b)
{
  Event *a = find_event (party_a, kind_a);
  Event *b = find_event (party_b, kind_b);

  ck_assert_msg (a != NULL, "%s never heard %s", party_a, kind_a);
  ck_assert_msg (b != NULL, "%s never heard %s", party_b, kind_b);
  ck_assert_msg (a->seq < b->seq, "%s's %s (#%u) came after %s's %s (#%u)",
                 party_a, kind_a, a->seq, party_b, kind_b, b->seq);
}

static void
on_state_notify (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  GArray *states = g_object_get_data (object, "states");
  int state;

  g_object_get (object, "state", &state, NULL);
  g_array_append_val (states, state);
}

static void
track_states (gpointer invitation)
{
  GArray *states = g_array_new (FALSE, FALSE, sizeof (int));
  int state;

  g_object_get (invitation, "state", &state, NULL);
  g_array_append_val (states, state);
  g_object_set_data_full (invitation, "states", states, (GDestroyNotify) g_array_unref);
  g_signal_connect (invitation, "notify::state", G_CALLBACK (on_state_notify), NULL);
}

/* Asserts the states the invitation went through, its initial one first;
 * the list ends with -1. */
static void
assert_states (gpointer invitation,
               ...)
{
  GArray *states = g_object_get_data (invitation, "states");
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  va_list args;
  int state;

  for (guint i = 0; i < states->len; i++)
    g_string_append_printf (seen, "%d ", g_array_index (states, int, i));
  va_start (args, invitation);
  while ((state = va_arg (args, int)) >= 0)
    g_string_append_printf (expected, "%d ", state);
  va_end (args);

  ck_assert_msg (g_str_equal (seen->str, expected->str),
                 "the invitation went through states [%s], not [%s]", seen->str, expected->str);
}

/* Parties: a client with its signals logged */

static void
on_local_received_by_peer (RtmCallManager *manager, RtmLocalInvitation *inv, Party *party)
{
  log_event (party, "received-by-peer", TRUE, rtm_local_invitation_get_invitation_id (inv), 0, NULL,
             rtm_local_invitation_get_state (inv));
}

static void
on_local_accepted (RtmCallManager *manager, RtmLocalInvitation *inv, const char *response, Party *party)
{
  log_event (party, "accepted", TRUE, rtm_local_invitation_get_invitation_id (inv), 0, response,
             rtm_local_invitation_get_state (inv));
}

static void
on_local_refused (RtmCallManager *manager, RtmLocalInvitation *inv, const char *response, Party *party)
{
  log_event (party, "refused", TRUE, rtm_local_invitation_get_invitation_id (inv), 0, response,
             rtm_local_invitation_get_state (inv));
}

static void
on_local_canceled (RtmCallManager *manager, RtmLocalInvitation *inv, Party *party)
{
  log_event (party, "canceled", TRUE, rtm_local_invitation_get_invitation_id (inv), 0, NULL,
             rtm_local_invitation_get_state (inv));
}

static void
on_local_failure (RtmCallManager *manager, RtmLocalInvitation *inv, RtmLocalInvitationError code, Party *party)
{
  ck_assert_int_eq (code, rtm_local_invitation_get_failure_code (inv));
  log_event (party, "failure", TRUE, rtm_local_invitation_get_invitation_id (inv), code, NULL,
             rtm_local_invitation_get_state (inv));
}

static void
on_accept_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  rtm_call_manager_accept_remote_invitation_finish (RTM_CALL_MANAGER (object), result, NULL);
}

static void
on_remote_received (RtmCallManager *manager, RtmRemoteInvitation *inv, Party *party)
{
  track_states (inv);
  g_ptr_array_add (party->remotes, g_object_ref (inv));
  log_event (party, "received", FALSE, rtm_remote_invitation_get_invitation_id (inv), 0, NULL,
             rtm_remote_invitation_get_state (inv));
  if (party->auto_accept)
    rtm_call_manager_accept_remote_invitation_async (manager, inv, NULL, on_accept_done, NULL);
  if (party->accept_nested)
    {
      /* The handler stays in a nested main loop (a modal dialog, say):
       * the accept it sent must still go out, and the caller hear it. */
      rtm_call_manager_accept_remote_invitation_async (manager, inv, NULL, on_accept_done, NULL);
      WAIT_UNTIL (find_event ("alice", "accepted") != NULL, WAIT_MS,
                  "the caller hearing the accept while the callee's handler waits");
      party->nested_accepted = TRUE;
    }
}

static void
on_remote_accepted (RtmCallManager *manager, RtmRemoteInvitation *inv, Party *party)
{
  log_event (party, "accepted", FALSE, rtm_remote_invitation_get_invitation_id (inv), 0, NULL,
             rtm_remote_invitation_get_state (inv));
}

static void
on_remote_refused (RtmCallManager *manager, RtmRemoteInvitation *inv, Party *party)
{
  log_event (party, "refused", FALSE, rtm_remote_invitation_get_invitation_id (inv), 0, NULL,
             rtm_remote_invitation_get_state (inv));
}

static void
on_remote_canceled (RtmCallManager *manager, RtmRemoteInvitation *inv, Party *party)
{
  log_event (party, "canceled", FALSE, rtm_remote_invitation_get_invitation_id (inv), 0, NULL,
             rtm_remote_invitation_get_state (inv));
}

static void
on_remote_failure (RtmCallManager *manager, RtmRemoteInvitation *inv, RtmRemoteInvitationError code, Party *party)
{
  ck_assert_int_eq (code, rtm_remote_invitation_get_failure_code (inv));
  log_event (party, "failure", FALSE, rtm_remote_invitation_get_invitation_id (inv), code, NULL,
             rtm_remote_invitation_get_state (inv));
}

static void
on_connection_state_changed (RtmClient *client, RtmConnectionState state,
                             RtmConnectionChangeReason reason, Party *party)
{
  ck_assert_int_eq (state, rtm_client_get_connection_state (client));
  g_array_append_val (party->states, state);
  g_array_append_val (party->reasons, reason);
}

static Party *
party_new_logged_out (const char *name)
{
  Party *party = g_new0 (Party, 1);
  RtmCallManager *manager;

  party->name = g_strdup (name);
  party->client = rtm_client_new (rtm_test_server_get_uri (server));
  party->remotes = g_ptr_array_new_with_free_func (g_object_unref);
  party->states = g_array_new (FALSE, FALSE, sizeof (int));
  party->reasons = g_array_new (FALSE, FALSE, sizeof (int));

  manager = rtm_client_get_call_manager (party->client);
  g_signal_connect (manager, "local-invitation-received-by-peer", G_CALLBACK (on_local_received_by_peer), party);
  g_signal_connect (manager, "local-invitation-accepted", G_CALLBACK (on_local_accepted), party);
  g_signal_connect (manager, "local-invitation-refused", G_CALLBACK (on_local_refused), party);
  g_signal_connect (manager, "local-invitation-canceled", G_CALLBACK (on_local_canceled), party);
  g_signal_connect (manager, "local-invitation-failure", G_CALLBACK (on_local_failure), party);
  g_signal_connect (manager, "remote-invitation-received", G_CALLBACK (on_remote_received), party);
  g_signal_connect (manager, "remote-invitation-accepted", G_CALLBACK (on_remote_accepted), party);
  g_signal_connect (manager, "remote-invitation-refused", G_CALLBACK (on_remote_refused), party);
  g_signal_connect (manager, "remote-invitation-canceled", G_CALLBACK (on_remote_canceled), party);
  g_signal_connect (manager, "remote-invitation-failure", G_CALLBACK (on_remote_failure), party);
  g_signal_connect (party->client, "connection-state-changed", G_CALLBACK (on_connection_state_changed), party);

  g_ptr_array_add (parties, party);
  return party;
}

static Party *
party_new (const char *name)
{
  Party *party = party_new_logged_out (name);
  g_autoptr(GError) error = NULL;

  ck_assert_msg (do_login (party->client, name, NULL, &error), "%s cannot log in: %s",
                 name, error ? error->message : "?");
  ck_assert_int_eq (rtm_client_get_connection_state (party->client), RTM_CONNECTION_STATE_CONNECTED);
  return party;
}

/* Drops the client: its connection closes as if the process died. */
static void
party_drop_client (Party *party)
{
  if (party->client == NULL)
    return;
  g_signal_handlers_disconnect_by_data (rtm_client_get_call_manager (party->client), party);
  g_signal_handlers_disconnect_by_data (party->client, party);
  g_assert_finalize_object (g_steal_pointer (&party->client));
}

static void
party_free (Party *party)
{
  g_ptr_array_remove (parties, party);
  party_drop_client (party);
  g_ptr_array_unref (party->remotes);
  g_array_unref (party->states);
  g_array_unref (party->reasons);
  g_free (party->name);
  g_free (party);
}

static RtmRemoteInvitation *
last_remote (Party *party)
{
  ck_assert_msg (party->remotes->len > 0, "%s received no invitation", party->name);
  return g_ptr_array_index (party->remotes, party->remotes->len - 1);
}

static RtmLocalInvitation *
invite (Party      *caller,
        const char *callee,
        const char *content,
        const char *channel)
{
  RtmCallManager *manager = rtm_client_get_call_manager (caller->client);
  RtmLocalInvitation *inv = rtm_call_manager_create_local_invitation (manager, callee);
  g_autoptr(GError) error = NULL;

  if (content != NULL)
    ck_assert (rtm_local_invitation_set_content (inv, content));
  if (channel != NULL)
    ck_assert (rtm_local_invitation_set_channel_id (inv, channel));
  track_states (inv);
  ck_assert_msg (do_send (caller, inv, &error), "sending failed: %s", error ? error->message : "?");
  ck_assert_int_ge (rtm_local_invitation_get_state (inv), RTM_LOCAL_INVITATION_STATE_SENT_TO_REMOTE);
  ck_assert (rtm_invitation_id_is_valid (rtm_local_invitation_get_invitation_id (inv)));
  return inv;
}

static void
on_count_notify (GObject *object, GParamSpec *pspec, gpointer data)
{
  (*(guint *) data)++;
}

/* The seed's flows */

START_TEST (test_accepted_invitation_reaches_both_sides_in_order)
{
  Party *alice = party_new ("alice");
  Party *bob = party_new ("bob");
  g_autoptr(RtmLocalInvitation) inv = invite (alice, "bob", "voice", "room-1");
  RtmRemoteInvitation *remote;
  g_autoptr(GError) error = NULL;
  guint response_notifies = 0;
  guint code_notifies = 0;

  WAIT_EVENT ("alice", "received-by-peer");
  assert_before ("bob", "received", "alice", "received-by-peer");

  remote = last_remote (bob);
  ck_assert_str_eq (rtm_remote_invitation_get_caller_id (remote), "alice");
  ck_assert_str_eq (rtm_remote_invitation_get_content (remote), "voice");
  ck_assert_str_eq (rtm_remote_invitation_get_channel_id (remote), "room-1");
  ck_assert_str_eq (rtm_remote_invitation_get_invitation_id (remote), rtm_local_invitation_get_invitation_id (inv));
  ck_assert_int_eq (rtm_local_invitation_get_state (inv), RTM_LOCAL_INVITATION_STATE_RECEIVED_BY_REMOTE);

  g_signal_connect (inv, "notify::response", G_CALLBACK (on_count_notify), &response_notifies);
  g_signal_connect (inv, "notify::failure-code", G_CALLBACK (on_count_notify), &code_notifies);
  {
    g_autofree char *big = g_strnfill (RTM_MAX_CONTENT_LENGTH + 1, 'x');

    ck_assert (!rtm_remote_invitation_set_response (remote, big));
    ck_assert_ptr_null (rtm_remote_invitation_get_response (remote));
  }
  ck_assert (rtm_remote_invitation_set_response (remote, "on my way"));
  ck_assert_msg (do_accept (bob, remote, &error), "accept failed: %s", error ? error->message : "?");
  ck_assert_uint_eq (response_notifies, 1);
  ck_assert_uint_eq (code_notifies, 0);
  /* The accept's reply comes after the caller has heard. */
  ck_assert (find_event ("alice", "accepted") != NULL);
  assert_before ("alice", "accepted", "bob", "accepted");
  ck_assert_str_eq (get_event ("alice", "accepted")->response, "on my way");
  ck_assert_str_eq (rtm_local_invitation_get_response (inv), "on my way");
  ck_assert (!rtm_remote_invitation_set_response (remote, "too late"));

  assert_states (inv, 0, 1, 2, 3, -1);
  assert_states (remote, 1, 2, 4, -1);
  ck_assert_uint_eq (count_events (NULL, "accepted"), 2);
  ck_assert_uint_eq (count_events (NULL, "failure"), 0);
}
END_TEST

START_TEST (test_accepting_inside_the_received_handler_keeps_the_order)
{
  Party *alice = party_new ("alice");
  Party *bob = party_new ("bob");
  g_autoptr(RtmLocalInvitation) inv = NULL;

  bob->auto_accept = TRUE;
  inv = invite (alice, "bob", NULL, NULL);
  WAIT_EVENT ("bob", "accepted");
  /* The ack of invitation_received goes out before the accept the handler
   * sent, so the caller still hears received-by-peer first. */
  assert_before ("bob", "received", "alice", "received-by-peer");
  assert_before ("alice", "received-by-peer", "alice", "accepted");
  assert_before ("alice", "accepted", "bob", "accepted");
  assert_states (inv, 0, 1, 2, 3, -1);
  assert_states (last_remote (bob), 1, 2, 4, -1);
}
END_TEST

START_TEST (test_a_handler_may_wait_in_a_nested_main_loop)
{
  Party *alice = party_new ("alice");
  Party *bob = party_new ("bob");
  g_autoptr(RtmLocalInvitation) inv = NULL;

  /* Bob's handler accepts, then waits in a nested main loop before it
   * returns. (His own connection is not read meanwhile: GLib does not
   * dispatch a source inside itself, so the confirmation waits.) */
  bob->accept_nested = TRUE;
  inv = invite (alice, "bob", NULL, NULL);
  WAIT_UNTIL (bob->nested_accepted, WAIT_MS, "the nested accept");
  WAIT_EVENT ("bob", "accepted");
  assert_before ("alice", "accepted", "bob", "accepted");
  assert_states (inv, 0, 1, 2, 3, -1);
}
END_TEST

START_TEST (test_refusal_carries_the_response)
{
  Party *alice = party_new ("alice");
  Party *bob = party_new ("bob");
  g_autoptr(RtmLocalInvitation) inv = invite (alice, "bob", NULL, NULL);
  RtmRemoteInvitation *remote;
  g_autoptr(GError) error = NULL;

  WAIT_EVENT ("alice", "received-by-peer");
  remote = last_remote (bob);
  /* No content: the server sends "" (or nothing). */
  ck_assert_str_eq (rtm_remote_invitation_get_content (remote) ? rtm_remote_invitation_get_content (remote) : "", "");
  ck_assert (rtm_remote_invitation_set_response (remote, "busy"));
  ck_assert_msg (do_refuse (bob, remote, &error), "refuse failed: %s", error ? error->message : "?");

  assert_before ("alice", "refused", "bob", "refused");
  ck_assert_str_eq (get_event ("alice", "refused")->response, "busy");
  assert_states (inv, 0, 1, 2, 4, -1);
  assert_states (remote, 1, 3, -1);
  ck_assert_int_eq (rtm_local_invitation_get_state (inv), RTM_LOCAL_INVITATION_STATE_REFUSED_BY_REMOTE);
}
END_TEST

START_TEST (test_cancel_reaches_the_callee_first)
{
  Party *alice = party_new ("alice");
  Party *bob = party_new ("bob");
  g_autoptr(RtmLocalInvitation) inv = invite (alice, "bob", NULL, NULL);
  g_autoptr(GError) error = NULL;

  WAIT_EVENT ("alice", "received-by-peer");
  ck_assert_msg (do_cancel (alice, inv, &error), "cancel failed: %s", error ? error->message : "?");

  assert_before ("bob", "canceled", "alice", "canceled");
  assert_states (inv, 0, 1, 2, 5, -1);
  assert_states (last_remote (bob), 1, 5, -1);
  ck_assert_uint_eq (count_events (NULL, "canceled"), 2);
}
END_TEST

START_TEST (test_unanswered_invitation_expires_on_both_sides)
{
  const char *args[] = { "--invitation-lifetime", "0.5", NULL };
  Party *alice, *bob;
  g_autoptr(RtmLocalInvitation) inv = NULL;
  gint64 start;

  use_server (args);
  alice = party_new ("alice");
  bob = party_new ("bob");
  start = g_get_monotonic_time ();
  inv = invite (alice, "bob", NULL, NULL);

  WAIT_EVENT ("alice", "failure");
  WAIT_EVENT ("bob", "failure");
  ck_assert_int_ge (g_get_monotonic_time () - start, 400 * 1000);
  ck_assert_int_eq (get_event ("alice", "failure")->code, RTM_LOCAL_INVITATION_ERROR_INVITATION_EXPIRE);
  ck_assert_int_eq (get_event ("bob", "failure")->code, RTM_REMOTE_INVITATION_ERROR_INVITATION_EXPIRE);
  assert_states (inv, 0, 1, 2, 6, -1);
  assert_states (last_remote (bob), 1, 6, -1);
  ck_assert_int_eq (rtm_local_invitation_get_failure_code (inv), RTM_LOCAL_INVITATION_ERROR_INVITATION_EXPIRE);
}
END_TEST

START_TEST (test_offline_callee_fails_with_peer_offline)
{
  Party *alice = party_new ("alice");
  g_autoptr(RtmLocalInvitation) inv = invite (alice, "nobody", NULL, NULL);

  WAIT_EVENT ("alice", "failure");
  ck_assert_int_eq (get_event ("alice", "failure")->code, RTM_LOCAL_INVITATION_ERROR_PEER_OFFLINE);
  assert_states (inv, 0, 1, 6, -1);
  ck_assert_uint_eq (count_events ("alice", "received-by-peer"), 0);
}
END_TEST

START_TEST (test_caller_vanishing_mid_ring_fails_the_callee)
{
  Party *alice = party_new ("alice");
  Party *bob = party_new ("bob");
  G_GNUC_UNUSED g_autoptr(RtmLocalInvitation) inv = invite (alice, "bob", NULL, NULL);

  WAIT_EVENT ("alice", "received-by-peer");
  party_drop_client (alice);
  WAIT_EVENT ("bob", "failure");
  ck_assert_int_eq (get_event ("bob", "failure")->code, RTM_REMOTE_INVITATION_ERROR_PEER_OFFLINE);
  assert_states (last_remote (bob), 1, 6, -1);
}
END_TEST

static void
on_failure_code (RtmCallManager *manager, RtmLocalInvitation *inv, RtmLocalInvitationError code, gpointer data)
{
  *(int *) data = code;
}

START_TEST (test_dropping_the_client_ends_its_invitations)
{
  Party *alice = party_new ("alice");
  party_new ("bob");
  g_autoptr(RtmLocalInvitation) inv = invite (alice, "bob", NULL, NULL);
  g_autoptr(RtmCallManager) manager = g_object_ref (rtm_client_get_call_manager (alice->client));
  RtmClient *client;
  int code = -1;

  WAIT_EVENT ("alice", "received-by-peer");
  g_signal_handlers_disconnect_by_data (manager, alice);
  g_signal_handlers_disconnect_by_data (alice->client, alice);
  g_signal_connect (manager, "local-invitation-failure", G_CALLBACK (on_failure_code), &code);
  client = g_steal_pointer (&alice->client);
  g_assert_finalize_object (client);
  ck_assert_int_eq (code, RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN);
  ck_assert_int_eq (rtm_local_invitation_get_state (inv), RTM_LOCAL_INVITATION_STATE_FAILURE);
  WAIT_EVENT ("bob", "failure");
  ck_assert_int_eq (get_event ("bob", "failure")->code, RTM_REMOTE_INVITATION_ERROR_PEER_OFFLINE);
}
END_TEST

START_TEST (test_callee_vanishing_mid_ring_fails_the_caller)
{
  Party *alice = party_new ("alice");
  Party *bob = party_new ("bob");
  g_autoptr(RtmLocalInvitation) inv = invite (alice, "bob", NULL, NULL);

  WAIT_EVENT ("alice", "received-by-peer");
  party_drop_client (bob);
  WAIT_EVENT ("alice", "failure");
  ck_assert_int_eq (get_event ("alice", "failure")->code, RTM_LOCAL_INVITATION_ERROR_PEER_OFFLINE);
  assert_states (inv, 0, 1, 2, 6, -1);
}
END_TEST

START_TEST (test_logout_mid_ring_ends_both_sides)
{
  Party *alice = party_new ("alice");
  Party *bob = party_new ("bob");
  g_autoptr(RtmLocalInvitation) first = invite (alice, "bob", NULL, NULL);
  g_autoptr(RtmLocalInvitation) second = NULL;
  g_autoptr(GError) error = NULL;

  WAIT_EVENT ("alice", "received-by-peer");
  ck_assert (do_logout (alice->client, &error));
  /* The caller's own side ends at once, not logged in. */
  ck_assert_int_eq (get_event ("alice", "failure")->code, RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN);
  ck_assert_int_eq (rtm_client_get_connection_state (alice->client), RTM_CONNECTION_STATE_DISCONNECTED);
  WAIT_EVENT ("bob", "failure");
  ck_assert_int_eq (get_event ("bob", "failure")->code, RTM_REMOTE_INVITATION_ERROR_PEER_OFFLINE);
  assert_states (first, 0, 1, 2, 6, -1);

  /* Now the callee logs out while ringing. */
  ck_assert (do_login (alice->client, "alice", NULL, &error));
  g_ptr_array_set_size (events, 0);
  second = invite (alice, "bob", NULL, NULL);
  WAIT_EVENT ("alice", "received-by-peer");
  ck_assert (do_logout (bob->client, &error));
  ck_assert_int_eq (get_event ("bob", "failure")->code, RTM_REMOTE_INVITATION_ERROR_NOT_LOGGEDIN);
  WAIT_EVENT ("alice", "failure");
  ck_assert_int_eq (get_event ("alice", "failure")->code, RTM_LOCAL_INVITATION_ERROR_PEER_OFFLINE);
  ck_assert_uint_eq (count_events (NULL, "failure"), 2);
}
END_TEST

START_TEST (test_sending_while_logged_out_fails_the_invitation)
{
  Party *alice = party_new_logged_out ("alice");
  RtmCallManager *manager = rtm_client_get_call_manager (alice->client);
  g_autoptr(RtmLocalInvitation) inv = rtm_call_manager_create_local_invitation (manager, "bob");
  g_autoptr(GError) error = NULL;

  track_states (inv);
  ck_assert (!do_send (alice, inv, &error));
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN), "got %s",
                 error ? error->message : "no error");
  ck_assert_int_eq (get_event ("alice", "failure")->code, RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN);
  assert_states (inv, 0, 6, -1);
  ck_assert_uint_eq (count_events ("alice", "failure"), 1);
}
END_TEST

START_TEST (test_sending_twice_is_refused)
{
  Party *alice = party_new ("alice");
  Party *bob = party_new ("bob");
  g_autoptr(RtmLocalInvitation) inv = invite (alice, "bob", NULL, NULL);
  g_autoptr(GError) error = NULL;

  ck_assert (!do_send (alice, inv, &error));
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_SENT), "got %s", error->message);
  ck_assert (!rtm_local_invitation_set_content (inv, "changed"));
  ck_assert (!rtm_local_invitation_set_channel_id (inv, "other"));
  WAIT_EVENT ("alice", "received-by-peer");
  ck_assert_uint_eq (bob->remotes->len, 1);
  rtm_test_run_for (100);
  ck_assert_uint_eq (count_events ("bob", "received"), 1);
}
END_TEST

START_TEST (test_answers_after_the_end_are_refused)
{
  Party *alice = party_new ("alice");
  Party *bob = party_new ("bob");
  RtmCallManager *manager = rtm_client_get_call_manager (alice->client);
  g_autoptr(RtmLocalInvitation) unsent = rtm_call_manager_create_local_invitation (manager, "bob");
  g_autoptr(RtmLocalInvitation) inv = NULL;
  g_autoptr(RtmLocalInvitation) accepted = NULL;
  RtmRemoteInvitation *remote;
  g_autoptr(GError) error = NULL;

  /* Cancel before send. */
  ck_assert (!do_cancel (alice, unsent, &error));
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_NOT_STARTED), "got %s", error->message);
  g_clear_error (&error);

  /* Accept and refuse after a cancel. */
  inv = invite (alice, "bob", NULL, NULL);
  WAIT_EVENT ("alice", "received-by-peer");
  remote = last_remote (bob);
  ck_assert (do_cancel (alice, inv, &error));
  ck_assert (!do_accept (bob, remote, &error));
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_END), "got %s", error->message);
  g_clear_error (&error);
  ck_assert (!do_refuse (bob, remote, &error));
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_END), "got %s", error->message);
  g_clear_error (&error);
  ck_assert (!do_cancel (alice, inv, &error));
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_END), "got %s", error->message);
  g_clear_error (&error);
  ck_assert_int_eq (rtm_remote_invitation_get_state (remote), RTM_REMOTE_INVITATION_STATE_CANCELED);

  /* After an accept: accept again, refuse, cancel. */
  accepted = invite (alice, "bob", NULL, NULL);
  WAIT_UNTIL (bob->remotes->len == 2, WAIT_MS, "bob receiving the second invitation");
  remote = last_remote (bob);
  ck_assert (do_accept (bob, remote, &error));
  ck_assert (!do_accept (bob, remote, &error));
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_ACCEPT), "got %s", error->message);
  g_clear_error (&error);
  ck_assert (!do_refuse (bob, remote, &error));
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_ACCEPT), "got %s", error->message);
  g_clear_error (&error);
  ck_assert (!do_cancel (alice, accepted, &error));
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_ACCEPT), "got %s", error->message);
  g_clear_error (&error);

  ck_assert_uint_eq (count_events ("alice", "accepted"), 1);
  ck_assert_uint_eq (count_events ("bob", "accepted"), 1);
  ck_assert_uint_eq (count_events (NULL, "canceled"), 2);
}
END_TEST

START_TEST (test_cancel_while_sending_waits_for_the_id)
{
  Party *alice = party_new ("alice");
  party_new ("bob");
  RtmCallManager *manager = rtm_client_get_call_manager (alice->client);
  g_autoptr(RtmLocalInvitation) inv = rtm_call_manager_create_local_invitation (manager, "bob");
  g_autoptr(GAsyncResult) sent = NULL;
  g_autoptr(GAsyncResult) canceled = NULL;
  g_autoptr(GError) error = NULL;

  track_states (inv);
  rtm_call_manager_send_local_invitation_async (manager, inv, NULL, on_async, &sent);
  rtm_call_manager_cancel_local_invitation_async (manager, inv, NULL, on_async, &canceled);
  WAIT_UNTIL (sent != NULL && canceled != NULL, WAIT_MS, "the send and the cancel to finish");
  ck_assert (rtm_call_manager_send_local_invitation_finish (manager, sent, &error));
  ck_assert_msg (rtm_call_manager_cancel_local_invitation_finish (manager, canceled, &error),
                 "cancel failed: %s", error ? error->message : "?");
  ck_assert_int_eq (rtm_local_invitation_get_state (inv), RTM_LOCAL_INVITATION_STATE_CANCELED);
  WAIT_EVENT ("bob", "canceled");
  assert_before ("bob", "canceled", "alice", "canceled");
}
END_TEST

/* A raw WebSocket client, to send what librtm never would. */

typedef struct
{
  SoupSession             *session;
  SoupWebsocketConnection *connection;
  GPtrArray               *frames;
  gint64                   req;
} RawClient;

static void
on_raw_message (SoupWebsocketConnection *connection, int type, GBytes *message, gpointer user_data)
{
  RawClient *raw = user_data;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);
  JsonObject *frame = rtm_frame_parse (data, length, 0, NULL, NULL, NULL);

  if (frame != NULL)
    g_ptr_array_add (raw->frames, frame);
}

static void
on_raw_connected (GObject *object, GAsyncResult *result, gpointer user_data)
{
  RawClient *raw = user_data;

  raw->connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, NULL);
  if (raw->connection == NULL)
    raw->connection = (gpointer) -1;
}

static JsonObject *
raw_request (RawClient  *raw,
             JsonObject *frame)
{
  g_autofree char *text = NULL;
  gint64 req = ++raw->req;

  json_object_set_int_member (frame, "req", req);
  text = rtm_frame_to_data (frame, NULL);
  soup_websocket_connection_send_text (raw->connection, text);
  for (;;)
    {
      for (guint i = 0; i < raw->frames->len; i++)
        {
          JsonObject *answer = g_ptr_array_index (raw->frames, i);

          if (json_object_get_int_member_with_default (answer, "req", 0) == req)
            return answer;
        }
      WAIT_UNTIL (raw->frames->len > 0, WAIT_MS, "an answer to the raw request");
      {
        gboolean found = FALSE;
        guint n = raw->frames->len;

        for (guint i = 0; i < n; i++)
          found |= json_object_get_int_member_with_default (g_ptr_array_index (raw->frames, i), "req", 0) == req;
        if (!found)
          WAIT_UNTIL (raw->frames->len > n, WAIT_MS, "an answer to the raw request");
      }
    }
}

static RawClient *
raw_login (const char *uid)
{
  RawClient *raw = g_new0 (RawClient, 1);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", rtm_test_server_get_uri (server));
  g_autoptr(JsonObject) login = rtm_frame_new (RTM_FRAME_LOGIN);
  JsonObject *reply;

  raw->session = soup_session_new ();
  raw->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  soup_session_websocket_connect_async (raw->session, message, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_raw_connected, raw);
  WAIT_UNTIL (raw->connection != NULL, WAIT_MS, "the raw connection");
  ck_assert_msg (raw->connection != (gpointer) -1, "the raw client cannot connect");
  g_signal_connect (raw->connection, "message", G_CALLBACK (on_raw_message), raw);

  json_object_set_int_member (login, "version", 1);
  json_object_set_string_member (login, "uid", uid);
  reply = raw_request (raw, login);
  ck_assert_str_eq (json_object_get_string_member (reply, "type"), "reply");
  return raw;
}

static void
raw_free (RawClient *raw)
{
  g_signal_handlers_disconnect_by_data (raw->connection, raw);
  soup_websocket_connection_close (raw->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_object_unref (raw->connection);
  g_object_unref (raw->session);
  g_ptr_array_unref (raw->frames);
  g_free (raw);
}

static const char *
raw_answer_code (RawClient  *raw,
                 const char *type,
                 const char *id)
{
  g_autoptr(JsonObject) frame = json_object_new ();
  JsonObject *answer;

  json_object_set_string_member (frame, "type", type);
  json_object_set_string_member (frame, "invitation", id);
  answer = raw_request (raw, frame);
  return json_object_get_string_member_with_default (answer, "code", "OK");
}

START_TEST (test_third_user_cannot_answer_or_cancel_someone_elses_invitation)
{
  Party *alice = party_new ("alice");
  Party *bob = party_new ("bob");
  g_autoptr(RtmLocalInvitation) inv = invite (alice, "bob", NULL, NULL);
  RawClient *carol = raw_login ("carol");
  const char *id = rtm_local_invitation_get_invitation_id (inv);
  g_autoptr(GError) error = NULL;

  WAIT_EVENT ("alice", "received-by-peer");
  /* librtm never sends these for someone else's invitation: it has no
   * object for it. The server must refuse them and change nothing. */
  ck_assert_str_eq (raw_answer_code (carol, "invitation_accept", id), "NOT_PERMITTED");
  ck_assert_str_eq (raw_answer_code (carol, "invitation_refuse", id), "NOT_PERMITTED");
  ck_assert_str_eq (raw_answer_code (carol, "invitation_cancel", id), "NOT_PERMITTED");
  raw_free (carol);

  /* Through librtm, another client's manager refuses before sending. */
  {
    Party *dave = party_new ("dave");

    ck_assert (!do_accept (dave, last_remote (bob), &error));
    ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_INVALID_ARGUMENT), "got %s", error->message);
    g_clear_error (&error);
    ck_assert (!do_refuse (dave, last_remote (bob), &error));
    ck_assert (g_error_matches (error, RTM_ERROR, RTM_ERROR_INVALID_ARGUMENT));
    g_clear_error (&error);
    ck_assert (!do_cancel (dave, inv, &error));
    ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_INVALID_ARGUMENT), "got %s", error->message);
    g_clear_error (&error);
    ck_assert_int_eq (rtm_remote_invitation_get_state (last_remote (bob)), RTM_REMOTE_INVITATION_STATE_INVITATION_RECEIVED);
  }

  rtm_test_run_for (50);
  ck_assert_uint_eq (count_events (NULL, "failure") + count_events (NULL, "accepted") +
                     count_events (NULL, "refused") + count_events (NULL, "canceled"), 0);
  ck_assert_int_eq (rtm_local_invitation_get_state (inv), RTM_LOCAL_INVITATION_STATE_RECEIVED_BY_REMOTE);

  /* The real callee still can. */
  ck_assert (do_accept (bob, last_remote (bob), &error));
  ck_assert_int_eq (rtm_local_invitation_get_state (inv), RTM_LOCAL_INVITATION_STATE_ACCEPTED_BY_REMOTE);
}
END_TEST

START_TEST (test_events_before_the_invite_reply_are_delivered_in_order)
{
  const char *args[] = { "--ack-timeout", "1", NULL };
  Party *alice, *carol;
  RawClient *bob;
  g_autoptr(RtmLocalInvitation) to_bob = NULL;
  g_autoptr(RtmLocalInvitation) to_carol = NULL;
  g_autoptr(GAsyncResult) canceled = NULL;
  g_autoptr(GAsyncResult) sent = NULL;
  g_autoptr(GError) error = NULL;
  RtmCallManager *manager;

  use_server (args);
  alice = party_new ("alice");
  carol = party_new ("carol");
  bob = raw_login ("bob");   /* never acks anything */
  manager = rtm_client_get_call_manager (alice->client);

  to_bob = invite (alice, "bob", NULL, NULL);
  /* The cancel's reply waits for bob's ack of invitation_canceled, which
   * never comes, so the server holds it for the ack timeout, and every
   * later reply to alice behind it: the next invite's events come first. */
  rtm_call_manager_cancel_local_invitation_async (manager, to_bob, NULL, on_async, &canceled);
  to_carol = rtm_call_manager_create_local_invitation (manager, "carol");
  track_states (to_carol);
  rtm_call_manager_send_local_invitation_async (manager, to_carol, NULL, on_async, &sent);

  WAIT_UNTIL (sent != NULL, 3000, "the held invite reply");
  ck_assert (rtm_call_manager_send_local_invitation_finish (manager, sent, &error));
  ck_assert_msg (canceled != NULL, "the cancel's reply came after the later invite's");
  ck_assert (rtm_call_manager_cancel_local_invitation_finish (manager, canceled, &error));
  WAIT_EVENT ("alice", "received-by-peer");
  assert_before ("carol", "received", "alice", "received-by-peer");
  assert_states (to_carol, 0, 1, 2, -1);

  /* And the invitation works on: carol's accept reaches alice. */
  ck_assert (do_accept (carol, last_remote (carol), &error));
  assert_states (to_carol, 0, 1, 2, 3, -1);
  raw_free (bob);
}
END_TEST

START_TEST (test_calling_oneself_plays_both_roles)
{
  const char *args[] = { "--invitation-lifetime", "0.5", NULL };
  Party *alice;
  g_autoptr(RtmLocalInvitation) accepted = NULL;
  g_autoptr(RtmLocalInvitation) expired = NULL;
  g_autoptr(GError) error = NULL;

  use_server (args);
  alice = party_new ("alice");
  accepted = invite (alice, "alice", "me", NULL);
  WAIT_EVENT ("alice", "received-by-peer");
  ck_assert (do_accept (alice, last_remote (alice), &error));
  ck_assert_int_eq (rtm_local_invitation_get_state (accepted), RTM_LOCAL_INVITATION_STATE_ACCEPTED_BY_REMOTE);
  ck_assert_int_eq (rtm_remote_invitation_get_state (last_remote (alice)), RTM_REMOTE_INVITATION_STATE_ACCEPTED);

  /* Expiry reaches both roles once each. */
  g_ptr_array_set_size (events, 0);
  expired = invite (alice, "alice", NULL, NULL);
  WAIT_UNTIL (count_events ("alice", "failure") == 2, WAIT_MS, "both roles failing");
  ck_assert_int_eq (rtm_local_invitation_get_state (expired), RTM_LOCAL_INVITATION_STATE_FAILURE);
  ck_assert_int_eq (rtm_remote_invitation_get_state (last_remote (alice)), RTM_REMOTE_INVITATION_STATE_FAILURE);
  rtm_test_run_for (100);
  ck_assert_uint_eq (count_events ("alice", "failure"), 2);
}
END_TEST

START_TEST (test_several_invitations_at_once_in_both_directions)
{
  Party *alice = party_new ("alice");
  Party *bob = party_new ("bob");
  Party *carol = party_new ("carol");
  g_autoptr(RtmLocalInvitation) a_to_b = invite (alice, "bob", "1", NULL);
  g_autoptr(RtmLocalInvitation) a_to_c = invite (alice, "carol", "2", NULL);
  g_autoptr(RtmLocalInvitation) c_to_b = invite (carol, "bob", "3", NULL);
  g_autoptr(RtmLocalInvitation) b_to_a = invite (bob, "alice", "4", NULL);
  g_autoptr(GError) error = NULL;

  WAIT_UNTIL (bob->remotes->len == 2 && carol->remotes->len == 1 && alice->remotes->len == 1,
              WAIT_MS, "every callee ringing");
  WAIT_UNTIL (count_events (NULL, "received-by-peer") == 4, WAIT_MS, "every caller hearing received-by-peer");

  for (guint i = 0; i < bob->remotes->len; i++)
    {
      RtmRemoteInvitation *remote = g_ptr_array_index (bob->remotes, i);

      if (g_str_equal (rtm_remote_invitation_get_caller_id (remote), "alice"))
        ck_assert (do_accept (bob, remote, &error));
      else
        ck_assert (do_refuse (bob, remote, &error));
    }
  ck_assert (do_cancel (alice, a_to_c, &error));
  ck_assert (do_refuse (alice, last_remote (alice), &error));

  ck_assert_int_eq (rtm_local_invitation_get_state (a_to_b), RTM_LOCAL_INVITATION_STATE_ACCEPTED_BY_REMOTE);
  ck_assert_int_eq (rtm_local_invitation_get_state (a_to_c), RTM_LOCAL_INVITATION_STATE_CANCELED);
  ck_assert_int_eq (rtm_local_invitation_get_state (c_to_b), RTM_LOCAL_INVITATION_STATE_REFUSED_BY_REMOTE);
  ck_assert_int_eq (rtm_local_invitation_get_state (b_to_a), RTM_LOCAL_INVITATION_STATE_REFUSED_BY_REMOTE);
  ck_assert_int_eq (rtm_remote_invitation_get_state (last_remote (carol)), RTM_REMOTE_INVITATION_STATE_CANCELED);
}
END_TEST

/* The randomized race */

enum { PLAN_ACCEPT, PLAN_REFUSE, PLAN_CANCEL, PLAN_ACCEPT_VS_CANCEL, PLAN_REFUSE_VS_CANCEL,
       PLAN_EXPIRE, PLAN_KICK_CALLEE, PLAN_KICK_CALLER, N_PLANS };

#define RACE_CLIENTS 8
#define RACE_INVITATIONS 200

typedef struct
{
  guint                index;
  int                  plan;
  guint                caller;
  guint                callee;
  guint                callee_delay;
  guint                caller_delay;
  RtmLocalInvitation  *local;
  RtmRemoteInvitation *remote;
  RtmCallManager      *local_manager;    /* the one that sent it */
  RtmCallManager      *remote_manager;   /* the one that received it */
  gboolean             callee_kicked;
  gboolean             caller_kicked;
} RaceCall;

typedef struct
{
  GRand    *rand;
  RaceCall  calls[RACE_INVITATIONS];
  Party    *callers[RACE_CLIENTS];
  Party    *callees[RACE_CLIENTS];
  guint     kicks;
  guint     caller_kicks;
  guint     sent;
} Race;

static Race *race;

static gboolean
on_race_answer (gpointer data)
{
  RaceCall *call = data;
  RtmCallManager *manager = call->remote_manager;

  if (call->plan == PLAN_REFUSE || call->plan == PLAN_REFUSE_VS_CANCEL)
    rtm_call_manager_refuse_remote_invitation_async (manager, call->remote, NULL, NULL, NULL);
  else
    rtm_call_manager_accept_remote_invitation_async (manager, call->remote, NULL, NULL, NULL);
  return G_SOURCE_REMOVE;
}

static void race_on_received (RtmCallManager *manager, RtmRemoteInvitation *inv, Party *party);

static gboolean
on_race_kick (gpointer data)
{
  RaceCall *call = data;
  Party *old = race->callees[call->callee];
  Party *fresh = party_new_logged_out (old->name);

  /* A second login of the same user kicks the first: a disconnect that
   * both clients observe. */
  g_signal_connect (rtm_client_get_call_manager (fresh->client), "remote-invitation-received",
                    G_CALLBACK (race_on_received), fresh);
  race->callees[call->callee] = fresh;
  rtm_client_login_async (fresh->client, fresh->name, NULL, NULL, NULL, NULL);
  for (guint i = 0; i < RACE_INVITATIONS; i++)
    if (race->calls[i].callee == call->callee)
      race->calls[i].callee_kicked = TRUE;
  return G_SOURCE_REMOVE;
}

static void
race_on_received (RtmCallManager *manager, RtmRemoteInvitation *inv, Party *party)
{
  guint64 index = g_ascii_strtoull (rtm_remote_invitation_get_content (inv), NULL, 10);
  RaceCall *call;

  ck_assert_uint_lt (index, RACE_INVITATIONS);
  call = &race->calls[index];
  ck_assert_msg (call->remote == NULL, "invitation %u received twice", call->index);
  call->remote = inv;   /* party->remotes holds the reference */
  call->remote_manager = manager;

  switch (call->plan)
    {
    case PLAN_ACCEPT:
    case PLAN_REFUSE:
    case PLAN_ACCEPT_VS_CANCEL:
    case PLAN_REFUSE_VS_CANCEL:
      g_timeout_add (call->callee_delay, on_race_answer, call);
      break;
    case PLAN_KICK_CALLEE:
      g_timeout_add (call->callee_delay, on_race_kick, call);
      break;
    default:
      break;
    }
}

static gboolean
on_race_cancel (gpointer data)
{
  RaceCall *call = data;

  rtm_call_manager_cancel_local_invitation_async (call->local_manager, call->local, NULL, NULL, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
on_race_kick_caller (gpointer data)
{
  RaceCall *call = data;
  Party *old = race->callers[call->caller];
  Party *fresh = party_new_logged_out (old->name);
  RtmCallManager *old_manager = rtm_client_get_call_manager (old->client);

  race->callers[call->caller] = fresh;
  rtm_client_login_async (fresh->client, fresh->name, NULL, NULL, NULL, NULL);
  for (guint i = 0; i < RACE_INVITATIONS; i++)
    if (race->calls[i].local_manager == old_manager)
      race->calls[i].caller_kicked = TRUE;
  return G_SOURCE_REMOVE;
}

static void
on_race_sent (GObject *object, GAsyncResult *result, gpointer data)
{
  RaceCall *call = data;
  g_autoptr(GError) error = NULL;

  if (!rtm_call_manager_send_local_invitation_finish (RTM_CALL_MANAGER (object), result, &error))
    ck_assert_msg (call->caller_kicked && g_error_matches (error, RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN),
                   "invitation %u was not sent: %s", call->index, error->message);
  race->sent++;
  if (call->plan == PLAN_KICK_CALLER)
    g_timeout_add (call->caller_delay, on_race_kick_caller, call);
  if (call->plan == PLAN_CANCEL || call->plan == PLAN_ACCEPT_VS_CANCEL || call->plan == PLAN_REFUSE_VS_CANCEL)
    g_timeout_add (call->caller_delay, on_race_cancel, call);
}

static gboolean
race_local_final (RaceCall *call)
{
  return rtm_local_invitation_get_state (call->local) >= RTM_LOCAL_INVITATION_STATE_ACCEPTED_BY_REMOTE;
}

static gboolean
race_done (void)
{
  for (guint i = 0; i < RACE_INVITATIONS; i++)
    {
      RaceCall *call = &race->calls[i];

      if (call->local == NULL || !race_local_final (call))
        return FALSE;
      if (call->remote != NULL &&
          rtm_remote_invitation_get_state (call->remote) < RTM_REMOTE_INVITATION_STATE_REFUSED)
        return FALSE;
    }
  return TRUE;
}

static void
collect (const char *id, gboolean local, guint *n_final, Event **final, Event **first)
{
  *n_final = 0;
  *final = NULL;
  *first = NULL;
  for (guint i = 0; i < events->len; i++)
    {
      Event *event = g_ptr_array_index (events, i);

      if (event->local != local || g_strcmp0 (event->id, id) != 0)
        continue;
      if (*first == NULL)
        *first = event;
      if (!g_str_equal (event->kind, "received") && !g_str_equal (event->kind, "received-by-peer"))
        {
          (*n_final)++;
          *final = event;
        }
    }
}

START_TEST (test_random_races_end_in_one_outcome_on_both_sides)
{
  const char *args[] = { "--invitation-lifetime", "1", NULL };
  const char *seed_env = g_getenv ("RTM_RACE_SEED");
  guint32 seed = seed_env ? (guint32) g_ascii_strtoull (seed_env, NULL, 10) : 20261125;
  guint outcomes[8] = { 0 };

  use_server (args);
  printf ("race seed %u (set RTM_RACE_SEED to repeat another)\n", seed);
  fflush (stdout);

  race = g_new0 (Race, 1);
  race->rand = g_rand_new_with_seed (seed);
  for (guint i = 0; i < RACE_CLIENTS; i++)
    {
      g_autofree char *a = g_strdup_printf ("caller-%u", i);
      g_autofree char *b = g_strdup_printf ("callee-%u", i);

      race->callers[i] = party_new (a);
      race->callees[i] = party_new (b);
      g_signal_connect (rtm_client_get_call_manager (race->callees[i]->client), "remote-invitation-received",
                        G_CALLBACK (race_on_received), race->callees[i]);
    }

  for (guint i = 0; i < RACE_INVITATIONS; i++)
    {
      RaceCall *call = &race->calls[i];

      call->index = i;
      call->plan = g_rand_int_range (race->rand, 0, N_PLANS);
      /* A few disconnects; each ends every call of that callee. */
      if (call->plan == PLAN_KICK_CALLEE && race->kicks++ >= 4)
        call->plan = PLAN_ACCEPT;
      if (call->plan == PLAN_KICK_CALLER && race->caller_kicks++ >= 3)
        call->plan = PLAN_REFUSE;
      call->caller = g_rand_int_range (race->rand, 0, RACE_CLIENTS);
      call->callee = g_rand_int_range (race->rand, 0, RACE_CLIENTS);
      call->callee_delay = g_rand_int_range (race->rand, 0, 40);
      call->caller_delay = g_rand_int_range (race->rand, 0, 40);
    }

  /* Send in waves so no connection goes over the server's rate limit. */
  for (guint i = 0; i < RACE_INVITATIONS; i++)
    {
      RaceCall *call = &race->calls[i];
      g_autofree char *content = g_strdup_printf ("%u", i);
      g_autofree char *callee = g_strdup_printf ("callee-%u", call->callee);
      RtmCallManager *manager;

      /* A kicked caller's successor may still be logging in. */
      WAIT_UNTIL (rtm_client_get_connection_state (race->callers[call->caller]->client) ==
                  RTM_CONNECTION_STATE_CONNECTED, WAIT_MS, "a caller logged in again");
      manager = rtm_client_get_call_manager (race->callers[call->caller]->client);
      call->local_manager = manager;
      call->local = rtm_call_manager_create_local_invitation (manager, callee);
      rtm_local_invitation_set_content (call->local, content);
      rtm_call_manager_send_local_invitation_async (manager, call->local, NULL, on_race_sent, call);
      if (i % 40 == 39)
        rtm_test_run_for (100);
    }

  {
    gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

    while (!race_done () && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    for (guint i = 0; i < RACE_INVITATIONS && !race_done (); i++)
      {
        RaceCall *call = &race->calls[i];

        if (call->local == NULL || !race_local_final (call) ||
            (call->remote != NULL && rtm_remote_invitation_get_state (call->remote) < RTM_REMOTE_INVITATION_STATE_REFUSED))
          ck_abort_msg ("invitation %u %s (plan %d, %s→callee-%u, kicked %d) never ended: caller state %d, callee state %d",
                        i, call->local ? rtm_local_invitation_get_invitation_id (call->local) : "-", call->plan, race->callers[call->caller]->name, call->callee, call->callee_kicked,
                        call->local ? (int) rtm_local_invitation_get_state (call->local) : -1,
                        call->remote ? (int) rtm_remote_invitation_get_state (call->remote) : -1);
      }
  }
  ck_assert_uint_eq (race->sent, RACE_INVITATIONS);
  rtm_test_run_for (100);

  for (guint i = 0; i < RACE_INVITATIONS; i++)
    {
      RaceCall *call = &race->calls[i];
      const char *id = rtm_local_invitation_get_invitation_id (call->local);
      guint n_local, n_remote;
      Event *local_final, *remote_final, *local_first, *remote_first;
      RtmLocalInvitationState ls = rtm_local_invitation_get_state (call->local);
      RtmLocalInvitationError lcode = rtm_local_invitation_get_failure_code (call->local);

      collect (id, TRUE, &n_local, &local_final, &local_first);
      collect (id, FALSE, &n_remote, &remote_final, &remote_first);
      ck_assert_msg (n_local == 1, "invitation %u (plan %d): the caller heard %u final events",
                     i, call->plan, n_local);
      ck_assert_int_eq (local_final->state, ls);
      outcomes[ls == RTM_LOCAL_INVITATION_STATE_FAILURE ? 6 + (lcode == RTM_LOCAL_INVITATION_ERROR_INVITATION_EXPIRE) : ls]++;

      if (call->remote == NULL)
        {
          /* Never rang: only a failure can explain it. */
          ck_assert_msg (ls == RTM_LOCAL_INVITATION_STATE_FAILURE,
                         "invitation %u never reached the callee but ended in state %d", i, ls);
          continue;
        }

      {
        RtmRemoteInvitationState rs = rtm_remote_invitation_get_state (call->remote);
        RtmRemoteInvitationError rcode = rtm_remote_invitation_get_failure_code (call->remote);
        Event *received = remote_first;
        gboolean kicked = call->callee_kicked || call->caller_kicked;

        ck_assert_msg (n_remote == 1, "invitation %u (plan %d): the callee heard %u final events",
                       i, call->plan, n_remote);
        ck_assert_str_eq (received->kind, "received");
        ck_assert_uint_lt (received->seq, remote_final->seq);
        if (local_first != NULL && g_str_equal (local_first->kind, "received-by-peer"))
          ck_assert_msg (received->seq < local_first->seq,
                         "invitation %u: received-by-peer before the callee's received", i);

        /* A kicked caller ends NOT_LOGGEDIN; its callee heard PEER_OFFLINE,
         * or the outcome committed before the kick reached the caller. */
        if (ls == RTM_LOCAL_INVITATION_STATE_FAILURE && lcode == RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN)
          {
            ck_assert_msg (call->caller_kicked, "invitation %u: caller NOT_LOGGEDIN without a kick", i);
            ck_assert_msg (rs != RTM_REMOTE_INVITATION_STATE_FAILURE ||
                           rcode == RTM_REMOTE_INVITATION_ERROR_PEER_OFFLINE ||
                           rcode == RTM_REMOTE_INVITATION_ERROR_INVITATION_EXPIRE ||
                           (call->callee_kicked && rcode == RTM_REMOTE_INVITATION_ERROR_NOT_LOGGEDIN),
                           "invitation %u: caller kicked, callee failure %d", i, rcode);
            continue;
          }

        switch ((int) ls)
          {
          case RTM_LOCAL_INVITATION_STATE_ACCEPTED_BY_REMOTE:
          case RTM_LOCAL_INVITATION_STATE_REFUSED_BY_REMOTE:
            /* A callee kicked between its answer and the confirmation
             * cannot know the outcome: its client ends NOT_LOGGEDIN. */
            if (call->callee_kicked && rs == RTM_REMOTE_INVITATION_STATE_FAILURE)
              {
                ck_assert_int_eq (rcode, RTM_REMOTE_INVITATION_ERROR_NOT_LOGGEDIN);
                break;
              }
            if (ls == RTM_LOCAL_INVITATION_STATE_REFUSED_BY_REMOTE)
              {
                ck_assert_msg (rs == RTM_REMOTE_INVITATION_STATE_REFUSED, "invitation %u: refused vs %d", i, rs);
                if (!kicked)
                  ck_assert_uint_lt (local_final->seq, remote_final->seq);
                break;
              }
            ck_assert_msg (rs == RTM_REMOTE_INVITATION_STATE_ACCEPTED, "invitation %u: accepted vs %d", i, rs);
            if (!kicked)
              ck_assert_uint_lt (local_final->seq, remote_final->seq);
            break;
          case RTM_LOCAL_INVITATION_STATE_CANCELED:
            ck_assert_msg (rs == RTM_REMOTE_INVITATION_STATE_CANCELED, "invitation %u: canceled vs %d", i, rs);
            if (!kicked)
              ck_assert_uint_lt (remote_final->seq, local_final->seq);
            break;
          case RTM_LOCAL_INVITATION_STATE_FAILURE:
            ck_assert_msg (rs == RTM_REMOTE_INVITATION_STATE_FAILURE, "invitation %u: failure vs %d", i, rs);
            if (lcode == RTM_LOCAL_INVITATION_ERROR_INVITATION_EXPIRE ||
                lcode == RTM_LOCAL_INVITATION_ERROR_PEER_NO_RESPONSE)
              ck_assert_msg (rcode == RTM_REMOTE_INVITATION_ERROR_INVITATION_EXPIRE,
                             "invitation %u: caller %d, callee %d", i, lcode, rcode);
            else if (lcode == RTM_LOCAL_INVITATION_ERROR_PEER_OFFLINE)
              ck_assert_msg (rcode == RTM_REMOTE_INVITATION_ERROR_NOT_LOGGEDIN,
                             "invitation %u: caller PEER_OFFLINE, callee %d", i, rcode);
            else
              ck_abort_msg ("invitation %u: caller failure %d", i, lcode);
            break;
          default:
            ck_abort_msg ("invitation %u ended in state %d", i, ls);
          }

        /* A kicked party's old client may still be working through its
         * last frames while the other hears the outcome (the server does
         * not wait for a gone connection's ack), so order is only asserted
         * without a kick. Without one, single-handed plans have one
         * outcome. */
        if (!kicked)
          {
            if (call->plan == PLAN_ACCEPT)
              ck_assert_msg (ls == RTM_LOCAL_INVITATION_STATE_ACCEPTED_BY_REMOTE, "invitation %u: %d", i, ls);
            else if (call->plan == PLAN_REFUSE)
              ck_assert_msg (ls == RTM_LOCAL_INVITATION_STATE_REFUSED_BY_REMOTE, "invitation %u: %d", i, ls);
            else if (call->plan == PLAN_CANCEL)
              ck_assert_msg (ls == RTM_LOCAL_INVITATION_STATE_CANCELED, "invitation %u: %d", i, ls);
            else if (call->plan == PLAN_EXPIRE)
              ck_assert_msg (lcode == RTM_LOCAL_INVITATION_ERROR_INVITATION_EXPIRE, "invitation %u: %d", i, lcode);
          }
      }
    }

  printf ("race outcomes: %u accepted, %u refused, %u canceled, %u other failures, %u expired; "
          "%u callee and %u caller disconnects\n",
          outcomes[3], outcomes[4], outcomes[5], outcomes[6], outcomes[7],
          MIN (race->kicks, 5), MIN (race->caller_kicks, 4));
  ck_assert_uint_gt (outcomes[3], 0);
  ck_assert_uint_gt (outcomes[4], 0);
  ck_assert_uint_gt (outcomes[5], 0);
  ck_assert_uint_gt (outcomes[7], 0);

  for (guint i = 0; i < RACE_INVITATIONS; i++)
    g_clear_object (&race->calls[i].local);
  g_rand_free (race->rand);
  g_clear_pointer (&race, g_free);
}
END_TEST

/* Sessions */

static gboolean
states_were (Party *party, ...)
{
  va_list args;
  guint i = 0;
  int state;
  gboolean same = TRUE;

  va_start (args, party);
  while ((state = va_arg (args, int)) >= 0)
    {
      if (i >= party->states->len || g_array_index (party->states, int, i) != state)
        same = FALSE;
      i++;
    }
  va_end (args);
  return same && i == party->states->len;
}

START_TEST (test_login_goes_connecting_then_connected)
{
  const char *args[] = { "--ice-server", "stun://stun.example.org:3478",
                         "--ice-server", "turn://user:pass@turn.example.org:3478", NULL };
  Party *alice;
  const char * const *ice;
  guint state_notifies = 0;

  use_server (args);
  alice = party_new_logged_out ("alice");
  g_signal_connect (alice->client, "notify::connection-state", G_CALLBACK (on_count_notify), &state_notifies);
  {
    g_autoptr(GError) error = NULL;

    ck_assert_msg (do_login (alice->client, "alice", NULL, &error), "%s", error ? error->message : "?");
  }
  ck_assert_uint_eq (state_notifies, 2);
  ice = rtm_client_get_ice_servers (alice->client);
  ck_assert_ptr_nonnull (ice);
  ck_assert_str_eq (ice[0], "stun://stun.example.org:3478");
  ck_assert_str_eq (ice[1], "turn://user:pass@turn.example.org:3478");
  ck_assert_ptr_null (ice[2]);
  g_signal_handlers_disconnect_by_data (alice->client, &state_notifies);

  ck_assert (states_were (alice, RTM_CONNECTION_STATE_CONNECTING, RTM_CONNECTION_STATE_CONNECTED, -1));
  ck_assert_int_eq (g_array_index (alice->reasons, int, 0), RTM_CONNECTION_CHANGE_REASON_LOGIN);
  ck_assert_int_eq (g_array_index (alice->reasons, int, 1), RTM_CONNECTION_CHANGE_REASON_LOGIN_SUCCESS);
  ck_assert_str_eq (rtm_client_get_user_id (alice->client), "alice");
  ck_assert_ptr_nonnull (rtm_client_get_ice_servers (alice->client));
}
END_TEST

START_TEST (test_second_login_of_a_user_aborts_the_first)
{
  Party *first = party_new ("alice");
  party_new ("bob");
  Party *second;
  G_GNUC_UNUSED g_autoptr(RtmLocalInvitation) inv = invite (first, "bob", NULL, NULL);
  g_autoptr(GError) error = NULL;

  WAIT_EVENT ("alice", "received-by-peer");
  second = party_new ("alice");
  WAIT_UNTIL (rtm_client_get_connection_state (first->client) == RTM_CONNECTION_STATE_ABORTED,
              WAIT_MS, "the first alice going ABORTED");
  ck_assert_int_eq (g_array_index (first->reasons, int, first->reasons->len - 1),
                    RTM_CONNECTION_CHANGE_REASON_REMOTE_LOGIN);
  ck_assert_int_eq (get_event ("alice", "failure")->code, RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN);
  WAIT_EVENT ("bob", "failure");
  ck_assert_int_eq (get_event ("bob", "failure")->code, RTM_REMOTE_INVITATION_ERROR_PEER_OFFLINE);

  /* No reconnect: the first stays aborted, the second stays connected. */
  rtm_test_run_for (700);
  ck_assert_int_eq (rtm_client_get_connection_state (first->client), RTM_CONNECTION_STATE_ABORTED);
  ck_assert_int_eq (rtm_client_get_connection_state (second->client), RTM_CONNECTION_STATE_CONNECTED);
  ck_assert (!do_logout (first->client, &error));
  ck_assert (g_error_matches (error, RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN));
}
END_TEST

static void
on_presence (RtmClient *client, const char *peer, gboolean online, gpointer data)
{
  GPtrArray *log = data;

  g_ptr_array_add (log, g_strdup_printf ("%s %s", peer, online ? "online" : "offline"));
}

START_TEST (test_client_reconnects_after_the_server_restarts)
{
  Party *alice = party_new ("alice");
  Party *bob = party_new ("bob");
  g_autoptr(RtmChannel) channel = rtm_client_create_channel (alice->client, "room", NULL);
  g_autoptr(RtmChannel) bob_channel = rtm_client_create_channel (bob->client, "room", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) members = NULL;
  const char *peers[] = { "carol", NULL };
  g_autoptr(GPtrArray) presence = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(RtmLocalInvitation) ringing = NULL;

  rtm_channel_join_async (channel, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "joining");
  ck_assert (rtm_channel_join_finish (channel, result, &error));
  g_clear_object (&result);
  rtm_client_subscribe_peers_online_status_async (alice->client, peers, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "subscribing");
  g_hash_table_unref (rtm_client_subscribe_peers_online_status_finish (alice->client, result, &error));
  g_clear_object (&result);

  /* A call ringing when the connection drops ends on both sides. */
  ringing = invite (alice, "bob", NULL, NULL);
  WAIT_EVENT ("alice", "received-by-peer");

  rtm_test_server_restart (server);
  WAIT_UNTIL (rtm_client_get_connection_state (alice->client) == RTM_CONNECTION_STATE_RECONNECTING,
              WAIT_MS, "alice reconnecting");
  ck_assert (!rtm_channel_get_joined (channel));
  ck_assert_int_eq (get_event ("alice", "failure")->code, RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN);
  WAIT_EVENT ("bob", "failure");
  ck_assert_int_eq (get_event ("bob", "failure")->code, RTM_REMOTE_INVITATION_ERROR_NOT_LOGGEDIN);
  ck_assert_uint_eq (count_events (NULL, "failure"), 2);
  WAIT_UNTIL (rtm_client_get_connection_state (alice->client) == RTM_CONNECTION_STATE_CONNECTED,
              10000, "alice connected again");
  ck_assert (states_were (alice, RTM_CONNECTION_STATE_CONNECTING, RTM_CONNECTION_STATE_CONNECTED,
                          RTM_CONNECTION_STATE_RECONNECTING, RTM_CONNECTION_STATE_CONNECTED, -1));
  ck_assert_int_eq (g_array_index (alice->reasons, int, 2), RTM_CONNECTION_CHANGE_REASON_INTERRUPTED);
  ck_assert_int_eq (g_array_index (alice->reasons, int, 3), RTM_CONNECTION_CHANGE_REASON_LOGIN_SUCCESS);
  WAIT_UNTIL (rtm_channel_get_joined (channel), WAIT_MS, "the channel joined again");

  /* The server sees her in the channel, and her presence subscription. */
  WAIT_UNTIL (rtm_client_get_connection_state (bob->client) == RTM_CONNECTION_STATE_CONNECTED,
              10000, "bob connected again");
  ck_assert (!rtm_channel_get_joined (bob_channel));
  rtm_channel_join_async (bob_channel, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "bob joining");
  ck_assert (rtm_channel_join_finish (bob_channel, result, &error));
  g_clear_object (&result);
  rtm_channel_get_members_async (bob_channel, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "the member list");
  members = rtm_channel_get_members_finish (bob_channel, result, &error);
  ck_assert_msg (members != NULL, "%s", error ? error->message : "?");
  ck_assert (g_strv_contains ((const char * const *) members, "alice"));
  ck_assert (g_strv_contains ((const char * const *) members, "bob"));

  /* The presence subscription came back with the session. */
  g_signal_connect (alice->client, "peer-online-status-changed", G_CALLBACK (on_presence), presence);
  party_new ("carol");
  WAIT_UNTIL (presence->len == 1, WAIT_MS, "alice hearing carol log in after the reconnect");
  ck_assert_str_eq (g_ptr_array_index (presence, 0), "carol online");
  g_signal_handlers_disconnect_by_data (alice->client, presence);
}
END_TEST

/* SIGSTOP is delivered asynchronously: wait until every thread is stopped. */
static gboolean
all_threads_stopped (GPid pid)
{
  g_autofree char *tasks = g_strdup_printf ("/proc/%d/task", (int) pid);
  g_autoptr(GDir) dir = g_dir_open (tasks, 0, NULL);
  const char *name;

  ck_assert (dir != NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tasks, name, "stat", NULL);
      g_autofree char *stat = NULL;
      const char *state;

      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      state = strrchr (stat, ')');
      if (state == NULL || state[1] != ' ' || (state[2] != 'T' && state[2] != 't'))
        return FALSE;
    }
  return TRUE;
}

static void
freeze_server (GPid pid)
{
  gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC;

  ck_assert_int_eq (kill (pid, SIGSTOP), 0);
  while (!all_threads_stopped (pid))
    {
      ck_assert_msg (g_get_monotonic_time () < deadline, "rtm-server did not stop");
      g_usleep (1000);
    }
}

START_TEST (test_presence_changes_during_an_outage_are_reported)
{
  Party *alice = party_new ("alice");
  Party *bob = party_new ("bob");
  const char *peers[] = { "bob", NULL };
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) online = NULL;
  g_autoptr(GError) error = NULL;

  rtm_client_subscribe_peers_online_status_async (alice->client, peers, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "subscribing");
  online = rtm_client_subscribe_peers_online_status_finish (alice->client, result, &error);
  ck_assert (GPOINTER_TO_INT (g_hash_table_lookup (online, "bob")));
  g_signal_connect (alice->client, "peer-online-status-changed", G_CALLBACK (on_presence), log);

  /* Bob goes while the server is down: no presence event can tell. */
  rtm_test_server_stop (server);
  WAIT_UNTIL (rtm_client_get_connection_state (alice->client) == RTM_CONNECTION_STATE_RECONNECTING,
              WAIT_MS, "alice reconnecting");
  party_drop_client (bob);
  rtm_test_server_restart (server);
  WAIT_UNTIL (rtm_client_get_connection_state (alice->client) == RTM_CONNECTION_STATE_CONNECTED,
              10000, "alice connected again");
  WAIT_UNTIL (log->len == 1, WAIT_MS, "alice hearing that bob went offline");
  ck_assert_str_eq (g_ptr_array_index (log, 0), "bob offline");
  g_signal_handlers_disconnect_by_data (alice->client, log);
}
END_TEST

START_TEST (test_ping_finds_a_dead_server)
{
  Party *alice = party_new ("alice");
  GPid pid = rtm_test_server_get_pid (server);

  g_object_set (alice->client, "keepalive-interval", 100, "request-timeout", 400, NULL);
  freeze_server (pid);
  WAIT_UNTIL (rtm_client_get_connection_state (alice->client) == RTM_CONNECTION_STATE_RECONNECTING,
              3000, "alice noticing the frozen server");
  ck_assert_int_eq (kill (pid, SIGCONT), 0);
  WAIT_UNTIL (rtm_client_get_connection_state (alice->client) == RTM_CONNECTION_STATE_CONNECTED,
              10000, "alice connected again");
}
END_TEST

START_TEST (test_presence_follows_logins_and_logouts)
{
  Party *alice = party_new ("alice");
  Party *bob;
  const char *peers[] = { "bob", "carol", NULL };
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) online = NULL;
  g_autoptr(GError) error = NULL;

  g_signal_connect (alice->client, "peer-online-status-changed", G_CALLBACK (on_presence), log);
  rtm_client_subscribe_peers_online_status_async (alice->client, peers, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "subscribing");
  online = rtm_client_subscribe_peers_online_status_finish (alice->client, result, &error);
  ck_assert_msg (online != NULL, "%s", error ? error->message : "?");
  ck_assert (g_hash_table_contains (online, "bob"));
  ck_assert (!GPOINTER_TO_INT (g_hash_table_lookup (online, "bob")));
  g_clear_pointer (&online, g_hash_table_unref);
  g_clear_object (&result);

  bob = party_new ("bob");
  WAIT_UNTIL (log->len == 1, WAIT_MS, "bob's login reported");
  ck_assert_str_eq (g_ptr_array_index (log, 0), "bob online");

  rtm_client_query_peers_online_status_async (alice->client, peers, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "the query");
  online = rtm_client_query_peers_online_status_finish (alice->client, result, &error);
  ck_assert (GPOINTER_TO_INT (g_hash_table_lookup (online, "bob")));
  ck_assert (!GPOINTER_TO_INT (g_hash_table_lookup (online, "carol")));
  g_clear_object (&result);

  ck_assert (do_logout (bob->client, &error));
  WAIT_UNTIL (log->len == 2, WAIT_MS, "bob's logout reported");
  ck_assert_str_eq (g_ptr_array_index (log, 1), "bob offline");
  g_signal_handlers_disconnect_by_data (alice->client, log);
}
END_TEST

static void
on_peer_message (RtmClient *client, const char *peer, const char *text, gpointer data)
{
  GPtrArray *log = data;

  g_ptr_array_add (log, g_strdup_printf ("%s: %s", peer, text));
}

START_TEST (test_peer_messages_arrive_and_offline_peers_are_reported)
{
  Party *alice = party_new ("alice");
  Party *bob = party_new ("bob");
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_signal_connect (bob->client, "message-received", G_CALLBACK (on_peer_message), log);
  rtm_client_send_message_to_peer_async (alice->client, "bob", "hello bob", NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "the message to be taken");
  ck_assert (rtm_client_send_message_to_peer_finish (alice->client, result, &error));
  g_clear_object (&result);
  WAIT_UNTIL (log->len == 1, WAIT_MS, "bob receiving the message");
  ck_assert_str_eq (g_ptr_array_index (log, 0), "alice: hello bob");

  rtm_client_send_message_to_peer_async (alice->client, "carol", "hello?", NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "the message to fail");
  ck_assert (!rtm_client_send_message_to_peer_finish (alice->client, result, &error));
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_PEER_OFFLINE), "got %s", error->message);
  g_signal_handlers_disconnect_by_data (bob->client, log);
}
END_TEST

static void
on_member (RtmChannel *channel, const char *member, gpointer data)
{
  g_ptr_array_add (data, g_strdup (member));
}

START_TEST (test_channels_carry_members_and_messages)
{
  Party *alice = party_new ("alice");
  Party *bob = party_new ("bob");
  g_autoptr(RtmChannel) a = rtm_client_create_channel (alice->client, "room", NULL);
  g_autoptr(RtmChannel) again = rtm_client_create_channel (alice->client, "room", NULL);
  g_autoptr(RtmChannel) b = rtm_client_create_channel (bob->client, "room", NULL);
  g_autoptr(GPtrArray) joined = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) left = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ck_assert_ptr_eq (a, again);
  ck_assert_str_eq (rtm_channel_get_channel_id (a), "room");
  g_signal_connect (a, "member-joined", G_CALLBACK (on_member), joined);
  g_signal_connect (a, "member-left", G_CALLBACK (on_member), left);
  g_signal_connect (a, "message-received", G_CALLBACK (on_peer_message), messages);

  rtm_channel_join_async (a, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "alice joining");
  ck_assert (rtm_channel_join_finish (a, result, &error));
  ck_assert (rtm_channel_get_joined (a));
  g_clear_object (&result);

  rtm_channel_join_async (a, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "alice joining twice");
  ck_assert (!rtm_channel_join_finish (a, result, &error));
  ck_assert (g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_JOINED));
  g_clear_error (&error);
  g_clear_object (&result);

  rtm_channel_join_async (b, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "bob joining");
  ck_assert (rtm_channel_join_finish (b, result, &error));
  g_clear_object (&result);
  WAIT_UNTIL (joined->len == 1, WAIT_MS, "alice hearing bob join");
  ck_assert_str_eq (g_ptr_array_index (joined, 0), "bob");

  rtm_channel_send_message_async (b, "hi room", NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "bob's channel message");
  ck_assert (rtm_channel_send_message_finish (b, result, &error));
  g_clear_object (&result);
  WAIT_UNTIL (messages->len == 1, WAIT_MS, "alice hearing bob's message");
  ck_assert_str_eq (g_ptr_array_index (messages, 0), "bob: hi room");

  rtm_channel_leave_async (b, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "bob leaving");
  ck_assert (rtm_channel_leave_finish (b, result, &error));
  ck_assert (!rtm_channel_get_joined (b));
  g_clear_object (&result);
  WAIT_UNTIL (left->len == 1, WAIT_MS, "alice hearing bob leave");

  rtm_channel_send_message_async (b, "still here?", NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "a message from outside");
  ck_assert (!rtm_channel_send_message_finish (b, result, &error));
  ck_assert (g_error_matches (error, RTM_ERROR, RTM_ERROR_NOT_IN_CHANNEL));
  g_clear_object (&result);

  g_signal_handlers_disconnect_by_data (a, joined);
  g_signal_handlers_disconnect_by_data (a, left);
  g_signal_handlers_disconnect_by_data (a, messages);
}
END_TEST

/* Argument validation and login failures */

static void
expect_invalid (GAsyncResult *result, gboolean ok, GError *error, const char *what)
{
  ck_assert_msg (!ok, "%s was accepted", what);
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_INVALID_ARGUMENT), "%s: got %s", what,
                 error ? error->message : "no error");
}

START_TEST (test_invalid_arguments_fail_without_crashing)
{
  Party *alice = party_new ("alice");
  RtmCallManager *manager = rtm_client_get_call_manager (alice->client);
  g_autoptr(RtmClient) other = rtm_client_new (rtm_test_server_get_uri (server));
  g_autofree char *big = g_strnfill (RTM_MAX_CONTENT_LENGTH + 1, 'x');
  g_autofree char *huge = g_strnfill (32 * 1024 + 1, 'x');
  g_autoptr(RtmLocalInvitation) nobody = rtm_call_manager_create_local_invitation (manager, NULL);
  g_autoptr(RtmLocalInvitation) spaced = rtm_call_manager_create_local_invitation (manager, "has space");
  g_autoptr(RtmLocalInvitation) ok = rtm_call_manager_create_local_invitation (manager, "bob");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *bad_list[] = { "bob", "", NULL };
  const char *empty_list[] = { NULL };
  gboolean done;

  ck_assert (!do_login (other, "bad id", NULL, &error));
  expect_invalid (NULL, FALSE, error, "a user id with a space");
  g_clear_error (&error);
  ck_assert (!do_login (other, NULL, NULL, &error));
  expect_invalid (NULL, FALSE, error, "a NULL user id");
  g_clear_error (&error);
  ck_assert_int_eq (rtm_client_get_connection_state (other), RTM_CONNECTION_STATE_DISCONNECTED);

  ck_assert (!do_send (alice, nobody, &error));
  expect_invalid (NULL, FALSE, error, "a NULL callee");
  g_clear_error (&error);
  ck_assert (!do_send (alice, spaced, &error));
  expect_invalid (NULL, FALSE, error, "a callee id with a space");
  g_clear_error (&error);
  ck_assert_int_eq (rtm_local_invitation_get_state (spaced), RTM_LOCAL_INVITATION_STATE_IDLE);

  ck_assert (!rtm_local_invitation_set_content (ok, big));
  ck_assert (rtm_local_invitation_set_content (ok, big + 1));
  ck_assert (!rtm_local_invitation_set_channel_id (ok, "bad channel"));
  ck_assert_ptr_null (rtm_local_invitation_get_channel_id (ok));

  rtm_client_send_message_to_peer_async (alice->client, NULL, "x", NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "the message to a NULL peer");
  done = rtm_client_send_message_to_peer_finish (alice->client, result, &error);
  expect_invalid (result, done, error, "a NULL peer id");
  g_clear_error (&error);
  g_clear_object (&result);

  rtm_client_send_message_to_peer_async (alice->client, "bob", huge, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "the huge message");
  done = rtm_client_send_message_to_peer_finish (alice->client, result, &error);
  expect_invalid (result, done, error, "a text over 32 KiB");
  g_clear_error (&error);
  g_clear_object (&result);

  rtm_client_send_message_to_peer_async (alice->client, "bob", NULL, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "the NULL message");
  done = rtm_client_send_message_to_peer_finish (alice->client, result, &error);
  expect_invalid (result, done, error, "a NULL text");
  g_clear_error (&error);
  g_clear_object (&result);

  rtm_client_query_peers_online_status_async (alice->client, bad_list, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "the bad query");
  ck_assert_ptr_null (rtm_client_query_peers_online_status_finish (alice->client, result, &error));
  expect_invalid (result, FALSE, error, "an empty id in a query");
  g_clear_error (&error);
  g_clear_object (&result);

  rtm_client_subscribe_peers_online_status_async (alice->client, empty_list, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "the empty subscription");
  ck_assert_ptr_null (rtm_client_subscribe_peers_online_status_finish (alice->client, result, &error));
  expect_invalid (result, FALSE, error, "an empty subscription");
  g_clear_error (&error);
  g_clear_object (&result);

  rtm_client_query_peers_online_status_async (alice->client, NULL, NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, WAIT_MS, "the NULL query");
  ck_assert_ptr_null (rtm_client_query_peers_online_status_finish (alice->client, result, &error));
  expect_invalid (result, FALSE, error, "a NULL query");
  g_clear_error (&error);
  g_clear_object (&result);

  ck_assert_ptr_null (rtm_client_create_channel (alice->client, "no spaces allowed", &error));
  expect_invalid (NULL, FALSE, error, "a channel id with spaces");
  g_clear_error (&error);
  ck_assert_ptr_null (rtm_client_create_channel (alice->client, NULL, &error));
  expect_invalid (NULL, FALSE, error, "a NULL channel id");
  g_clear_error (&error);

  /* Already logged in. */
  ck_assert (!do_login (alice->client, "alice", NULL, &error));
  ck_assert (g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_LOGGED_IN));
  g_clear_error (&error);
  ck_assert (!do_logout (other, &error));
  ck_assert (g_error_matches (error, RTM_ERROR, RTM_ERROR_NOT_LOGGED_IN));

  g_assert_finalize_object (g_steal_pointer (&other));
}
END_TEST

START_TEST (test_login_failures_report_the_right_error)
{
  g_autofree char *secret_path = g_build_filename (g_get_tmp_dir (), "rtm-test-secret-XXXXXX", NULL);
  const char *secret = "correct horse battery staple";
  int fd = g_mkstemp (secret_path);
  const char *args[] = { "--secret-file", secret_path, NULL };
  g_autofree char *good = NULL;
  g_autofree char *expired = NULL;
  g_autofree char *other = NULL;
  g_autofree char *wrong = NULL;
  Party *alice;
  g_autoptr(GError) error = NULL;
  g_autoptr(RtmClient) nowhere = NULL;

  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (write (fd, secret, strlen (secret)), (int) strlen (secret));
  close (fd);
  use_server (args);
  unlink (secret_path);

  good = rtm_token_mint (secret, "alice", g_get_real_time () / G_USEC_PER_SEC + 600);
  expired = rtm_token_mint (secret, "alice", g_get_real_time () / G_USEC_PER_SEC - 10);
  other = rtm_token_mint (secret, "bob", g_get_real_time () / G_USEC_PER_SEC + 600);
  wrong = rtm_token_mint ("another secret", "alice", g_get_real_time () / G_USEC_PER_SEC + 600);

  alice = party_new_logged_out ("alice");
  ck_assert (!do_login (alice->client, "alice", wrong, &error));
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_INVALID_TOKEN), "got %s", error->message);
  ck_assert (states_were (alice, RTM_CONNECTION_STATE_CONNECTING, RTM_CONNECTION_STATE_DISCONNECTED, -1));
  ck_assert_int_eq (g_array_index (alice->reasons, int, 1), RTM_CONNECTION_CHANGE_REASON_LOGIN_FAILURE);
  g_clear_error (&error);

  ck_assert (!do_login (alice->client, "alice", other, &error));
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_INVALID_TOKEN), "got %s", error->message);
  g_clear_error (&error);
  ck_assert (!do_login (alice->client, "alice", NULL, &error));
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_INVALID_TOKEN), "got %s", error->message);
  g_clear_error (&error);

  ck_assert (!do_login (alice->client, "alice", expired, &error));
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_TOKEN_EXPIRED), "got %s", error->message);
  ck_assert_int_eq (g_array_index (alice->reasons, int, alice->reasons->len - 1),
                    RTM_CONNECTION_CHANGE_REASON_TOKEN_EXPIRED);
  g_clear_error (&error);

  ck_assert_msg (do_login (alice->client, "alice", good, &error), "%s", error ? error->message : "?");
  ck_assert_int_eq (rtm_client_get_connection_state (alice->client), RTM_CONNECTION_STATE_CONNECTED);

  /* Nobody listening. */
  {
    g_autofree char *uri = g_strdup (rtm_test_server_get_uri (server));

    g_clear_pointer (&server, rtm_test_server_free);
    nowhere = rtm_client_new (uri);
    ck_assert (!do_login (nowhere, "carol", NULL, &error));
    ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_CONNECTION_FAILED), "got %s", error->message);
    ck_assert_int_eq (rtm_client_get_connection_state (nowhere), RTM_CONNECTION_STATE_DISCONNECTED);
    g_assert_finalize_object (g_steal_pointer (&nowhere));
  }
}
END_TEST

START_TEST (test_a_token_refused_on_reconnect_aborts)
{
  g_autofree char *secret_path = g_build_filename (g_get_tmp_dir (), "rtm-test-secret-XXXXXX", NULL);
  int fd = g_mkstemp (secret_path);
  const char *args[] = { "--secret-file", secret_path, NULL };
  g_autofree char *token = NULL;
  Party *alice;
  g_autoptr(GError) error = NULL;

  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (write (fd, "first secret", 12), 12);
  close (fd);
  use_server (args);
  token = rtm_token_mint ("first secret", "alice", g_get_real_time () / G_USEC_PER_SEC + 600);
  alice = party_new_logged_out ("alice");
  ck_assert (do_login (alice->client, "alice", token, &error));

  /* The server comes back with another secret: the old token is refused,
   * and trying again would not help. */
  ck_assert (g_file_set_contents (secret_path, "second secret", -1, NULL));
  rtm_test_server_restart (server);
  WAIT_UNTIL (rtm_client_get_connection_state (alice->client) == RTM_CONNECTION_STATE_ABORTED,
              10000, "alice giving up");
  ck_assert (states_were (alice, RTM_CONNECTION_STATE_CONNECTING, RTM_CONNECTION_STATE_CONNECTED,
                          RTM_CONNECTION_STATE_RECONNECTING, RTM_CONNECTION_STATE_ABORTED, -1));
  ck_assert_int_eq (g_array_index (alice->reasons, int, 3), RTM_CONNECTION_CHANGE_REASON_LOGIN_FAILURE);
  rtm_test_run_for (600);
  ck_assert_int_eq (rtm_client_get_connection_state (alice->client), RTM_CONNECTION_STATE_ABORTED);
  unlink (secret_path);
}
END_TEST

START_TEST (test_wss_needs_a_trusted_certificate)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("rtm-test-tls-XXXXXX", &error);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  const char *openssl[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                            "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert, NULL };
  const char *args[] = { "--tls-certificate", cert, "--tls-key", key, NULL };
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(RtmClient) untrusting = NULL;
  Party *alice;
  int status = -1;

  ck_assert_msg (dir != NULL, "%s", error ? error->message : "?");
  ck_assert_msg (g_spawn_sync (NULL, (char **) openssl, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                               G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error) &&
                 status == 0, "openssl cannot make a certificate: %s", error ? error->message : "exit status");
  use_server (args);
  ck_assert (g_str_has_prefix (rtm_test_server_get_uri (server), "wss://"));

  untrusting = rtm_client_new (rtm_test_server_get_uri (server));
  ck_assert (!do_login (untrusting, "alice", NULL, &error));
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_CONNECTION_FAILED), "got %s", error->message);
  g_clear_error (&error);
  g_assert_finalize_object (g_steal_pointer (&untrusting));

  database = g_tls_file_database_new (cert, &error);
  ck_assert_msg (database != NULL, "%s", error ? error->message : "?");
  alice = party_new_logged_out ("alice");
  g_object_set (alice->client, "tls-database", database, NULL);
  ck_assert_msg (do_login (alice->client, "alice", NULL, &error), "wss login failed: %s",
                 error ? error->message : "?");
  party_new_logged_out ("bob");
  g_object_set (((Party *) g_ptr_array_index (parties, 1))->client, "tls-database", database, NULL);
  ck_assert (do_login (((Party *) g_ptr_array_index (parties, 1))->client, "bob", NULL, &error));
  g_object_unref (invite (alice, "bob", NULL, NULL));
  WAIT_EVENT ("alice", "received-by-peer");

  unlink (cert);
  unlink (key);
  rmdir (dir);
}
END_TEST

START_TEST (test_bad_server_uris_fail_the_login)
{
  const char *uris[] = { "not a uri", "ws://", "http://127.0.0.1:1/rtm", "", NULL };

  for (guint i = 0; uris[i] != NULL; i++)
    {
      g_autoptr(RtmClient) client = rtm_client_new (uris[i]);
      g_autoptr(GError) error = NULL;

      ck_assert (!do_login (client, "alice", NULL, &error));
      ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_INVALID_ARGUMENT), "\"%s\": got %s",
                     uris[i], error->message);
      ck_assert_int_eq (rtm_client_get_connection_state (client), RTM_CONNECTION_STATE_DISCONNECTED);
      g_assert_finalize_object (g_steal_pointer (&client));
    }
}
END_TEST

START_TEST (test_logout_during_login_cancels_it)
{
  Party *alice = party_new_logged_out ("alice");
  g_autoptr(GAsyncResult) login = NULL;
  g_autoptr(GAsyncResult) logout = NULL;
  g_autoptr(GError) error = NULL;

  rtm_client_login_async (alice->client, "alice", NULL, NULL, on_async, &login);
  ck_assert_int_eq (rtm_client_get_connection_state (alice->client), RTM_CONNECTION_STATE_CONNECTING);
  rtm_client_logout_async (alice->client, NULL, on_async, &logout);
  WAIT_UNTIL (login != NULL && logout != NULL, WAIT_MS, "the login and the logout to finish");
  ck_assert (!rtm_client_login_finish (alice->client, login, &error));
  ck_assert_msg (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED), "got %s", error->message);
  g_clear_error (&error);
  ck_assert (rtm_client_logout_finish (alice->client, logout, &error));
  ck_assert (states_were (alice, RTM_CONNECTION_STATE_CONNECTING, RTM_CONNECTION_STATE_DISCONNECTED, -1));
  ck_assert_int_eq (g_array_index (alice->reasons, int, 1), RTM_CONNECTION_CHANGE_REASON_LOGOUT);
  ck_assert_ptr_null (rtm_client_get_user_id (alice->client));

  /* And it logs in fine afterwards. */
  ck_assert (do_login (alice->client, "alice", NULL, &error));
}
END_TEST

START_TEST (test_cancelling_a_login_stops_it)
{
  Party *alice = party_new_logged_out ("alice");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) login = NULL;
  g_autoptr(GError) error = NULL;

  rtm_client_login_async (alice->client, "alice", NULL, cancellable, on_async, &login);
  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (login != NULL, WAIT_MS, "the canceled login to finish");
  ck_assert (!rtm_client_login_finish (alice->client, login, &error));
  ck_assert_msg (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED), "got %s", error->message);
  rtm_test_run_for (200);
  ck_assert_int_eq (rtm_client_get_connection_state (alice->client), RTM_CONNECTION_STATE_DISCONNECTED);
  ck_assert (states_were (alice, RTM_CONNECTION_STATE_CONNECTING, RTM_CONNECTION_STATE_DISCONNECTED, -1));
}
END_TEST

START_TEST (test_unanswered_requests_time_out)
{
  Party *alice = party_new ("alice");
  GPid pid = rtm_test_server_get_pid (server);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  g_object_set (alice->client, "keepalive-interval", 0, "request-timeout", 300, NULL);
  freeze_server (pid);
  start = g_get_monotonic_time ();
  rtm_client_send_message_to_peer_async (alice->client, "bob", "anyone?", NULL, on_async, &result);
  WAIT_UNTIL (result != NULL, 3000, "the request to time out");
  ck_assert_int_eq (kill (pid, SIGCONT), 0);
  ck_assert (!rtm_client_send_message_to_peer_finish (alice->client, result, &error));
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_TIMEOUT), "got %s", error->message);
  ck_assert_int_ge (g_get_monotonic_time () - start, 250 * 1000);
  /* Without pings the client does not give up on the connection. */
  ck_assert_int_eq (rtm_client_get_connection_state (alice->client), RTM_CONNECTION_STATE_CONNECTED);
}
END_TEST

START_TEST (test_login_to_a_frozen_server_times_out)
{
  Party *alice = party_new_logged_out ("alice");
  GPid pid = rtm_test_server_get_pid (server);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_object_set (alice->client, "request-timeout", 300, NULL);
  freeze_server (pid);
  ok = do_login (alice->client, "alice", NULL, &error);
  ck_assert_int_eq (kill (pid, SIGCONT), 0);
  ck_assert (!ok);
  ck_assert_msg (g_error_matches (error, RTM_ERROR, RTM_ERROR_TIMEOUT), "got %s", error->message);
  ck_assert (states_were (alice, RTM_CONNECTION_STATE_CONNECTING, RTM_CONNECTION_STATE_DISCONNECTED, -1));
  ck_assert_int_eq (g_array_index (alice->reasons, int, 1), RTM_CONNECTION_CHANGE_REASON_LOGIN_TIMEOUT);
}
END_TEST

static Suite *
rtm_suite (void)
{
  Suite *suite = suite_create ("rtm");
  struct {
    const char *name;
    const TTest *test;
    int timeout;
  } cases[] = {
    { "accept", test_accepted_invitation_reaches_both_sides_in_order, 10 },
    { "accept in handler", test_accepting_inside_the_received_handler_keeps_the_order, 10 },
    { "nested loop in a handler", test_a_handler_may_wait_in_a_nested_main_loop, 10 },
    { "refuse", test_refusal_carries_the_response, 10 },
    { "cancel", test_cancel_reaches_the_callee_first, 10 },
    { "expiry", test_unanswered_invitation_expires_on_both_sides, 10 },
    { "offline callee", test_offline_callee_fails_with_peer_offline, 10 },
    { "caller vanishes", test_caller_vanishing_mid_ring_fails_the_callee, 10 },
    { "callee vanishes", test_callee_vanishing_mid_ring_fails_the_caller, 10 },
    { "client dropped", test_dropping_the_client_ends_its_invitations, 10 },
    { "logout mid-ring", test_logout_mid_ring_ends_both_sides, 10 },
    { "send logged out", test_sending_while_logged_out_fails_the_invitation, 10 },
    { "send twice", test_sending_twice_is_refused, 10 },
    { "answer after end", test_answers_after_the_end_are_refused, 10 },
    { "cancel while sending", test_cancel_while_sending_waits_for_the_id, 10 },
    { "third user", test_third_user_cannot_answer_or_cancel_someone_elses_invitation, 10 },
    { "several at once", test_several_invitations_at_once_in_both_directions, 10 },
    { "self call", test_calling_oneself_plays_both_roles, 10 },
    { "early events", test_events_before_the_invite_reply_are_delivered_in_order, 10 },
    { "race", test_random_races_end_in_one_outcome_on_both_sides, 40 },
    { "login", test_login_goes_connecting_then_connected, 10 },
    { "duplicate login", test_second_login_of_a_user_aborts_the_first, 10 },
    { "reconnect", test_client_reconnects_after_the_server_restarts, 20 },
    { "keepalive", test_ping_finds_a_dead_server, 20 },
    { "presence outage", test_presence_changes_during_an_outage_are_reported, 20 },
    { "presence", test_presence_follows_logins_and_logouts, 10 },
    { "peer messages", test_peer_messages_arrive_and_offline_peers_are_reported, 10 },
    { "channels", test_channels_carry_members_and_messages, 10 },
    { "arguments", test_invalid_arguments_fail_without_crashing, 10 },
    { "login failures", test_login_failures_report_the_right_error, 10 },
    { "token refused on reconnect", test_a_token_refused_on_reconnect_aborts, 20 },
    { "wss", test_wss_needs_a_trusted_certificate, 15 },
    { "bad server uris", test_bad_server_uris_fail_the_login, 10 },
    { "logout during login", test_logout_during_login_cancels_it, 10 },
    { "cancel login", test_cancelling_a_login_stops_it, 10 },
    { "request timeout", test_unanswered_requests_time_out, 10 },
    { "login timeout", test_login_to_a_frozen_server_times_out, 10 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TCase *tcase = tcase_create (cases[i].name);

      tcase_add_checked_fixture (tcase, setup, teardown);
      tcase_set_timeout (tcase, cases[i].timeout);
      tcase_add_test (tcase, cases[i].test);
      suite_add_tcase (suite, tcase);
    }
  return suite;
}

int
main (void)
{
  SRunner *runner = srunner_create (rtm_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
