/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * voice-bench: N calls between two RtmClients over a real rtm-server on
 * loopback, one after the other. For each it measures
 *   - accept → first decoded audio, at the caller and at the callee
 *     (from the moment the callee accepts the invitation);
 *   - mouth to ear: an impulse put into the caller's source at a known
 *     time, detected where a speaker would play it (a synced appsink),
 *     and, for comparison, where it leaves the decoder;
 *   - CPU of the process in steady state, divided by the two endpoints;
 *   - resident memory added per session.
 * and prints the median and p90 of each.
 *
 *   voice-bench [--calls N] [--latency MS] [--echo-cancel] [--settle MS]
 *
 * RTM_SERVER_PATH names the rtm-server binary (default: the one built
 * beside this benchmark).
 */
#include <check.h>
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "beckon-voice-session.h"
#include "rtm-test-server.h"
#include "voice-test-common.h"

static int n_calls = 20;
static int latency = 30;
static gboolean echo_cancel = FALSE;
static int settle_ms = 2000;


typedef struct {
  VoiceMeter *meter;
  VoiceMeter *ear;        /* nullable: a second meter, on a synced sink */
  const char *source;
  GstElement *source_element;
} Side;

/* tee ! queue ! appsink (decoder out) and tee ! queue ! appsink sync=true (ear) */
static GstElement *
make_two_sinks (VoiceMeter *decoded,
                VoiceMeter *ear)
{
  GstElement *bin = gst_bin_new (NULL);
  GstElement *tee = gst_element_factory_make ("tee", NULL);
  GstElement *q1 = gst_element_factory_make ("queue", NULL);
  GstElement *q2 = gst_element_factory_make ("queue", NULL);
  GstElement *s1 = voice_meter_make_sink_full (decoded, FALSE);
  GstElement *s2 = voice_meter_make_sink_full (ear, TRUE);
  g_autoptr(GstPad) pad = NULL;

  gst_bin_add_many (GST_BIN (bin), tee, q1, q2, s1, s2, NULL);
  gst_element_link_many (tee, q1, s1, NULL);
  gst_element_link_many (tee, q2, s2, NULL);
  pad = gst_element_get_static_pad (tee, "sink");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", pad));
  return bin;
}

static void
configure (BeckonVoiceSession *session,
           gpointer            user_data)
{
  Side *side = user_data;

  g_object_set (session,
                "sink-element", side->ear != NULL ? make_two_sinks (side->meter, side->ear)
                                                  : voice_meter_make_sink (side->meter),
                "latency", (guint) latency,
                "echo-cancel", echo_cancel,
                NULL);
  if (side->source_element != NULL)
    g_object_set (session, "source-element", side->source_element, NULL);
  else
    g_object_set (session, "source-description", side->source, NULL);
}

/* The caller's microphone: a quiet tone, and on request one 10 ms burst
 * at 0.9 full scale. The probe sees each 10 ms buffer when the live
 * source has finished capturing it, so its first sample left the "mouth"
 * one buffer earlier. */
static gint inject;
static gint64 injected_at;

static GstPadProbeReturn
on_source_buffer (GstPad          *pad,
                  GstPadProbeInfo *info,
                  gpointer         user_data)
{
  GstBuffer *buffer;
  GstMapInfo map;

  if (!g_atomic_int_compare_and_exchange (&inject, 1, 0))
    return GST_PAD_PROBE_OK;

  buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  if (gst_buffer_map (buffer, &map, GST_MAP_WRITE))
    {
      gint16 *samples = (gint16 *) map.data;
      gsize n = map.size / 2;

      for (gsize i = 0; i < n; i++)
        samples[i] = (i / 24) % 2 ? -29491 : 29491;  /* 1 kHz square */
      gst_buffer_unmap (buffer, &map);
      injected_at = g_get_monotonic_time () -
                    (gint64) (n * G_USEC_PER_SEC / 48000);
    }
  return GST_PAD_PROBE_OK;
}

static GstElement *
make_impulse_source (void)
{
  g_autoptr(GError) error = NULL;
  GstElement *bin = gst_parse_bin_from_description (
    "audiotestsrc is-live=true freq=440 volume=0.05 samplesperbuffer=480 name=tone"
    " ! capsfilter caps=audio/x-raw,format=S16LE,rate=48000,channels=1", TRUE, &error);
  g_autoptr(GstElement) tone = NULL;
  g_autoptr(GstPad) pad = NULL;

  if (bin == NULL)
    g_error ("cannot make the impulse source: %s", error->message);
  tone = gst_bin_get_by_name (GST_BIN (bin), "tone");
  pad = gst_element_get_static_pad (tone, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_source_buffer, NULL, NULL);
  return bin;
}

static gint64 accepted_at;
static gint64 lost_total;

static void
on_statistics (BeckonVoiceSession *session,
               double              rtt_ms,
               double              jitter_ms,
               gint64              lost,
               double              kbps,
               gpointer            user_data)
{
  *(gint64 *) user_data = lost;
}

static void
on_invitation (RtmCallManager      *manager,
               RtmRemoteInvitation *invitation,
               gpointer             user_data)
{
  /* Connected before the answering helper's handler: it accepts right after. */
  accepted_at = g_get_monotonic_time ();
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static double
rss_kib (void)
{
  g_autofree char *statm = NULL;
  long pages_total = 0, pages_resident = 0;

  if (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    sscanf (statm, "%ld %ld", &pages_total, &pages_resident);
  return pages_resident * (sysconf (_SC_PAGESIZE) / 1024.0);
}

static void
wait_until (gint64 (*get) (VoiceMeter *), VoiceMeter *meter, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  while (get (meter) == 0 && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (500);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
report (const char *what,
        const char *unit,
        GArray     *values)
{
  double median, p90;

  if (values->len == 0)
    {
      printf ("%-38s no samples\n", what);
      return;
    }
  g_array_sort (values, compare_doubles);
  median = g_array_index (values, double, values->len / 2);
  p90 = g_array_index (values, double, MIN (values->len - 1, (guint) (values->len * 0.9)));
  printf ("%-38s median %7.1f %-4s p90 %7.1f %-4s (n=%u)\n", what, median, unit, p90, unit, values->len);
}

static void run_bench (void);

/* The helpers shared with the voice suite report through check, so the
 * benchmark runs as one check test, in this process. */
START_TEST (test_bench)
{
  run_bench ();
}
END_TEST

int
main (int    argc,
      char **argv)
{
  GOptionEntry entries[] = {
    { "calls", 0, 0, G_OPTION_ARG_INT, &n_calls, "Calls to make (20)", "N" },
    { "latency", 0, 0, G_OPTION_ARG_INT, &latency, "Jitter buffer in ms (30, the default)", "MS" },
    { "echo-cancel", 0, 0, G_OPTION_ARG_NONE, &echo_cancel, "Run webrtcdsp as a real call would", NULL },
    { "settle", 0, 0, G_OPTION_ARG_INT, &settle_ms, "Steady-state window for CPU, ms (2000)", "MS" },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new ("- measure Beckon voice calls on loopback");
  g_autoptr(GError) error = NULL;
  Suite *suite;
  TCase *tc;
  SRunner *runner;
  int failed;

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (g_getenv ("RTM_SERVER_PATH") == NULL)
    g_setenv ("RTM_SERVER_PATH", RTM_SERVER_BUILT_PATH, TRUE);
  gst_init (&argc, &argv);

  suite = suite_create ("voice-bench");
  tc = tcase_create ("bench");
  tcase_set_timeout (tc, 3600);
  tcase_add_test (tc, test_bench);
  suite_add_tcase (suite, tc);
  runner = srunner_create (suite);
  srunner_set_fork_status (runner, CK_NOFORK);
  srunner_run_all (runner, CK_SILENT);
  failed = srunner_ntests_failed (runner);
  if (failed > 0)
    {
      TestResult **results = srunner_failures (runner);

      fprintf (stderr, "voice-bench failed: %s\n", tr_msg (results[0]));
      free (results);
    }
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}

static void
run_bench (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RtmClient) alice = NULL;
  g_autoptr(RtmClient) bob = NULL;
  RtmTestServer *server;
  GArray *caller_first = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *callee_first = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *mouth_to_ear = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *mouth_to_decoder = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *cpu = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *memory = g_array_new (FALSE, FALSE, sizeof (double));
  gint64 prepare_start;

  prepare_start = g_get_monotonic_time ();
  if (!beckon_voice_prepare (&error))
    g_error ("%s", error->message);
  printf ("DTLS certificate made in %.1f ms (beckon_voice_prepare)\n",
          (g_get_monotonic_time () - prepare_start) / 1000.0);

  server = rtm_test_server_start (NULL);
  alice = voice_test_login (rtm_test_server_get_uri (server), "alice");
  bob = voice_test_login (rtm_test_server_get_uri (server), "bob");
  g_signal_connect (rtm_client_get_call_manager (bob), "remote-invitation-received",
                    G_CALLBACK (on_invitation), NULL);

  printf ("%d calls on loopback, latency %d ms, echo cancellation %s\n",
          n_calls, latency, echo_cancel ? "on" : "off");

  /* Call 0 warms up (plugins load, first allocations) and is not counted. */
  for (int i = 0; i <= n_calls; i++)
    {
      g_autoptr(VoiceMeter) alice_meter = voice_meter_new ();
      g_autoptr(VoiceMeter) bob_meter = voice_meter_new ();
      g_autoptr(VoiceMeter) bob_ear = voice_meter_new ();
      Side alice_side = { alice_meter, NULL, NULL, make_impulse_source () };
      Side bob_side = { bob_meter, bob_ear, "audiotestsrc is-live=true freq=660 volume=0.05", NULL };
      g_autoptr(BeckonVoiceSession) alice_call = NULL;
      g_autoptr(BeckonVoiceSession) bob_call = NULL;
      g_autofree char *channel = g_strdup_printf ("bench-%d", i);
      double rss_before = rss_kib (), rss_during, cpu_before, cpu_after;
      gint64 wall_before, wall_after, heard, decoded;

      voice_test_answer_next (bob, configure, &bob_side, &bob_call);
      alice_call = voice_test_invite (alice, "bob", channel, configure, &alice_side, 5000);
      gint64 lost_here = 0;

      voice_test_wait_state (alice_call, BECKON_VOICE_STATE_CONNECTED, 10000, "the caller's connection");
      while (bob_call == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_signal_connect (bob_call, "statistics", G_CALLBACK (on_statistics), &lost_here);
      wait_until (voice_meter_get_first_sound_time, alice_meter, 5000);
      wait_until (voice_meter_get_first_sound_time, bob_meter, 5000);
      if (i > 0)
        {
          double a = (voice_meter_get_first_sound_time (alice_meter) - accepted_at) / 1000.0;
          double b = (voice_meter_get_first_sound_time (bob_meter) - accepted_at) / 1000.0;

          g_array_append_val (caller_first, a);
          g_array_append_val (callee_first, b);
        }

      /* Steady state; the wait also gives the ear 100 ms of quiet before the impulse. */
      rtm_test_run_for (500);
      cpu_before = cpu_seconds ();
      wall_before = g_get_monotonic_time ();
      rtm_test_run_for (settle_ms);
      cpu_after = cpu_seconds ();
      wall_after = g_get_monotonic_time ();
      rss_during = rss_kib ();

      voice_meter_reset (bob_meter);
      voice_meter_reset (bob_ear);
      g_atomic_int_set (&inject, 1);
      wait_until (voice_meter_get_impulse_time, bob_ear, 2000);
      heard = voice_meter_get_impulse_time (bob_ear);
      decoded = voice_meter_get_impulse_time (bob_meter);

      if (i > 0)
        {
          double per_endpoint = (cpu_after - cpu_before) / (wall_after - wall_before) * 1e6 / 2.0 * 100.0;
          double per_session = (rss_during - rss_before) / 2.0;

          g_array_append_val (cpu, per_endpoint);
          g_array_append_val (memory, per_session);
          if (heard != 0)
            {
              double m2e = (heard - injected_at) / 1000.0;

              g_array_append_val (mouth_to_ear, m2e);
            }
          if (decoded != 0)
            {
              double m2d = (decoded - injected_at) / 1000.0;

              g_array_append_val (mouth_to_decoder, m2d);
            }
          else
            {
              printf ("call %d: the impulse never arrived (peak %d)\n", i, voice_meter_get_peak (bob_ear));
            }
          printf ("call %2d: first audio caller %.0f ms, callee %.0f ms; mouth-to-ear %.0f ms; "
                  "CPU %.1f %%/endpoint; %+.0f KiB/session\n", i,
                  g_array_index (caller_first, double, caller_first->len - 1),
                  g_array_index (callee_first, double, callee_first->len - 1),
                  heard ? (heard - injected_at) / 1000.0 : -1.0, per_endpoint,
                  per_session);
          fflush (stdout);
        }

      if (i > 0)
        lost_total += lost_here;
      g_signal_handlers_disconnect_by_data (bob_call, &lost_here);
      beckon_voice_session_hangup (alice_call);
      voice_test_wait_state (bob_call, BECKON_VOICE_STATE_ENDED, 2000, "the callee's end");
      rtm_test_run_for (200);
    }

  printf ("\n");
  report ("accept -> first audio, caller", "ms", caller_first);
  report ("accept -> first audio, callee", "ms", callee_first);
  report ("mouth-to-ear (caller -> callee)", "ms", mouth_to_ear);
  report ("mouth-to-decoder-out (caller -> callee)", "ms", mouth_to_decoder);
  report ("CPU per endpoint, steady state", "%", cpu);
  report ("memory per session (RSS)", "KiB", memory);
  printf ("%-38s %" G_GINT64_FORMAT " over all calls (webrtcbin statistics)\n",
          "packets lost, caller -> callee", lost_total);

  g_array_unref (caller_first);
  g_array_unref (callee_first);
  g_array_unref (mouth_to_ear);
  g_array_unref (mouth_to_decoder);
  g_array_unref (cpu);
  g_array_unref (memory);
  rtm_test_server_free (server);
}
