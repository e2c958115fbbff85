/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * beckon-screenshots OUTDIR: drives real calls between two windows on a
 * real rtm-server and saves PNGs of the main pages (sign-in, dial,
 * outgoing, incoming, in-call, history). Set GSK_RENDERER=cairo for
 * stable pixels; needs a display (xvfb-run) and $RTM_SERVER_PATH.
 */
#define G_LOG_DOMAIN "beckon-screenshots"

#include <check.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "app-test-display.h"
#include "beckon-call-list.h"
#include "beckon-history.h"
#include "beckon-ringer.h"
#include "beckon-window.h"
#include "rtm-test-server.h"

#define TIMEOUT_MS 20000

typedef struct
{
  RtmClient      *client;
  BeckonHistory  *history;
  BeckonCallList *calls;
  BeckonRinger   *ringer;
  BeckonWindow   *window;
} Phone;

static gboolean
on_wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
run_for (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  guint wake = g_timeout_add (10, on_wake, NULL);

  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

#define WAIT_UNTIL(expr, what)                                                   \
  G_STMT_START {                                                                 \
    gint64 deadline_ = g_get_monotonic_time () + (gint64) TIMEOUT_MS * 1000;     \
    guint wake_ = g_timeout_add (10, on_wake, NULL);                             \
    while (!(expr))                                                              \
      {                                                                          \
        if (g_get_monotonic_time () > deadline_)                                 \
          g_error ("%s never happened", (what));                                 \
        g_main_context_iteration (NULL, TRUE);                                   \
      }                                                                          \
    g_source_remove (wake_);                                                     \
  } G_STMT_END

static void
on_login (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  if (!rtm_client_login_finish (RTM_CLIENT (object), result, &error))
    g_error ("login: %s", error->message);
  *done = TRUE;
}

static Phone *
phone_new (const char *uri,
           const char *user_id,
           const char *dir)
{
  Phone *phone = g_new0 (Phone, 1);
  g_autofree char *path = g_build_filename (dir, user_id, "history.json", NULL);
  gboolean done = FALSE;

  if (uri != NULL)
    {
      phone->client = rtm_client_new (uri);
      rtm_client_login_async (phone->client, user_id, NULL, NULL, on_login, &done);
      WAIT_UNTIL (done, "login");
    }

  phone->history = beckon_history_new (path);
  phone->calls = beckon_call_list_new (phone->client, phone->history);
  beckon_call_list_set_audio (phone->calls,
                              "audiotestsrc is-live=true wave=sine freq=440 volume=0.5",
                              "fakesink sync=true");
  phone->ringer = beckon_ringer_new (phone->calls);
  beckon_ringer_set_sink_description (phone->ringer, "fakesink sync=true");
  phone->window = beckon_window_new (NULL, phone->calls);
  gtk_window_set_default_size (GTK_WINDOW (phone->window), 420, 720);
  gtk_window_present (GTK_WINDOW (phone->window));

  return phone;
}

static void
phone_free (Phone *phone)
{
  gtk_window_destroy (GTK_WINDOW (phone->window));
  g_clear_object (&phone->ringer);
  g_clear_object (&phone->calls);
  g_clear_object (&phone->history);
  g_clear_object (&phone->client);
  g_free (phone);
}

static void
save (Phone      *phone,
      const char *outdir,
      const char *name)
{
  GtkWidget *widget = GTK_WIDGET (phone->window);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strdup_printf ("%s.png", name);
  g_autofree char *path = g_build_filename (outdir, file, NULL);
  GskRenderer *renderer;
  int width;
  int height;

  /* Let transitions finish and the frame clock draw. */
  run_for (600);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);

  /* A widget waiting for its next allocation (the call timer changes the
   * layout every second) draws nothing: try again a frame later. */
  for (guint attempt = 0; node == NULL && attempt < 50; attempt++)
    {
      if (attempt > 0)
        run_for (20);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  if (node == NULL)
    g_error ("%s: nothing was drawn", name);

  renderer = gtk_native_get_renderer (GTK_NATIVE (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("cannot write %s", path);

  g_print ("%s (%dx%d)\n", path, width, height);
}

static void
add_entry (BeckonHistory     *history,
           const char        *peer,
           BeckonHistoryKind  kind,
           gboolean           outgoing,
           int                minutes_ago,
           gint64             duration,
           const char        *detail)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) time = g_date_time_add_minutes (now, -minutes_ago);
  g_autoptr(BeckonHistoryEntry) entry = beckon_history_entry_new (peer, kind, outgoing, time,
                                                                  duration, detail);

  beckon_history_add (history, entry);
}

static const char *outdir;

/* rtm-test-server reports through check, so the tour runs as one test. */
START_TEST (take_screenshots)
{
  g_autoptr(RtmTestServer) server = NULL;
  g_autofree char *tmpdir = NULL;
  g_autoptr(GtkCssProvider) css = NULL;
  Phone *alice;
  Phone *bob;
  Phone *signed_out;
  BeckonCall *outgoing;
  BeckonCall *incoming;

  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/beckon/Beckon/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  tmpdir = g_dir_make_tmp ("beckon-shots-XXXXXX", NULL);
  server = rtm_test_server_start (NULL);

  /* Sign-in: a first start with nothing remembered. */
  signed_out = phone_new (NULL, "newcomer", tmpdir);
  beckon_sign_in_page_set_server_uri (beckon_window_get_sign_in_page (signed_out->window),
                                      "ws://127.0.0.1:7600/rtm");
  beckon_sign_in_page_set_user_id (beckon_window_get_sign_in_page (signed_out->window), "alice");
  save (signed_out, outdir, "sign-in");
  phone_free (signed_out);

  alice = phone_new (rtm_test_server_get_uri (server), "alice", tmpdir);
  bob = phone_new (rtm_test_server_get_uri (server), "bob", tmpdir);

  add_entry (alice->history, "dave", BECKON_HISTORY_KIND_REFUSED, TRUE, 600, 0, "Busy");
  add_entry (alice->history, "erin", BECKON_HISTORY_KIND_OUTGOING, TRUE, 300, 312, "Call ended");
  add_entry (alice->history, "carol", BECKON_HISTORY_KIND_MISSED, FALSE, 45, 0, "Missed call");
  add_entry (alice->history, "echo", BECKON_HISTORY_KIND_OUTGOING, TRUE, 20, 18, "Call ended");

  /* Dial, with bob's presence shown as typed. */
  beckon_dial_page_set_peer_id (beckon_window_get_dial_page (alice->window), "bob");
  beckon_dial_page_set_content (beckon_window_get_dial_page (alice->window), "Lunch at noon?");
  WAIT_UNTIL (beckon_dial_page_get_presence_text (beckon_window_get_dial_page (alice->window)) != NULL,
              "bob's presence");
  save (alice, outdir, "dial");

  beckon_dial_page_call (beckon_window_get_dial_page (alice->window));
  outgoing = beckon_call_list_get_outgoing_call (alice->calls);
  if (outgoing == NULL)
    g_error ("dialling made no call");
  WAIT_UNTIL (beckon_call_get_state (outgoing) == BECKON_CALL_STATE_ALERTING, "ringing at bob's");
  save (alice, outdir, "outgoing");
  save (bob, outdir, "incoming");

  incoming = beckon_call_list_get_incoming_call (bob->calls);
  beckon_call_list_accept (bob->calls, incoming);
  WAIT_UNTIL (beckon_call_get_state (outgoing) == BECKON_CALL_STATE_ACTIVE, "audio flowing");
  WAIT_UNTIL (beckon_call_get_duration (outgoing) >= 3, "three seconds of call");
  save (alice, outdir, "in-call");

  beckon_call_hang_up (outgoing);
  WAIT_UNTIL (g_str_equal (beckon_window_get_page_name (alice->window), "home"), "alice's window home");
  beckon_window_show_history (alice->window);
  save (alice, outdir, "history");

  phone_free (bob);
  phone_free (alice);
}
END_TEST

int
main (int   argc,
      char *argv[])
{
  Suite *suite;
  TCase *tc;
  SRunner *runner;
  int failed;

  if (argc != 2)
    {
      g_printerr ("Usage: %s OUTDIR\n", argv[0]);
      return 2;
    }
  outdir = argv[1];
  if (g_mkdir_with_parents (outdir, 0755) != 0)
    g_error ("cannot make %s", outdir);

  if (!app_test_init_gtk ())
    g_error ("cannot open the display %s", g_getenv ("DISPLAY"));
  adw_init ();
  gst_init (&argc, &argv);

  suite = suite_create ("screenshots");
  tc = tcase_create ("tour");
  tcase_set_timeout (tc, 90);
  tcase_add_test (tc, take_screenshots);
  suite_add_tcase (suite, tc);

  runner = srunner_create (suite);
  srunner_set_fork_status (runner, CK_NOFORK);
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);

  return failed == 0 ? 0 : 1;
}
