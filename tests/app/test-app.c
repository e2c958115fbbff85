/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The app's suite: real widgets under Xvfb, a real rtm-server, real
 * webrtcbin calls with audiotestsrc and fakesink. Each "phone" is a call
 * list, ringer and window of its own RtmClient, so two or three app
 * instances live in one test process.
 */
#define G_LOG_DOMAIN "test-app"

#include <check.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "app-test-display.h"
#include "beckon-app-enums.h"
#include "beckon-application.h"
#include "beckon-call-list.h"
#include "beckon-history.h"
#include "beckon-preferences-window.h"
#include "beckon-ringer.h"
#include "beckon-window.h"
#include "rtm-test-server.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

typedef struct
{
  RtmClient      *client;
  BeckonHistory  *history;
  BeckonCallList *calls;
  BeckonRinger   *ringer;
  BeckonWindow   *window;
  char           *history_path;
} Phone;

static RtmTestServer *server;
static char *tmpdir;

/* Helpers */

static gboolean
on_wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main loop until EXPR holds; fails naming WHAT if it never does. */
#define WAIT_UNTIL(expr, ms, what)                                              \
  G_STMT_START {                                                                \
    gint64 deadline_ = g_get_monotonic_time () + (gint64) (ms) * 1000;          \
    guint wake_ = g_timeout_add (10, on_wake, NULL);                            \
    while (!(expr))                                                             \
      {                                                                         \
        if (g_get_monotonic_time () > deadline_)                                \
          {                                                                     \
            g_source_remove (wake_);                                            \
            ck_abort_msg ("%s never happened within %d ms", (what), (int) (ms)); \
          }                                                                     \
        g_main_context_iteration (NULL, TRUE);                                  \
      }                                                                         \
    g_source_remove (wake_);                                                    \
  } G_STMT_END

static void
run_for (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  guint wake = g_timeout_add (10, on_wake, NULL);

  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

typedef struct
{
  gboolean  done;
  GError   *error;
} LoginResult;

static void
on_login (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  LoginResult *login = user_data;

  rtm_client_login_finish (RTM_CLIENT (object), result, &login->error);
  login->done = TRUE;
}

static RtmClient *
login (const char *uri,
       const char *user_id)
{
  RtmClient *client = rtm_client_new (uri);
  LoginResult result = { FALSE, NULL };

  rtm_client_login_async (client, user_id, NULL, NULL, on_login, &result);
  rtm_test_wait_for (result.done, 5000, "login");
  ck_assert_msg (result.error == NULL, "login as %s: %s", user_id,
                 result.error ? result.error->message : "");

  return client;
}

static Phone *
phone_new_on (const char *uri,
              const char *user_id)
{
  Phone *phone = g_new0 (Phone, 1);

  phone->client = login (uri, user_id);
  phone->history_path = g_build_filename (tmpdir, user_id, "history.json", NULL);
  phone->history = beckon_history_new (phone->history_path);
  phone->calls = beckon_call_list_new (phone->client, phone->history);
  beckon_call_list_set_audio (phone->calls,
                              "audiotestsrc is-live=true wave=sine freq=440 volume=0.5",
                              "fakesink sync=true");
  phone->ringer = beckon_ringer_new (phone->calls);
  beckon_ringer_set_sink_description (phone->ringer, "fakesink sync=true");
  phone->window = beckon_window_new (NULL, phone->calls);
  beckon_window_set_end_linger (phone->window, 300);
  gtk_window_present (GTK_WINDOW (phone->window));

  return phone;
}

static Phone *
phone_new (const char *user_id)
{
  return phone_new_on (rtm_test_server_get_uri (server), user_id);
}

static void
phone_free (Phone *phone)
{
  gpointer window = phone->window;
  gpointer calls = phone->calls;
  gpointer ringer = phone->ringer;

  /* Everything the phone made is freed: nothing holds on to a window,
   * a call list or a ringer. */
  g_object_add_weak_pointer (G_OBJECT (window), &window);
  g_object_add_weak_pointer (G_OBJECT (calls), &calls);
  g_object_add_weak_pointer (G_OBJECT (ringer), &ringer);
  gtk_window_destroy (GTK_WINDOW (phone->window));
  g_clear_object (&phone->ringer);
  g_clear_object (&phone->calls);
  g_clear_object (&phone->history);
  WAIT_UNTIL (window == NULL && calls == NULL && ringer == NULL, 5000,
              "the window, call list and ringer being freed");
  g_clear_object (&phone->client);
  g_free (phone->history_path);
  g_free (phone);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Phone, phone_free)

static GActionGroup *
actions (Phone *phone)
{
  return beckon_call_list_get_actions (phone->calls);
}

static BeckonCall *
dial (Phone      *phone,
      const char *peer,
      const char *content)
{
  g_action_group_activate_action (actions (phone), "dial",
                                  g_variant_new ("(ss)", peer, content ? content : ""));
  ck_assert_msg (g_list_model_get_n_items (G_LIST_MODEL (phone->calls)) > 0,
                 "dialling %s made no call", peer);

  return beckon_call_list_get_outgoing_call (phone->calls);
}

static BeckonHistoryEntry *
history_entry (Phone *phone,
               guint  index)
{
  BeckonHistoryEntry *entry = g_list_model_get_item (G_LIST_MODEL (phone->history), index);

  ck_assert_msg (entry != NULL, "no history entry %u", index);
  g_object_unref (entry);  /* the history keeps it alive */

  return entry;
}

static BeckonHistoryEntry *
history_entry_of (BeckonHistory *history,
                  guint          index)
{
  BeckonHistoryEntry *entry = g_list_model_get_item (G_LIST_MODEL (history), index);

  ck_assert_msg (entry != NULL, "no history entry %u", index);
  g_object_unref (entry);

  return entry;
}

static const char *
page (Phone *phone)
{
  return beckon_window_get_page_name (phone->window);
}

/* Fixtures: check forks each test, so GTK starts in the child. */

static void
init_gtk (void)
{
  ck_assert_msg (app_test_init_gtk (), "cannot open the display %s", g_getenv ("DISPLAY"));
}

static void
setup (void)
{
  init_gtk ();
  gst_init (NULL, NULL);
  adw_init ();
  tmpdir = g_dir_make_tmp ("beckon-app-XXXXXX", NULL);
  ck_assert (tmpdir != NULL);
  server = rtm_test_server_start (NULL);
}

static void
teardown (void)
{
  g_clear_pointer (&server, rtm_test_server_free);
  g_clear_pointer (&tmpdir, g_free);
}

static void
setup_gtk_only (void)
{
  init_gtk ();
  gst_init (NULL, NULL);
  adw_init ();
  tmpdir = g_dir_make_tmp ("beckon-app-XXXXXX", NULL);
  ck_assert (tmpdir != NULL);
}

/* History */

START_TEST (test_history_survives_a_restart)
{
  g_autofree char *path = g_build_filename (tmpdir, "data", "history.json", NULL);
  g_autoptr(BeckonHistory) history = beckon_history_new (path);
  g_autoptr(BeckonHistoryEntry) first = beckon_history_entry_new ("bob", BECKON_HISTORY_KIND_OUTGOING,
                                                                  TRUE, NULL, 65, "Call ended");
  g_autoptr(BeckonHistoryEntry) second = beckon_history_entry_new ("carol", BECKON_HISTORY_KIND_MISSED,
                                                                   FALSE, NULL, 0, "Missed call");
  g_autoptr(BeckonHistory) reloaded = NULL;
  g_autoptr(BeckonHistoryEntry) entry = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *dirname = g_path_get_dirname (path);
  const char *name;
  guint files = 0;

  beckon_history_add (history, first);
  beckon_history_add (history, second);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (history)), 2);
  g_clear_object (&history);

  reloaded = beckon_history_new (path);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), 2);
  entry = g_list_model_get_item (G_LIST_MODEL (reloaded), 0);
  ck_assert_str_eq (beckon_history_entry_get_peer_id (entry), "carol");
  ck_assert_int_eq (beckon_history_entry_get_kind (entry), BECKON_HISTORY_KIND_MISSED);
  ck_assert (!beckon_history_entry_get_outgoing (entry));
  g_clear_object (&entry);
  entry = g_list_model_get_item (G_LIST_MODEL (reloaded), 1);
  ck_assert_str_eq (beckon_history_entry_get_peer_id (entry), "bob");
  ck_assert_int_eq (beckon_history_entry_get_kind (entry), BECKON_HISTORY_KIND_OUTGOING);
  ck_assert_int_eq (beckon_history_entry_get_duration (entry), 65);
  ck_assert_int_eq (g_date_time_to_unix (beckon_history_entry_get_time (entry)),
                    g_date_time_to_unix (beckon_history_entry_get_time (first)));

  /* Written by rename: no temporary file is left behind. */
  dir = g_dir_open (dirname, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      ck_assert_str_eq (name, "history.json");
      files++;
    }
  ck_assert_uint_eq (files, 1);
}
END_TEST

START_TEST (test_history_clear_empties_it_for_good)
{
  g_autofree char *path = g_build_filename (tmpdir, "history.json", NULL);
  g_autoptr(BeckonHistory) history = beckon_history_new (path);
  g_autoptr(BeckonHistoryEntry) entry = beckon_history_entry_new ("bob", BECKON_HISTORY_KIND_FAILED,
                                                                  TRUE, NULL, 0, NULL);
  g_autoptr(BeckonHistory) reloaded = NULL;

  beckon_history_add (history, entry);
  beckon_history_clear (history);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (history)), 0);

  reloaded = beckon_history_new (path);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), 0);
}
END_TEST

START_TEST (test_history_survives_a_damaged_file)
{
  g_autofree char *path = g_build_filename (tmpdir, "history.json", NULL);
  g_autoptr(BeckonHistory) history = NULL;
  g_autoptr(BeckonHistoryEntry) entry = beckon_history_entry_new ("bob", BECKON_HISTORY_KIND_FAILED,
                                                                  TRUE, NULL, 0, NULL);

  ck_assert (g_file_set_contents (path, "{\"calls\": [{\"peer\": 3}, {\"kind\": \"missed\"}, 7", -1, NULL));
  history = beckon_history_new (path);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (history)), 0);
  ck_assert (beckon_history_get_error (history) != NULL);

  ck_assert (g_file_set_contents (path, "{\"calls\": [{\"peer\": \"x\", \"kind\": \"nonsense\"},"
                                        " {\"peer\": \"bob\", \"kind\": \"missed\", \"time\": 1700000000}]}",
                                  -1, NULL));
  g_clear_object (&history);
  history = beckon_history_new (path);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (history)), 1);

  beckon_history_add (history, entry);
  ck_assert (beckon_history_get_error (history) == NULL);
}
END_TEST

START_TEST (test_history_recent_peers_are_distinct_and_newest_first)
{
  g_autofree char *path = g_build_filename (tmpdir, "history.json", NULL);
  g_autoptr(BeckonHistory) history = beckon_history_new (path);
  const char *peers[] = { "bob", "carol", "bob", "dave", "erin" };
  g_auto(GStrv) recent = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (peers); i++)
    {
      g_autoptr(BeckonHistoryEntry) entry =
        beckon_history_entry_new (peers[i], BECKON_HISTORY_KIND_OUTGOING, TRUE, NULL, i, NULL);
      beckon_history_add (history, entry);
    }

  recent = beckon_history_dup_recent_peers (history, 3);
  ck_assert_uint_eq (g_strv_length (recent), 3);
  ck_assert_str_eq (recent[0], "erin");
  ck_assert_str_eq (recent[1], "dave");
  ck_assert_str_eq (recent[2], "bob");
}
END_TEST

/* Pages without a server */

START_TEST (test_sign_in_page_wants_a_server_and_a_valid_user_id)
{
  GtkWidget *widget = beckon_sign_in_page_new ();
  BeckonSignInPage *page_ = BECKON_SIGN_IN_PAGE (g_object_ref_sink (widget));

  beckon_sign_in_page_set_server_uri (page_, "ws://127.0.0.1:7600/rtm");
  beckon_sign_in_page_set_user_id (page_, "has space");
  ck_assert (!beckon_sign_in_page_can_sign_in (page_));
  beckon_sign_in_page_set_user_id (page_, "alice");
  ck_assert (beckon_sign_in_page_can_sign_in (page_));
  beckon_sign_in_page_set_server_uri (page_, "http://example.com");
  ck_assert (!beckon_sign_in_page_can_sign_in (page_));

  ck_assert (beckon_sign_in_page_get_error (page_) == NULL);
  beckon_sign_in_page_set_error (page_, "Signed out: the same user signed in elsewhere");
  ck_assert_str_eq (beckon_sign_in_page_get_error (page_),
                    "Signed out: the same user signed in elsewhere");

  g_object_unref (page_);
}
END_TEST

START_TEST (test_history_page_shows_each_call_in_words)
{
  g_autofree char *path = g_build_filename (tmpdir, "history.json", NULL);
  g_autoptr(BeckonHistory) history = beckon_history_new (path);
  g_autoptr(BeckonHistoryEntry) outgoing = beckon_history_entry_new ("bob", BECKON_HISTORY_KIND_OUTGOING,
                                                                     TRUE, NULL, 65, "Call ended");
  g_autoptr(BeckonHistoryEntry) missed = beckon_history_entry_new ("carol", BECKON_HISTORY_KIND_MISSED,
                                                                   FALSE, NULL, 0, "Missed call");
  g_autoptr(BeckonHistoryEntry) refused = beckon_history_entry_new ("dave", BECKON_HISTORY_KIND_REFUSED,
                                                                    TRUE, NULL, 0, "Busy");
  BeckonHistoryPage *history_page = BECKON_HISTORY_PAGE (g_object_ref_sink (beckon_history_page_new ()));
  AdwActionRow *row;

  beckon_history_page_set_history (history_page, history);
  ck_assert (beckon_history_page_is_empty (history_page));

  beckon_history_add (history, outgoing);
  beckon_history_add (history, missed);
  beckon_history_add (history, refused);
  ck_assert (!beckon_history_page_is_empty (history_page));

  row = ADW_ACTION_ROW (beckon_history_page_get_row (history_page, 0));
  ck_assert_str_eq (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "dave");
  ck_assert (g_str_has_prefix (adw_action_row_get_subtitle (row), "Declined · "));
  ck_assert (g_str_has_suffix (adw_action_row_get_subtitle (row), " · Busy"));

  row = ADW_ACTION_ROW (beckon_history_page_get_row (history_page, 1));
  ck_assert_str_eq (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "carol");
  ck_assert (g_str_has_prefix (adw_action_row_get_subtitle (row), "Missed call · "));

  row = ADW_ACTION_ROW (beckon_history_page_get_row (history_page, 2));
  ck_assert_str_eq (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "bob");
  ck_assert (g_str_has_prefix (adw_action_row_get_subtitle (row), "Outgoing call · "));
  ck_assert (g_str_has_suffix (adw_action_row_get_subtitle (row), " · 01:05"));

  beckon_history_clear (history);
  ck_assert (beckon_history_page_is_empty (history_page));

  g_object_unref (history_page);
}
END_TEST

/* Pages with a server: every text follows the invitation */

START_TEST (test_outgoing_and_incoming_pages_follow_the_invitation)
{
  g_autoptr(Phone) alice = phone_new ("alice");
  g_autoptr(Phone) bob = phone_new ("bob");
  BeckonOutgoingPage *outgoing = beckon_window_get_outgoing_page (alice->window);
  BeckonIncomingPage *incoming = beckon_window_get_incoming_page (bob->window);
  BeckonCall *call;

  ck_assert_str_eq (page (alice), "home");
  ck_assert_str_eq (beckon_window_get_connection_text (alice->window), "Connected as alice");

  call = dial (alice, "bob", "lunch?");
  ck_assert_str_eq (page (alice), "outgoing");
  ck_assert_str_eq (beckon_outgoing_page_get_status (outgoing), "Calling bob…");
  ck_assert_str_eq (beckon_outgoing_page_get_content (outgoing), "“lunch?”");

  WAIT_UNTIL (beckon_call_get_state (call) == BECKON_CALL_STATE_ALERTING, 5000, "alice's call ringing at bob's");
  ck_assert_str_eq (beckon_outgoing_page_get_status (outgoing), "Ringing");
  ck_assert_str_eq (page (bob), "incoming");
  ck_assert_str_eq (beckon_incoming_page_get_status (incoming), "alice is calling");
  ck_assert_str_eq (beckon_incoming_page_get_content (incoming), "“lunch?”");

  /* Through the page's own action, as its Decline button does. */
  gtk_widget_activate_action (GTK_WIDGET (incoming), "app.decline", "s", "");
  ck_assert_str_eq (beckon_incoming_page_get_status (incoming), "Declined");

  WAIT_UNTIL (beckon_call_get_state (call) == BECKON_CALL_STATE_ENDED, 5000, "alice hearing the refusal");
  ck_assert_str_eq (beckon_outgoing_page_get_status (outgoing), "Declined");
  ck_assert_str_eq (page (alice), "outgoing");  /* the end stays on screen for a moment */
  WAIT_UNTIL (g_str_equal (page (alice), "home"), 3000, "alice's window returning home");
  WAIT_UNTIL (g_str_equal (page (bob), "home"), 3000, "bob's window returning home");

  ck_assert_int_eq (beckon_history_entry_get_kind (history_entry (alice, 0)), BECKON_HISTORY_KIND_REFUSED);
  ck_assert_int_eq (beckon_history_entry_get_kind (history_entry (bob, 0)), BECKON_HISTORY_KIND_REFUSED);
}
END_TEST

START_TEST (test_a_refusal_is_told_in_the_peers_words)
{
  g_autoptr(Phone) alice = phone_new ("alice");
  g_autoptr(Phone) bob = phone_new ("bob");
  const char *responses[] = { "busy", "In a meeting, later" };
  const char *expected[] = { "Busy", "In a meeting, later" };

  for (guint i = 0; i < G_N_ELEMENTS (responses); i++)
    {
      g_autoptr(BeckonCall) call = g_object_ref (dial (alice, "bob", NULL));
      BeckonCall *ringing;

      WAIT_UNTIL ((ringing = beckon_call_list_get_incoming_call (bob->calls)) != NULL, 5000,
                  "bob's phone ringing");
      beckon_call_decline (ringing, responses[i]);
      WAIT_UNTIL (beckon_call_get_state (call) == BECKON_CALL_STATE_ENDED, 5000, "alice hearing the refusal");
      ck_assert_str_eq (beckon_call_get_status (call), expected[i]);
      ck_assert_str_eq (beckon_outgoing_page_get_status (beckon_window_get_outgoing_page (alice->window)),
                        expected[i]);
    }
}
END_TEST

static void
on_failed (BeckonCallList *calls,
           const char     *message,
           char          **out)
{
  g_free (*out);
  *out = g_strdup (message);
}

START_TEST (test_a_bad_user_id_is_refused_in_words)
{
  g_autoptr(Phone) alice = phone_new ("alice");
  g_autofree char *message = NULL;

  g_signal_connect (alice->calls, "failed", G_CALLBACK (on_failed), &message);
  g_action_group_activate_action (actions (alice), "dial", g_variant_new ("(ss)", "not valid", ""));
  ck_assert_str_eq (message, "“not valid” is not a valid user id");
  g_action_group_activate_action (actions (alice), "dial", g_variant_new ("(ss)", "alice", ""));
  ck_assert_str_eq (message, "You cannot call yourself");
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (alice->calls)), 0);
  ck_assert_str_eq (page (alice), "home");
  g_signal_handlers_disconnect_by_data (alice->calls, &message);
}
END_TEST

START_TEST (test_calling_an_offline_peer_says_so)
{
  g_autoptr(Phone) alice = phone_new ("alice");
  g_autoptr(BeckonCall) call = g_object_ref (dial (alice, "carol", NULL));

  WAIT_UNTIL (beckon_call_get_state (call) == BECKON_CALL_STATE_ENDED, 5000, "the call to carol failing");
  ck_assert_int_eq (beckon_call_get_end_reason (call), BECKON_CALL_END_PEER_OFFLINE);
  ck_assert_str_eq (beckon_outgoing_page_get_status (beckon_window_get_outgoing_page (alice->window)),
                    "carol is offline");
  ck_assert_int_eq (beckon_history_entry_get_kind (history_entry (alice, 0)), BECKON_HISTORY_KIND_FAILED);
}
END_TEST

START_TEST (test_dial_page_shows_presence_as_you_type)
{
  g_autoptr(Phone) alice = phone_new ("alice");
  G_GNUC_UNUSED g_autoptr(Phone) bob = phone_new ("bob");
  g_autoptr(RtmClient) carol = NULL;
  BeckonDialPage *dial_page = beckon_window_get_dial_page (alice->window);

  beckon_dial_page_set_peer_id (dial_page, "bob");
  WAIT_UNTIL (g_strcmp0 (beckon_dial_page_get_presence_text (dial_page), "bob is online") == 0, 3000,
              "bob shown online");

  beckon_dial_page_set_peer_id (dial_page, "carol");
  ck_assert (beckon_dial_page_get_presence_text (dial_page) == NULL);
  WAIT_UNTIL (g_strcmp0 (beckon_dial_page_get_presence_text (dial_page), "carol is offline") == 0, 3000,
              "carol shown offline");

  carol = login (rtm_test_server_get_uri (server), "carol");
  WAIT_UNTIL (g_strcmp0 (beckon_dial_page_get_presence_text (dial_page), "carol is online") == 0, 3000,
              "carol shown online once she signs in");

  beckon_dial_page_set_peer_id (dial_page, "not valid");
  ck_assert (!beckon_dial_page_can_call (dial_page));
}
END_TEST

/* Whole calls */

START_TEST (test_a_whole_call_through_actions)
{
  g_autoptr(Phone) alice = phone_new ("alice");
  g_autoptr(Phone) bob = phone_new ("bob");
  g_autoptr(BeckonCall) outgoing = NULL;
  g_autoptr(BeckonCall) incoming = NULL;
  BeckonInCallPage *alice_page = beckon_window_get_in_call_page (alice->window);
  BeckonInCallPage *bob_page = beckon_window_get_in_call_page (bob->window);

  outgoing = g_object_ref (dial (alice, "bob", NULL));
  WAIT_UNTIL (beckon_ringer_get_state (bob->ringer) == BECKON_RINGER_RINGING, 5000, "bob's phone ringing");
  ck_assert (beckon_ringer_get_playing (bob->ringer));
  WAIT_UNTIL (beckon_ringer_get_state (alice->ringer) == BECKON_RINGER_RINGBACK, 5000, "alice hearing ringback");
  incoming = g_object_ref (beckon_call_list_get_incoming_call (bob->calls));

  gtk_widget_activate_action (GTK_WIDGET (beckon_window_get_incoming_page (bob->window)),
                              "app.accept", "s", beckon_call_get_id (incoming));
  ck_assert_int_eq (beckon_ringer_get_state (bob->ringer), BECKON_RINGER_SILENT);
  ck_assert (!beckon_ringer_get_playing (bob->ringer));
  ck_assert_str_eq (page (bob), "in-call");

  WAIT_UNTIL (beckon_call_get_state (outgoing) == BECKON_CALL_STATE_ACTIVE &&
              beckon_call_get_state (incoming) == BECKON_CALL_STATE_ACTIVE, 20000, "audio flowing both ways");
  ck_assert_int_eq (beckon_ringer_get_state (alice->ringer), BECKON_RINGER_SILENT);
  ck_assert_str_eq (page (alice), "in-call");

  /* Both timers run. */
  WAIT_UNTIL (beckon_call_get_duration (outgoing) >= 2 && beckon_call_get_duration (incoming) >= 2, 5000,
              "two seconds on both clocks");
  /* The page ticks on its own clock: give its label a tick to catch up. */
  WAIT_UNTIL (!g_str_equal (beckon_in_call_page_get_status (alice_page), "00:00") &&
              !g_str_equal (beckon_in_call_page_get_status (alice_page), "00:01"), 2000,
              "alice's timer showing two seconds");
  ck_assert_msg (g_str_has_prefix (beckon_in_call_page_get_status (alice_page), "00:0"),
                 "alice's timer shows %s", beckon_in_call_page_get_status (alice_page));
  ck_assert_msg (!g_str_equal (beckon_in_call_page_get_status (bob_page), "00:00"),
                 "bob's timer shows %s", beckon_in_call_page_get_status (bob_page));

  /* The meters move with the test tone. */
  WAIT_UNTIL (beckon_in_call_page_get_input_level (alice_page) > 0.1, 5000, "alice's microphone meter moving");
  WAIT_UNTIL (beckon_in_call_page_get_output_level (bob_page) > 0.1, 5000, "bob's speaker meter moving");

  g_action_group_change_action_state (actions (alice), "mute", g_variant_new_boolean (TRUE));
  ck_assert (beckon_call_get_muted (outgoing));

  g_action_group_activate_action (actions (alice), "hangup", g_variant_new_string (""));
  ck_assert_int_eq (beckon_call_get_state (outgoing), BECKON_CALL_STATE_ENDED);
  ck_assert_str_eq (beckon_in_call_page_get_status (alice_page), "Call ended");
  WAIT_UNTIL (beckon_call_get_state (incoming) == BECKON_CALL_STATE_ENDED, 5000, "bob hearing the hang-up");
  ck_assert_int_eq (beckon_call_get_end_reason (incoming), BECKON_CALL_END_HANGUP_REMOTE);
  ck_assert_str_eq (beckon_in_call_page_get_status (bob_page), "alice hung up");
  WAIT_UNTIL (g_str_equal (page (alice), "home") && g_str_equal (page (bob), "home"), 3000,
              "both windows returning home");

  ck_assert_int_eq (beckon_history_entry_get_kind (history_entry (alice, 0)), BECKON_HISTORY_KIND_OUTGOING);
  ck_assert_int_ge (beckon_history_entry_get_duration (history_entry (alice, 0)), 2);
  ck_assert_int_eq (beckon_history_entry_get_kind (history_entry (bob, 0)), BECKON_HISTORY_KIND_INCOMING);
  ck_assert_int_ge (beckon_history_entry_get_duration (history_entry (bob, 0)), 2);
}
END_TEST

START_TEST (test_cancel_stops_the_ringing_at_once)
{
  g_autoptr(Phone) alice = phone_new ("alice");
  g_autoptr(Phone) bob = phone_new ("bob");
  g_autoptr(BeckonCall) call = g_object_ref (dial (alice, "bob", NULL));

  WAIT_UNTIL (beckon_ringer_get_state (alice->ringer) == BECKON_RINGER_RINGBACK &&
              beckon_ringer_get_state (bob->ringer) == BECKON_RINGER_RINGING, 5000, "both phones sounding");

  g_action_group_activate_action (actions (alice), "cancel", g_variant_new_string (""));
  ck_assert_int_eq (beckon_ringer_get_state (alice->ringer), BECKON_RINGER_SILENT);
  ck_assert (!beckon_ringer_get_playing (alice->ringer));
  ck_assert_str_eq (beckon_call_get_status (call), "Cancelled");

  WAIT_UNTIL (beckon_ringer_get_state (bob->ringer) == BECKON_RINGER_SILENT, 3000, "bob's ringing stopping");
  ck_assert (!beckon_ringer_get_playing (bob->ringer));
  WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (bob->history)) == 1, 3000, "bob's history entry");
  ck_assert_int_eq (beckon_history_entry_get_kind (history_entry (bob, 0)), BECKON_HISTORY_KIND_MISSED);
  ck_assert_int_eq (beckon_history_entry_get_kind (history_entry (alice, 0)), BECKON_HISTORY_KIND_CANCELLED);
}
END_TEST

START_TEST (test_cancelling_at_once_never_leaves_the_peer_ringing)
{
  g_autoptr(Phone) alice = phone_new ("alice");
  g_autoptr(Phone) bob = phone_new ("bob");
  g_autoptr(BeckonCall) call = g_object_ref (dial (alice, "bob", NULL));

  /* Cancel before the server even answered the invite. */
  g_action_group_activate_action (actions (alice), "cancel", g_variant_new_string (""));
  ck_assert_int_eq (beckon_call_get_state (call), BECKON_CALL_STATE_ENDED);

  run_for (1500);
  ck_assert_msg (beckon_call_list_get_incoming_call (bob->calls) == NULL,
                 "bob's phone still rings for a cancelled call");
  ck_assert_int_eq (beckon_ringer_get_state (bob->ringer), BECKON_RINGER_SILENT);
}
END_TEST

START_TEST (test_an_unanswered_call_expires_into_a_missed_call)
{
  const char *args[] = { "--invitation-lifetime=1", NULL };
  g_autoptr(RtmTestServer) short_server = rtm_test_server_start (args);
  g_autoptr(Phone) alice = phone_new_on (rtm_test_server_get_uri (short_server), "alice");
  g_autoptr(Phone) bob = phone_new_on (rtm_test_server_get_uri (short_server), "bob");
  g_autoptr(BeckonCall) call = g_object_ref (dial (alice, "bob", NULL));
  BeckonHistoryPage *history_page = beckon_window_get_history_page (bob->window);
  AdwActionRow *row;

  WAIT_UNTIL (beckon_ringer_get_state (bob->ringer) == BECKON_RINGER_RINGING, 5000, "bob's phone ringing");
  WAIT_UNTIL (beckon_call_get_state (call) == BECKON_CALL_STATE_ENDED, 5000, "the invitation expiring");
  ck_assert_str_eq (beckon_call_get_status (call), "No answer");
  WAIT_UNTIL (beckon_ringer_get_state (bob->ringer) == BECKON_RINGER_SILENT, 3000, "bob's ringing stopping");

  ck_assert_int_eq (beckon_history_entry_get_kind (history_entry (bob, 0)), BECKON_HISTORY_KIND_MISSED);
  ck_assert_int_eq (beckon_history_entry_get_kind (history_entry (alice, 0)), BECKON_HISTORY_KIND_FAILED);
  row = ADW_ACTION_ROW (beckon_history_page_get_row (history_page, 0));
  ck_assert_str_eq (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "alice");
  ck_assert (g_str_has_prefix (adw_action_row_get_subtitle (row), "Missed call · "));
}
END_TEST

START_TEST (test_the_history_survives_restarting_the_app)
{
  g_autoptr(Phone) alice = phone_new ("alice");
  g_autoptr(BeckonCall) call = g_object_ref (dial (alice, "carol", NULL));
  g_autofree char *path = g_strdup (alice->history_path);
  g_autoptr(BeckonHistory) history = NULL;
  g_autoptr(BeckonCallList) calls = NULL;
  BeckonWindow *window;

  WAIT_UNTIL (beckon_call_get_state (call) == BECKON_CALL_STATE_ENDED, 5000, "the call to carol failing");
  g_clear_pointer (&alice, phone_free);

  /* A new start: the history is read back and shown. */
  history = beckon_history_new (path);
  calls = beckon_call_list_new (NULL, history);
  window = beckon_window_new (NULL, calls);
  ck_assert_str_eq (beckon_window_get_page_name (window), "sign-in");
  ck_assert (!beckon_history_page_is_empty (beckon_window_get_history_page (window)));
  ck_assert_uint_eq (beckon_dial_page_get_n_recent (beckon_window_get_dial_page (window)), 1);
  gtk_window_destroy (GTK_WINDOW (window));
}
END_TEST

/* The ringer's decisions */

static void
start_call (Phone       *caller,
            Phone       *callee,
            BeckonCall **out_outgoing,
            BeckonCall **out_incoming)
{
  BeckonCall *outgoing = dial (caller, rtm_client_get_user_id (callee->client), NULL);
  BeckonCall *incoming;

  WAIT_UNTIL ((incoming = beckon_call_list_get_incoming_call (callee->calls)) != NULL, 5000,
              "the callee ringing");
  beckon_call_list_accept (callee->calls, incoming);
  WAIT_UNTIL (beckon_call_get_state (outgoing) >= BECKON_CALL_STATE_CONNECTING, 5000,
              "the caller hearing the answer");
  *out_outgoing = g_object_ref (outgoing);
  *out_incoming = g_object_ref (incoming);
}

START_TEST (test_a_second_call_during_a_call_rings_softly)
{
  g_autoptr(Phone) alice = phone_new ("alice");
  g_autoptr(Phone) bob = phone_new ("bob");
  g_autoptr(Phone) carol = phone_new ("carol");
  g_autoptr(BeckonCall) outgoing = NULL;
  g_autoptr(BeckonCall) incoming = NULL;
  g_autoptr(BeckonCall) second = NULL;
  BeckonInCallPage *in_call = beckon_window_get_in_call_page (bob->window);

  start_call (alice, bob, &outgoing, &incoming);
  ck_assert_int_eq (beckon_ringer_get_state (bob->ringer), BECKON_RINGER_SILENT);

  second = g_object_ref (dial (carol, "bob", "urgent"));
  WAIT_UNTIL (beckon_ringer_get_state (bob->ringer) == BECKON_RINGER_RINGING_SOFTLY, 5000,
              "bob's phone ringing softly");
  ck_assert_str_eq (page (bob), "in-call");
  ck_assert_str_eq (beckon_in_call_page_get_waiting_text (in_call), "Call waiting: carol is calling: “urgent”");

  /* Carol gives up: the soft ring and the banner go. */
  g_action_group_activate_action (actions (carol), "cancel", g_variant_new_string (""));
  WAIT_UNTIL (beckon_ringer_get_state (bob->ringer) == BECKON_RINGER_SILENT, 3000, "the soft ring stopping");
  ck_assert (beckon_in_call_page_get_waiting_text (in_call) == NULL);
  ck_assert (beckon_call_is_live (incoming));
}
END_TEST

START_TEST (test_answering_a_waiting_call_hangs_up_the_first)
{
  g_autoptr(Phone) alice = phone_new ("alice");
  g_autoptr(Phone) bob = phone_new ("bob");
  g_autoptr(Phone) carol = phone_new ("carol");
  g_autoptr(BeckonCall) outgoing = NULL;
  g_autoptr(BeckonCall) incoming = NULL;
  g_autoptr(BeckonCall) second = NULL;
  BeckonCall *waiting;

  start_call (alice, bob, &outgoing, &incoming);
  second = g_object_ref (dial (carol, "bob", NULL));
  WAIT_UNTIL (beckon_in_call_page_get_waiting_call (beckon_window_get_in_call_page (bob->window)) != NULL,
              5000, "the call-waiting banner");
  waiting = beckon_in_call_page_get_waiting_call (beckon_window_get_in_call_page (bob->window));

  /* The banner's "Hang Up and Accept" button, through its action. */
  gtk_widget_activate_action (GTK_WIDGET (beckon_window_get_in_call_page (bob->window)),
                              "app.accept", "s", beckon_call_get_id (waiting));
  ck_assert_int_eq (beckon_call_get_state (incoming), BECKON_CALL_STATE_ENDED);
  ck_assert_int_eq (beckon_call_get_end_reason (incoming), BECKON_CALL_END_HANGUP_LOCAL);
  ck_assert (beckon_call_is_live (waiting));
  ck_assert_ptr_eq (beckon_call_page_get_call (BECKON_CALL_PAGE (beckon_window_get_in_call_page (bob->window))), waiting);

  WAIT_UNTIL (beckon_call_get_state (outgoing) == BECKON_CALL_STATE_ENDED, 5000, "alice hearing the hang-up");
  WAIT_UNTIL (beckon_call_get_state (second) >= BECKON_CALL_STATE_CONNECTING, 5000, "carol hearing the answer");
}
END_TEST

START_TEST (test_when_busy_refuse_answers_busy)
{
  g_autoptr(Phone) alice = phone_new ("alice");
  g_autoptr(Phone) bob = phone_new ("bob");
  g_autoptr(Phone) carol = phone_new ("carol");
  g_autoptr(BeckonCall) outgoing = NULL;
  g_autoptr(BeckonCall) incoming = NULL;
  g_autoptr(BeckonCall) second = NULL;

  beckon_call_list_set_refuse_when_busy (bob->calls, TRUE);
  start_call (alice, bob, &outgoing, &incoming);

  second = g_object_ref (dial (carol, "bob", NULL));
  WAIT_UNTIL (beckon_call_get_state (second) == BECKON_CALL_STATE_ENDED, 5000, "carol hearing the refusal");
  ck_assert_int_eq (beckon_call_get_end_reason (second), BECKON_CALL_END_BUSY);
  ck_assert_str_eq (beckon_call_get_response (second), "busy");
  ck_assert_str_eq (beckon_outgoing_page_get_status (beckon_window_get_outgoing_page (carol->window)), "Busy");
  ck_assert_int_eq (beckon_ringer_get_state (bob->ringer), BECKON_RINGER_SILENT);
  ck_assert_int_eq (beckon_history_entry_get_kind (history_entry (bob, 0)), BECKON_HISTORY_KIND_REFUSED);
  ck_assert_str_eq (beckon_history_entry_get_peer_id (history_entry (bob, 0)), "carol");
  ck_assert (beckon_call_is_live (incoming));
}
END_TEST

START_TEST (test_a_lost_connection_is_told_and_comes_back)
{
  g_autoptr(Phone) alice = phone_new ("alice");

  rtm_test_server_stop (server);
  WAIT_UNTIL (g_strcmp0 (beckon_window_get_connection_text (alice->window),
                         "Connection lost, reconnecting…") == 0, 5000,
              "the window saying the connection is lost");
  ck_assert_str_eq (page (alice), "home");  /* still signed in, just waiting */

  rtm_test_server_restart (server);
  WAIT_UNTIL (g_strcmp0 (beckon_window_get_connection_text (alice->window), "Connected as alice") == 0,
              15000, "the window saying it is connected again");
}
END_TEST

START_TEST (test_signing_in_elsewhere_signs_out_in_words)
{
  g_autoptr(Phone) bob = phone_new ("bob");
  g_autoptr(RtmClient) other = NULL;

  ck_assert_str_eq (page (bob), "home");
  other = login (rtm_test_server_get_uri (server), "bob");
  WAIT_UNTIL (g_str_equal (page (bob), "sign-in"), 5000, "bob's window showing the sign-in page");
  ck_assert_str_eq (beckon_window_get_connection_text (bob->window),
                    "Signed out: the same user signed in elsewhere");
  ck_assert_str_eq (beckon_sign_in_page_get_error (beckon_window_get_sign_in_page (bob->window)),
                    "Signed out: the same user signed in elsewhere");
}
END_TEST

/* The application: embedded server, echo service, actions */

static guint16
find_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  ck_assert (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

START_TEST (test_the_app_starts_its_own_server_and_echo_answers)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.beckon.Beckon");
  g_autoptr(BeckonApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u/rtm", find_free_port ());
  BeckonCallList *calls;
  BeckonCall *call;
  BeckonWindow *window;
  BeckonHistory *history;
  GtkWindow *preferences;
  GtkSwitch *echo_switch;
  AdwComboRow *when_busy_row;
  g_autofree char *when_busy = NULL;
  g_auto(GStrv) accels = NULL;
  guint n_before;

  /* Nothing listens at a loopback address: the app serves it itself. */
  g_setenv ("BECKON_RTM_SERVER", g_getenv ("RTM_SERVER_PATH"), TRUE);
  g_setenv ("BECKON_AUDIO_SOURCE", "audiotestsrc is-live=true wave=sine freq=440", TRUE);
  g_setenv ("BECKON_AUDIO_SINK", "fakesink sync=true", TRUE);
  g_settings_set_string (settings, "server-uri", uri);
  g_settings_set_string (settings, "user-id", "tester");

  app = beckon_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  ck_assert_msg (g_application_register (G_APPLICATION (app), NULL, &error),
                 "registering: %s", error ? error->message : "");
  g_application_activate (G_APPLICATION (app));

  calls = beckon_application_get_call_list (app);
  history = beckon_call_list_get_history (calls);
  n_before = g_list_model_get_n_items (G_LIST_MODEL (history));
  WAIT_UNTIL (beckon_call_list_get_client (calls) != NULL &&
              rtm_client_get_connection_state (beckon_call_list_get_client (calls)) == RTM_CONNECTION_STATE_CONNECTED,
              10000, "signing in to the embedded server");
  window = BECKON_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  ck_assert_str_eq (beckon_window_get_page_name (window), "home");
  ck_assert_str_eq (beckon_window_get_connection_text (window), "Connected as tester");

  /* A newcomer can call echo straight away. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "dial", g_variant_new ("(ss)", "echo", ""));
  call = beckon_call_list_get_outgoing_call (calls);
  ck_assert_msg (call != NULL, "app.dial made no call");
  g_object_ref (call);
  WAIT_UNTIL (beckon_call_get_state (call) == BECKON_CALL_STATE_ACTIVE, 15000, "the echo call connecting");
  WAIT_UNTIL (beckon_call_get_output_level (call) > -60, 10000, "hearing the echo");

  g_action_group_activate_action (G_ACTION_GROUP (app), "hangup", g_variant_new_string (""));
  ck_assert_int_eq (beckon_call_get_state (call), BECKON_CALL_STATE_ENDED);
  g_object_unref (call);

  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (history)), n_before + 1);
  ck_assert_str_eq (beckon_history_entry_get_peer_id (history_entry_of (history, 0)), "echo");

  /* Preferences edit the settings the app follows at once. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  preferences = NULL;
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (BECKON_IS_PREFERENCES_WINDOW (l->data))
      preferences = l->data;
  ck_assert_msg (preferences != NULL, "app.preferences showed no preferences window");
  echo_switch = GTK_SWITCH (gtk_widget_get_template_child (GTK_WIDGET (preferences),
                                                           BECKON_TYPE_PREFERENCES_WINDOW, "echo_switch"));
  when_busy_row = ADW_COMBO_ROW (gtk_widget_get_template_child (GTK_WIDGET (preferences),
                                                                BECKON_TYPE_PREFERENCES_WINDOW, "when_busy_row"));
  ck_assert (gtk_switch_get_active (echo_switch));
  gtk_switch_set_active (echo_switch, FALSE);
  ck_assert (!g_settings_get_boolean (settings, "echo-cancel"));
  ck_assert (!beckon_call_list_get_refuse_when_busy (calls));
  adw_combo_row_set_selected (when_busy_row, 1);
  when_busy = g_settings_get_string (settings, "when-busy");
  ck_assert_str_eq (when_busy, "refuse");
  ck_assert (beckon_call_list_get_refuse_when_busy (calls));
  gtk_window_destroy (GTK_WINDOW (preferences));

  /* Shortcuts: the accelerators and the shortcuts window. */
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.mute");
  ck_assert_str_eq (accels[0], "<Control>m");
  ck_assert (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)) != NULL);
  g_action_group_activate_action (G_ACTION_GROUP (app), "shortcuts", NULL);
  ck_assert (gtk_widget_get_visible (GTK_WIDGET (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)))));

  g_action_group_activate_action (G_ACTION_GROUP (app), "sign-out", NULL);
  ck_assert (beckon_call_list_get_client (calls) == NULL);
  WAIT_UNTIL (g_str_equal (beckon_window_get_page_name (window), "sign-in"), 5000,
              "the window showing the sign-in page");
  ck_assert_str_eq (beckon_window_get_connection_text (window), "Signed out");
  gtk_window_destroy (GTK_WINDOW (window));
}
END_TEST

/* A stand-in for the desktop's notification server (the real protocol,
 * org.freedesktop.Notifications, on the test's session bus). */

static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "  </interface>"
  "</node>";

typedef struct
{
  char     *title;
  GStrv     actions;
  guint     n_notified;
  guint     n_closed;
  gboolean  owned;
} Notifications;

static void
on_notifications_call (GDBusConnection       *connection,
                       const char            *sender,
                       const char            *path,
                       const char            *interface,
                       const char            *method,
                       GVariant              *parameters,
                       GDBusMethodInvocation *invocation,
                       gpointer               user_data)
{
  Notifications *notifications = user_data;

  if (g_str_equal (method, "Notify"))
    {
      const char *title;

      g_clear_pointer (&notifications->title, g_free);
      g_clear_pointer (&notifications->actions, g_strfreev);
      g_variant_get (parameters, "(&su&s&s&s^as@a{sv}i)", NULL, NULL, NULL, &title, NULL,
                     &notifications->actions, NULL, NULL);
      notifications->title = g_strdup (title);
      notifications->n_notified++;
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", 7));
    }
  else
    {
      notifications->n_closed++;
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
}

static void
on_notifications_name_acquired (GDBusConnection *connection,
                                const char      *name,
                                gpointer         user_data)
{
  ((Notifications *) user_data)->owned = TRUE;
}

START_TEST (test_a_call_to_an_unfocused_window_notifies_and_answers_from_there)
{
  static const GDBusInterfaceVTable vtable = { on_notifications_call };
  g_autoptr(GSettings) settings = g_settings_new ("io.github.beckon.Beckon");
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(BeckonApplication) app = NULL;
  g_autoptr(RtmClient) caller = NULL;
  g_autoptr(RtmLocalInvitation) invitation = NULL;
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u/rtm", find_free_port ());
  g_autofree char *accept = NULL;
  Notifications notifications = { NULL };
  BeckonCallList *calls;
  BeckonCall *call;
  GtkWindow *window;
  guint object_id;
  guint name_id;

  ck_assert_msg (bus != NULL, "no session bus (run under dbus-run-session)");
  object_id = g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                                 node->interfaces[0], &vtable, &notifications,
                                                 NULL, NULL);
  name_id = g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications",
                                          G_BUS_NAME_OWNER_FLAGS_REPLACE,
                                          on_notifications_name_acquired, NULL, &notifications, NULL);
  WAIT_UNTIL (notifications.owned, 5000, "owning org.freedesktop.Notifications");

  g_setenv ("BECKON_RTM_SERVER", g_getenv ("RTM_SERVER_PATH"), TRUE);
  g_setenv ("BECKON_AUDIO_SOURCE", "audiotestsrc is-live=true wave=sine freq=440", TRUE);
  g_setenv ("BECKON_AUDIO_SINK", "fakesink sync=true", TRUE);
  g_settings_set_string (settings, "server-uri", uri);
  g_settings_set_string (settings, "user-id", "tester");

  app = beckon_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  ck_assert (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  calls = beckon_application_get_call_list (app);
  WAIT_UNTIL (beckon_call_list_get_client (calls) != NULL &&
              rtm_client_get_connection_state (beckon_call_list_get_client (calls)) == RTM_CONNECTION_STATE_CONNECTED,
              10000, "signing in to the embedded server");

  /* The user looks elsewhere. */
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);

  caller = login (uri, "carol");
  invitation = rtm_call_manager_create_local_invitation (rtm_client_get_call_manager (caller), "tester");
  rtm_local_invitation_set_content (invitation, "are you there?");
  rtm_local_invitation_set_channel_id (invitation, "notification-test");
  rtm_call_manager_send_local_invitation_async (rtm_client_get_call_manager (caller), invitation,
                                                NULL, NULL, NULL);

  WAIT_UNTIL (notifications.n_notified == 1, 5000, "a desktop notification");
  ck_assert_str_eq (notifications.title, "carol is calling");
  call = beckon_call_list_get_incoming_call (calls);
  ck_assert (call != NULL);
  accept = g_strdup_printf ("app.accept::%s", beckon_call_get_id (call));
  ck_assert_uint_eq (g_strv_length (notifications.actions), 4);
  ck_assert (g_strv_contains ((const char * const *) notifications.actions, accept));
  ck_assert (g_strv_contains ((const char * const *) notifications.actions, "Accept"));
  ck_assert (g_strv_contains ((const char * const *) notifications.actions, "Decline"));

  /* The user presses Accept in the notification. */
  g_object_ref (call);
  g_dbus_connection_emit_signal (bus, NULL, "/org/freedesktop/Notifications",
                                 "org.freedesktop.Notifications", "ActionInvoked",
                                 g_variant_new ("(us)", 7, accept), NULL);
  WAIT_UNTIL (beckon_call_get_state (call) >= BECKON_CALL_STATE_CONNECTING, 5000,
              "the call answered from the notification");
  WAIT_UNTIL (rtm_local_invitation_get_state (invitation) == RTM_LOCAL_INVITATION_STATE_ACCEPTED_BY_REMOTE,
              5000, "carol hearing the answer");
  ck_assert_msg (gtk_widget_get_visible (GTK_WIDGET (window)), "the window stayed hidden after answering");
  ck_assert_str_eq (beckon_window_get_page_name (BECKON_WINDOW (window)), "in-call");

  beckon_call_hang_up (call);
  g_object_unref (call);

  beckon_application_sign_out (app);
  gtk_window_destroy (window);
  g_bus_unown_name (name_id);
  g_dbus_connection_unregister_object (bus, object_id);
  g_free (notifications.title);
  g_strfreev (notifications.actions);
}
END_TEST

/* Window size and maximized state */

/* Each start is a whole g_application_run (), as `beckon` does: app.quit
 * shuts the app down and takes it off the bus, as the process exiting
 * would. GSETTINGS_BACKEND=memory keeps the settings for the rest of this
 * (forked) test process, as dconf keeps them between runs. */

typedef struct
{
  BeckonApplication *app;
  void             (*session) (BeckonApplication *app,
                               GtkWindow         *window,
                               gpointer           user_data);
  gpointer           user_data;
} AppRun;

static gboolean
run_session (gpointer user_data)
{
  AppRun *run = user_data;
  BeckonCallList *calls = beckon_application_get_call_list (run->app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (run->app));

  ck_assert_msg (BECKON_IS_WINDOW (window), "the app shows no main window");
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)), 5000, "the window mapping");
  WAIT_UNTIL (beckon_call_list_get_client (calls) != NULL &&
              rtm_client_get_connection_state (beckon_call_list_get_client (calls)) == RTM_CONNECTION_STATE_CONNECTED,
              10000, "signing in");
  run->session (run->app, window, run->user_data);

  /* As the user quits (Ctrl+Q, or the menu): app.quit closes the window. */
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);

  return G_SOURCE_REMOVE;
}

static void
on_app_activated (GApplication *app,
                  AppRun       *run)
{
  g_idle_add (run_session, run);
}

/* The app's startup calls g_set_application_name (): once per process
 * for `beckon`, once per run here. Every other warning stays fatal. */
static gboolean
tolerate_renaming (const char     *log_domain,
                   GLogLevelFlags  log_level,
                   const char     *message,
                   gpointer        user_data)
{
  return !(g_strcmp0 (log_domain, "GLib") == 0 &&
           g_strcmp0 (message, "g_set_application_name() called multiple times") == 0);
}

/* Starts the app, runs SESSION once its window shows and it has signed in,
 * then quits it. */
static void
run_app (void   (*session) (BeckonApplication *app,
                            GtkWindow         *window,
                            gpointer           user_data),
         gpointer user_data)
{
  AppRun run = { beckon_application_new (), session, user_data };
  gpointer app = run.app;

  g_test_log_set_fatal_handler (tolerate_renaming, NULL);
  g_application_set_flags (G_APPLICATION (run.app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (run.app, "activate", G_CALLBACK (on_app_activated), &run);
  ck_assert_int_eq (g_application_run (G_APPLICATION (run.app), 0, NULL), EXIT_SUCCESS);

  /* Gone for good, so the next start is the default application again. */
  g_object_add_weak_pointer (G_OBJECT (app), &app);
  g_object_unref (run.app);
  ck_assert_msg (app == NULL, "the application outlived its run");
}

typedef struct
{
  int width;
  int height;
  int inner_width;   /* the window's allocation, inside its frame */
  int inner_height;
} WindowSize;

/* A user drags the window to 613×777: the window manager resizes the X
 * window, as XResizeWindow does here (Xvfb runs no window manager). */
static void
resize (BeckonApplication *app,
        GtkWindow         *window,
        gpointer           user_data)
{
  WindowSize *size = user_data;
  int initial_width = gtk_widget_get_width (GTK_WIDGET (window));
  int width;
  int height;

#ifdef GDK_WINDOWING_X11
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  if (GDK_IS_X11_SURFACE (surface))
    XResizeWindow (gdk_x11_display_get_xdisplay (gdk_surface_get_display (surface)),
                   gdk_x11_surface_get_xid (surface), size->width, size->height);
  else
#endif
    gtk_window_set_default_size (window, size->width, size->height);

  WAIT_UNTIL ((gtk_window_get_default_size (window, &width, &height),
               width == size->width && height == size->height) &&
              gtk_widget_get_width (GTK_WIDGET (window)) != initial_width,
              5000, "the window taking its new size");
  size->inner_width = gtk_widget_get_width (GTK_WIDGET (window));
  size->inner_height = gtk_widget_get_height (GTK_WIDGET (window));
  ck_assert (!gtk_window_is_maximized (window));
}

static void
expect_size (BeckonApplication *app,
             GtkWindow         *window,
             gpointer           user_data)
{
  WindowSize *size = user_data;
  int width;
  int height;

  gtk_window_get_default_size (window, &width, &height);
  ck_assert_int_eq (width, size->width);
  ck_assert_int_eq (height, size->height);
  WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (window)) == size->inner_width &&
              gtk_widget_get_height (GTK_WIDGET (window)) == size->inner_height,
              5000, "the window showing at its remembered size");
  ck_assert (!gtk_window_is_maximized (window));
}

static void
expect_maximized (BeckonApplication *app,
                  GtkWindow         *window,
                  gpointer           user_data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.beckon.Beckon");

  ck_assert_msg (gtk_window_is_maximized (window), "the window did not start maximized");

  /* Only the next start reads the setting: clear it, so that what the
   * close leaves there was written by the close. */
  g_settings_set_boolean (settings, "window-maximized", FALSE);
}

START_TEST (test_the_window_size_survives_a_restart)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.beckon.Beckon");
  WindowSize size = { 613, 777 };

  g_settings_set_string (settings, "server-uri", rtm_test_server_get_uri (server));
  g_settings_set_string (settings, "user-id", "tester");

  run_app (resize, &size);
  ck_assert_int_eq (g_settings_get_int (settings, "window-width"), 613);
  ck_assert_int_eq (g_settings_get_int (settings, "window-height"), 777);
  ck_assert (!g_settings_get_boolean (settings, "window-maximized"));

  run_app (expect_size, &size);

  /* Without a window manager, gtk_window_maximize () on a shown window
   * asks for nothing that ever happens: gtk_window_is_maximized () stays
   * FALSE under Xvfb. A window the app maximizes before showing it is
   * maximized at once, so the test starts from a session that ended
   * maximized: the next start maximizes, and closing it says so again. */
  g_settings_set_boolean (settings, "window-maximized", TRUE);
  run_app (expect_maximized, NULL);
  ck_assert (g_settings_get_boolean (settings, "window-maximized"));
  ck_assert_int_eq (g_settings_get_int (settings, "window-width"), 613);
  ck_assert_int_eq (g_settings_get_int (settings, "window-height"), 777);
}
END_TEST

static Suite *
app_suite (void)
{
  Suite *suite = suite_create ("app");
  TCase *tc;

  tc = tcase_create ("history");
  tcase_add_checked_fixture (tc, setup_gtk_only, teardown);
  tcase_add_test (tc, test_history_survives_a_restart);
  tcase_add_test (tc, test_history_clear_empties_it_for_good);
  tcase_add_test (tc, test_history_survives_a_damaged_file);
  tcase_add_test (tc, test_history_recent_peers_are_distinct_and_newest_first);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("pages");
  tcase_add_checked_fixture (tc, setup_gtk_only, teardown);
  tcase_add_test (tc, test_sign_in_page_wants_a_server_and_a_valid_user_id);
  tcase_add_test (tc, test_history_page_shows_each_call_in_words);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("pages-follow-calls");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_outgoing_and_incoming_pages_follow_the_invitation);
  tcase_add_test (tc, test_a_refusal_is_told_in_the_peers_words);
  tcase_add_test (tc, test_calling_an_offline_peer_says_so);
  tcase_add_test (tc, test_a_bad_user_id_is_refused_in_words);
  tcase_add_test (tc, test_dial_page_shows_presence_as_you_type);
  tcase_add_test (tc, test_signing_in_elsewhere_signs_out_in_words);
  tcase_add_test (tc, test_a_lost_connection_is_told_and_comes_back);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("calls");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_a_whole_call_through_actions);
  tcase_add_test (tc, test_cancel_stops_the_ringing_at_once);
  tcase_add_test (tc, test_cancelling_at_once_never_leaves_the_peer_ringing);
  tcase_add_test (tc, test_an_unanswered_call_expires_into_a_missed_call);
  tcase_add_test (tc, test_the_history_survives_restarting_the_app);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("ringer");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 45);
  tcase_add_test (tc, test_a_second_call_during_a_call_rings_softly);
  tcase_add_test (tc, test_when_busy_refuse_answers_busy);
  tcase_add_test (tc, test_answering_a_waiting_call_hangs_up_the_first);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("application");
  tcase_add_checked_fixture (tc, setup_gtk_only, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_the_app_starts_its_own_server_and_echo_answers);
  tcase_add_test (tc, test_a_call_to_an_unfocused_window_notifies_and_answers_from_there);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("window-state");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_the_window_size_survives_a_restart);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  SRunner *runner = srunner_create (app_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);

  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
