/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rtm-bench: a load generator for rtm-server (issue 2, section 6).
 *
 * It holds every client in this one process on raw libsoup WebSocket
 * connections and speaks the wire protocol through the shared codec
 * (src/protocol/) instead of librtm: an RtmClient with its call manager,
 * channels and reconnect machinery per connection would make the generator,
 * not the server, the thing measured at 10,000 clients. That is fine for a
 * load generator; librtm's behaviour is tested elsewhere.
 *
 * Phases, one after the other against one server:
 *   1. login:   N clients connect at once; time until all are logged in;
 *               the server's RSS before and after, per logged-in client.
 *   2. paced:   the first A clients in caller/callee pairs run invitation
 *               cycles (send → received-by-peer → accept → accepted) at a
 *               fixed rate; p50/p99 of send→received-by-peer and of
 *               accept→accepted.
 *   3. flat out: the same pairs, each starting its next cycle as soon as
 *               the last one ended; complete cycles per second.
 * The server's CPU (utime + stime from /proc/PID/stat) is given per phase.
 *
 * Without --server it starts its own rtm-server pinned to core 0
 * (taskset -c 0) and pins itself to core 1, and says so.
 */
#define G_LOG_DOMAIN "rtm-bench"

#include <gio/gio.h>
#include <glib-unix.h>
#include <libsoup/soup.h>
#include <rtm-protocol.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

typedef struct _Bench Bench;
typedef struct _Client Client;
typedef struct _Pair Pair;

struct _Client
{
  Bench                   *bench;
  guint                    index;
  char                     uid[24];
  SoupWebsocketConnection *ws;
  gint64                   next_req;
  gboolean                 logged_in;
  gboolean                 failed;
  Pair                    *pair;
};

struct _Pair
{
  Client  *caller;
  Client  *callee;
  gboolean busy;
  gboolean dead;
  gboolean accepted_seen;
  gboolean reply_seen;
  gint64   t_send;
  gint64   t_accept;
};

typedef enum {
  PHASE_LOGIN,
  PHASE_PACED,
  PHASE_FLAT,
  PHASE_IDLE,
} Phase;

struct _Bench
{
  /* options */
  char        *server_uri;
  int          server_pid;
  char        *server_path;
  char       **server_args;
  int          n_clients;
  int          n_active;
  double       duration;
  double       rate;
  gboolean     no_pin;

  GMainLoop   *loop;
  SoupSession *session;
  GSubprocess *server;
  Client      *clients;
  Pair        *pairs;
  guint        n_pairs;

  Phase        phase;
  guint        connected;
  guint        logged_in;
  guint        failed;
  gint64       login_start;
  gint64       login_done;

  /* cycles */
  gboolean     recording;
  guint        next_pair;
  gint64       phase_start;
  double       sent_due;
  guint64      sent;
  guint64      skipped;
  guint64      cycles;
  guint64      errors;
  GArray      *rbp_us;       /* send → received-by-peer */
  GArray      *accepted_us;  /* accept → accepted */
  guint        pacer_id;
};

static void start_cycle (Bench *bench, Pair *pair);

/* /proc readers */

static long
read_vm_rss_kb (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *contents = NULL;
  const char *line;

  if (pid <= 0 || !g_file_get_contents (path, &contents, NULL, NULL))
    return -1;
  line = strstr (contents, "VmRSS:");
  if (line == NULL)
    return -1;
  return strtol (line + strlen ("VmRSS:"), NULL, 10);
}

/* utime + stime in clock ticks */
static long long
read_cpu_ticks (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  if (pid <= 0 || !g_file_get_contents (path, &contents, NULL, NULL))
    return -1;
  /* The command name may hold spaces; fields count from after its ')'. */
  after_name = strrchr (contents, ')');
  if (after_name == NULL)
    return -1;
  fields = g_strsplit (after_name + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return -1;
  /* state is field 3 of the full line: index 0 here; utime 14 → 11, stime 15 → 12 */
  return g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10);
}

/* Frames */

static void
send_frame (Client     *client,
            JsonObject *frame)
{
  g_autofree char *data = NULL;
  gsize length;

  if (client->ws == NULL ||
      soup_websocket_connection_get_state (client->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  data = rtm_frame_to_data (frame, &length);
  soup_websocket_connection_send_text (client->ws, data);
}

static void
send_login (Client *client)
{
  g_autoptr(JsonObject) frame = rtm_frame_new (RTM_FRAME_LOGIN);

  json_object_set_int_member (frame, "req", ++client->next_req);
  json_object_set_int_member (frame, "version", RTM_PROTOCOL_VERSION);
  json_object_set_string_member (frame, "uid", client->uid);
  send_frame (client, frame);
}

static void
send_ack (Client *client,
          gint64  ack)
{
  g_autoptr(JsonObject) frame = rtm_frame_new (RTM_FRAME_ACK);

  json_object_set_int_member (frame, "ack", ack);
  send_frame (client, frame);
}

static void
record (Bench  *bench,
        GArray *samples,
        gint64  value)
{
  if (bench->recording)
    g_array_append_val (samples, value);
}

static void
cycle_done (Bench *bench,
            Pair  *pair)
{
  pair->busy = FALSE;
  if (bench->recording)
    bench->cycles++;
  if (bench->phase == PHASE_FLAT)
    start_cycle (bench, pair);
}

static void
pair_failed (Bench      *bench,
             Pair       *pair,
             const char *what)
{
  bench->errors++;
  if (bench->errors <= 5)
    g_printerr ("rtm-bench: pair %s→%s: %s\n", pair->caller->uid, pair->callee->uid, what);
  pair->dead = TRUE;
  pair->busy = FALSE;
}

static void
on_caller_frame (Client       *client,
                 RtmFrameType  type,
                 JsonObject   *frame)
{
  Bench *bench = client->bench;
  Pair *pair = client->pair;
  gint64 now = g_get_monotonic_time ();
  gint64 ack = 0;

  switch (type)
    {
    case RTM_FRAME_REPLY:
      break;
    case RTM_FRAME_INVITATION_RECEIVED_BY_PEER:
      record (bench, bench->rbp_us, now - pair->t_send);
      break;
    case RTM_FRAME_INVITATION_ACCEPTED:
      record (bench, bench->accepted_us, now - pair->t_accept);
      if (rtm_frame_get_int (frame, "ack", FALSE, 0, &ack, NULL) && ack > 0)
        send_ack (client, ack);
      pair->accepted_seen = TRUE;
      if (pair->reply_seen)
        cycle_done (bench, pair);
      break;
    case RTM_FRAME_ERROR:
    case RTM_FRAME_INVITATION_FAILED:
    case RTM_FRAME_INVITATION_REFUSED:
    case RTM_FRAME_INVITATION_CANCELED:
      {
        g_autofree char *text = rtm_frame_to_data (frame, NULL);

        pair_failed (bench, pair, text);
      }
      break;
    default:
      break;
    }
}

static void
on_callee_frame (Client       *client,
                 RtmFrameType  type,
                 JsonObject   *frame)
{
  Bench *bench = client->bench;
  Pair *pair = client->pair;
  gint64 ack = 0;

  switch (type)
    {
    case RTM_FRAME_INVITATION_RECEIVED:
      {
        g_autoptr(JsonObject) accept = rtm_frame_new (RTM_FRAME_INVITATION_ACCEPT);
        const char *id = rtm_frame_get_string (frame, "invitation", TRUE, 64, NULL);

        if (rtm_frame_get_int (frame, "ack", FALSE, 0, &ack, NULL) && ack > 0)
          send_ack (client, ack);
        if (id == NULL)
          {
            pair_failed (bench, pair, "invitation_received without an id");
            return;
          }
        json_object_set_int_member (accept, "req", ++client->next_req);
        json_object_set_string_member (accept, "invitation", id);
        pair->t_accept = g_get_monotonic_time ();
        send_frame (client, accept);
      }
      break;
    case RTM_FRAME_REPLY:
      pair->reply_seen = TRUE;
      if (pair->accepted_seen)
        cycle_done (bench, pair);
      break;
    case RTM_FRAME_ERROR:
    case RTM_FRAME_INVITATION_FAILED:
    case RTM_FRAME_INVITATION_CANCELED:
      {
        g_autofree char *text = rtm_frame_to_data (frame, NULL);

        pair_failed (bench, pair, text);
      }
      break;
    default:
      break;
    }
}

static void
on_message (SoupWebsocketConnection *ws,
            int                      data_type,
            GBytes                  *message,
            gpointer                 user_data)
{
  Client *client = user_data;
  Bench *bench = client->bench;
  g_autoptr(JsonObject) frame = NULL;
  g_autoptr(JsonObject) unknown = NULL;
  g_autoptr(GError) error = NULL;
  RtmFrameType type;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  frame = rtm_frame_parse (data, length, RTM_HARD_MAX_FRAME_SIZE, &type, &unknown, &error);
  if (frame == NULL)
    {
      bench->errors++;
      return;
    }

  if (!client->logged_in)
    {
      if (type == RTM_FRAME_REPLY)
        {
          client->logged_in = TRUE;
          bench->logged_in++;
          if (bench->logged_in + bench->failed == (guint) bench->n_clients)
            {
              bench->login_done = g_get_monotonic_time ();
              g_main_loop_quit (bench->loop);
            }
        }
      else if (type == RTM_FRAME_ERROR)
        {
          g_autofree char *text = rtm_frame_to_data (frame, NULL);

          if (bench->failed++ < 5)
            g_printerr ("rtm-bench: %s cannot log in: %s\n", client->uid, text);
          client->failed = TRUE;
        }
      return;
    }

  if (type == RTM_FRAME_PING)
    return;
  if (client->pair == NULL)
    return;
  if (client->pair->caller == client)
    on_caller_frame (client, type, frame);
  else
    on_callee_frame (client, type, frame);
}

static void
on_closed (SoupWebsocketConnection *ws,
           gpointer                 user_data)
{
  Client *client = user_data;

  if (client->bench->phase != PHASE_IDLE && client->bench->errors++ < 5)
    g_printerr ("rtm-bench: %s: the server closed the connection (%d)\n", client->uid,
                soup_websocket_connection_get_close_code (ws));
  if (client->pair != NULL)
    client->pair->dead = TRUE;
}

static void
on_connected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Client *client = user_data;
  Bench *bench = client->bench;
  g_autoptr(GError) error = NULL;

  client->ws = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (client->ws == NULL)
    {
      if (bench->failed++ < 5)
        g_printerr ("rtm-bench: %s cannot connect: %s\n", client->uid, error->message);
      client->failed = TRUE;
      if (bench->logged_in + bench->failed == (guint) bench->n_clients)
        {
          bench->login_done = g_get_monotonic_time ();
          g_main_loop_quit (bench->loop);
        }
      return;
    }

  bench->connected++;
  /* The default 128 KiB would do; frames here are tiny. */
  soup_websocket_connection_set_max_incoming_payload_size (client->ws, RTM_HARD_MAX_FRAME_SIZE);
  g_signal_connect (client->ws, "message", G_CALLBACK (on_message), client);
  g_signal_connect (client->ws, "closed", G_CALLBACK (on_closed), client);
  send_login (client);
}

/* Cycles */

static void
start_cycle (Bench *bench,
             Pair  *pair)
{
  g_autoptr(JsonObject) frame = rtm_frame_new (RTM_FRAME_INVITE);

  if (pair->dead)
    return;

  pair->busy = TRUE;
  pair->accepted_seen = FALSE;
  pair->reply_seen = FALSE;
  json_object_set_int_member (frame, "req", ++pair->caller->next_req);
  json_object_set_string_member (frame, "callee", pair->callee->uid);
  pair->t_send = g_get_monotonic_time ();
  send_frame (pair->caller, frame);
  bench->sent++;
}

static gboolean
on_pace (gpointer user_data)
{
  Bench *bench = user_data;
  double elapsed = (g_get_monotonic_time () - bench->phase_start) / (double) G_USEC_PER_SEC;
  double due = elapsed * bench->rate - bench->sent_due;

  while (due >= 1.0)
    {
      Pair *pair = NULL;

      /* The next free pair, round robin. */
      for (guint tries = 0; tries < bench->n_pairs; tries++)
        {
          Pair *candidate = &bench->pairs[bench->next_pair];

          bench->next_pair = (bench->next_pair + 1) % bench->n_pairs;
          if (!candidate->busy && !candidate->dead)
            {
              pair = candidate;
              break;
            }
        }

      due -= 1.0;
      bench->sent_due += 1.0;
      if (pair == NULL)
        bench->skipped++;
      else
        start_cycle (bench, pair);
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
on_quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
run_for (Bench  *bench,
         double  seconds)
{
  guint id = g_timeout_add ((guint) (seconds * 1000), on_quit_loop, bench->loop);

  g_main_loop_run (bench->loop);
  (void) id;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *samples,
            double  p)
{
  guint index;

  if (samples->len == 0)
    return -1;
  g_array_sort (samples, compare_gint64);
  index = (guint) (p * (samples->len - 1) + 0.5);
  return (double) g_array_index (samples, gint64, index);
}

static void
reset_samples (Bench *bench)
{
  g_array_set_size (bench->rbp_us, 0);
  g_array_set_size (bench->accepted_us, 0);
  bench->cycles = 0;
  bench->sent = 0;
  bench->skipped = 0;
}

static double
cpu_percent (Bench     *bench,
             long long  ticks_before,
             gint64     us_before)
{
  long long ticks_after = read_cpu_ticks (bench->server_pid);
  double seconds = (g_get_monotonic_time () - us_before) / (double) G_USEC_PER_SEC;

  if (ticks_before < 0 || ticks_after < 0 || seconds <= 0)
    return -1;
  return 100.0 * (ticks_after - ticks_before) / (double) sysconf (_SC_CLK_TCK) / seconds;
}

/* Set-up */

static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    g_printerr ("rtm-bench: cannot raise RLIMIT_NOFILE: %s\n", g_strerror (errno));
  printf ("open files: limit raised to %llu\n", (unsigned long long) limit.rlim_cur);
}

static gboolean
pin_self (int core)
{
  cpu_set_t set;

  CPU_ZERO (&set);
  CPU_SET (core, &set);
  return sched_setaffinity (0, sizeof set, &set) == 0;
}

static gboolean
start_server (Bench   *bench,
              GError **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autofree char *command = NULL;

  if (!bench->no_pin)
    g_strv_builder_add_many (builder, "taskset", "-c", "0", NULL);
  g_strv_builder_add_many (builder, bench->server_path, "--address", "127.0.0.1",
                           "--port", "0", NULL);
  if (bench->server_args != NULL)
    g_strv_builder_addv (builder, (const char **) bench->server_args);
  argv = g_strv_builder_end (builder);
  command = g_strjoinv (" ", argv);

  bench->server = g_subprocess_newv ((const char * const *) argv,
                                     G_SUBPROCESS_FLAGS_STDOUT_PIPE, error);
  if (bench->server == NULL)
    return FALSE;

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bench->server));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, error);
  if (line == NULL || !g_str_has_prefix (line, "listening on "))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     "rtm-server printed \"%s\", not \"listening on URI\"", line ? line : "");
      return FALSE;
    }

  bench->server_uri = g_strdup (line + strlen ("listening on "));
  /* taskset execs the server, so the pid is the server's. */
  bench->server_pid = atoi (g_subprocess_get_identifier (bench->server));
  printf ("server: %s (pid %d)\n", command, bench->server_pid);
  return TRUE;
}

static void
print_latency (const char *what,
               GArray     *samples)
{
  if (samples->len == 0)
    {
      printf ("  %-28s no samples\n", what);
      return;
    }
  printf ("  %-28s p50 %6.0f µs   p99 %6.0f µs   (%u samples)\n", what,
          percentile (samples, 0.50), percentile (samples, 0.99), samples->len);
}

int
main (int   argc,
      char *argv[])
{
  Bench bench_storage = { 0 };
  Bench *bench = &bench_storage;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  long rss_before;
  long rss_after;
  long long ticks;
  gint64 t0;
  double login_cpu;
  const GOptionEntry entries[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, &bench->server_uri,
      "Use this running server instead of starting one", "URI" },
    { "server-pid", 'p', 0, G_OPTION_ARG_INT, &bench->server_pid,
      "The running server's pid, for its RSS and CPU", "PID" },
    { "server-path", 0, 0, G_OPTION_ARG_FILENAME, &bench->server_path,
      "The rtm-server to start (default: the one in the build tree)", "PATH" },
    { "server-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &bench->server_args,
      "An extra argument for the started server (repeatable)", "ARG" },
    { "clients", 'n', 0, G_OPTION_ARG_INT, &bench->n_clients,
      "Clients to log in at once (default 10000)", "N" },
    { "active", 'a', 0, G_OPTION_ARG_INT, &bench->n_active,
      "Clients that run invitation cycles, in pairs (default 1000)", "N" },
    { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &bench->duration,
      "Seconds of each cycle phase (default 10)", "S" },
    { "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &bench->rate,
      "Invitations per second in the paced phase (default 1000)", "R" },
    { "no-pin", 0, 0, G_OPTION_ARG_NONE, &bench->no_pin,
      "Do not pin the server and the generator to cores", NULL },
    { NULL }
  };

  bench->n_clients = 10000;
  bench->n_active = 1000;
  bench->duration = 10;
  bench->rate = 1000;

  context = g_option_context_new ("— load generator for rtm-server");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("rtm-bench: %s\n", error->message);
      return 1;
    }
  if (bench->n_clients < 2 || bench->n_active < 2 || bench->n_active > bench->n_clients ||
      bench->duration <= 0 || bench->rate <= 0)
    {
      g_printerr ("rtm-bench: need 2 <= --active <= --clients, --duration > 0, --rate > 0\n");
      return 1;
    }
  if (bench->server_path == NULL)
    bench->server_path = g_strdup (g_getenv ("RTM_SERVER_PATH") ? g_getenv ("RTM_SERVER_PATH")
                                                                 : RTM_BENCH_SERVER_PATH);

  setvbuf (stdout, NULL, _IOLBF, 0);
  raise_fd_limit ();

  if (bench->server_uri == NULL)
    {
      if (!start_server (bench, &error))
        {
          g_printerr ("rtm-bench: cannot start rtm-server: %s\n", error->message);
          return 1;
        }
      if (!bench->no_pin)
        {
          if (pin_self (1))
            printf ("pinning: server on core 0 (taskset -c 0), generator on core 1 "
                    "(sched_setaffinity)\n");
          else
            printf ("pinning: server on core 0; the generator could not pin itself to core 1\n");
        }
    }
  else if (!bench->no_pin && pin_self (1))
    {
      printf ("pinning: generator on core 1; pin the server yourself (taskset -c 0)\n");
    }

  bench->loop = g_main_loop_new (NULL, FALSE);
  /* Every connection at once: the session's default caps (10 in all,
   * 2 per host) would queue the handshakes. */
  bench->session = g_object_new (SOUP_TYPE_SESSION,
                                 "max-conns", G_MAXINT / 2,
                                 "max-conns-per-host", G_MAXINT / 2,
                                 "timeout", 0,
                                 "idle-timeout", 0,
                                 NULL);
  bench->rbp_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  bench->accepted_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  bench->clients = g_new0 (Client, bench->n_clients);

  /* 1. login */
  rss_before = read_vm_rss_kb (bench->server_pid);
  ticks = read_cpu_ticks (bench->server_pid);
  printf ("\n== login: %d clients connecting at once to %s\n", bench->n_clients, bench->server_uri);
  bench->phase = PHASE_LOGIN;
  bench->login_start = t0 = g_get_monotonic_time ();
  for (int i = 0; i < bench->n_clients; i++)
    {
      Client *client = &bench->clients[i];
      g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, bench->server_uri);

      client->bench = bench;
      client->index = (guint) i;
      g_snprintf (client->uid, sizeof client->uid, "bench-%d", i);
      soup_session_websocket_connect_async (bench->session, message, NULL, NULL,
                                            G_PRIORITY_DEFAULT, NULL, on_connected, client);
    }
  {
    guint guard = g_timeout_add_seconds (120, on_quit_loop, bench->loop);

    g_main_loop_run (bench->loop);
    if (bench->login_done == 0)
      bench->login_done = g_get_monotonic_time ();
    else
      g_source_remove (guard);
  }
  login_cpu = cpu_percent (bench, ticks, t0);
  printf ("  logged in: %u of %d (%u failed) in %.3f s; server CPU %.0f %% of a core\n",
          bench->logged_in, bench->n_clients, bench->failed,
          (bench->login_done - bench->login_start) / (double) G_USEC_PER_SEC, login_cpu);

  /* Let the server settle before reading its memory. */
  run_for (bench, 1.0);
  rss_after = read_vm_rss_kb (bench->server_pid);
  if (rss_before > 0 && rss_after > 0 && bench->logged_in > 0)
    printf ("  server RSS: %ld kB before, %ld kB after: %.2f kB per logged-in client\n",
            rss_before, rss_after, (rss_after - rss_before) / (double) bench->logged_in);
  else
    printf ("  server RSS: unknown (pass --server-pid)\n");

  if (bench->logged_in < (guint) bench->n_active)
    {
      g_printerr ("rtm-bench: too few clients logged in for the cycle phases\n");
      return 1;
    }

  /* Pairs among the first logged-in active clients. */
  bench->pairs = g_new0 (Pair, bench->n_active / 2);
  {
    Client *waiting = NULL;

    for (int i = 0; i < bench->n_clients && bench->n_pairs < (guint) bench->n_active / 2; i++)
      {
        Client *client = &bench->clients[i];

        if (!client->logged_in)
          continue;
        if (waiting == NULL)
          {
            waiting = client;
            continue;
          }
        bench->pairs[bench->n_pairs].caller = waiting;
        bench->pairs[bench->n_pairs].callee = client;
        waiting->pair = client->pair = &bench->pairs[bench->n_pairs];
        bench->n_pairs++;
        waiting = NULL;
      }
  }

  /* 2. paced */
  printf ("\n== paced: %u pairs (%u clients), %.0f invitations/s for %.1f s\n",
          bench->n_pairs, bench->n_pairs * 2, bench->rate, bench->duration);
  bench->phase = PHASE_PACED;
  bench->recording = FALSE;
  bench->phase_start = g_get_monotonic_time ();
  bench->pacer_id = g_timeout_add (1, on_pace, bench);
  run_for (bench, 1.0);   /* warm-up, not recorded */
  reset_samples (bench);
  bench->recording = TRUE;
  ticks = read_cpu_ticks (bench->server_pid);
  t0 = g_get_monotonic_time ();
  run_for (bench, bench->duration);
  bench->recording = FALSE;
  {
    double cpu = cpu_percent (bench, ticks, t0);
    double seconds = (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;

    g_clear_handle_id (&bench->pacer_id, g_source_remove);
    printf ("  sent %" G_GUINT64_FORMAT " (%.0f/s), %" G_GUINT64_FORMAT " cycles completed, "
            "%" G_GUINT64_FORMAT " skipped (no free pair), %" G_GUINT64_FORMAT " errors\n",
            bench->sent, bench->sent / seconds, bench->cycles, bench->skipped, bench->errors);
    print_latency ("send → received-by-peer:", bench->rbp_us);
    print_latency ("accept → accepted:", bench->accepted_us);
    printf ("  server CPU: %.0f %% of a core\n", cpu);
  }
  run_for (bench, 1.0);   /* drain */

  /* 3. flat out */
  printf ("\n== flat out: %u pairs, each cycle starts when the last ended, %.1f s\n",
          bench->n_pairs, bench->duration);
  reset_samples (bench);
  bench->phase = PHASE_FLAT;
  for (guint i = 0; i < bench->n_pairs; i++)
    if (!bench->pairs[i].busy)
      start_cycle (bench, &bench->pairs[i]);
  run_for (bench, 1.0);   /* warm-up */
  reset_samples (bench);
  bench->recording = TRUE;
  ticks = read_cpu_ticks (bench->server_pid);
  t0 = g_get_monotonic_time ();
  run_for (bench, bench->duration);
  bench->recording = FALSE;
  {
    double cpu = cpu_percent (bench, ticks, t0);
    double seconds = (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;

    printf ("  %" G_GUINT64_FORMAT " complete cycles in %.2f s: %.0f cycles/s; "
            "%" G_GUINT64_FORMAT " errors\n",
            bench->cycles, seconds, bench->cycles / seconds, bench->errors);
    print_latency ("send → received-by-peer:", bench->rbp_us);
    print_latency ("accept → accepted:", bench->accepted_us);
    printf ("  server CPU: %.0f %% of a core\n", cpu);
  }

  bench->phase = PHASE_IDLE;
  for (int i = 0; i < bench->n_clients; i++)
    if (bench->clients[i].ws != NULL)
      {
        g_signal_handlers_disconnect_by_data (bench->clients[i].ws, &bench->clients[i]);
        g_clear_object (&bench->clients[i].ws);
      }
  if (bench->server != NULL)
    {
      g_subprocess_send_signal (bench->server, SIGTERM);
      g_subprocess_wait (bench->server, NULL, NULL);
    }

  g_clear_object (&bench->server);
  g_clear_object (&bench->session);
  g_clear_pointer (&bench->loop, g_main_loop_unref);
  g_array_unref (bench->rbp_us);
  g_array_unref (bench->accepted_us);
  g_free (bench->pairs);
  g_free (bench->clients);
  g_free (bench->server_uri);
  g_free (bench->server_path);
  g_strfreev (bench->server_args);
  return 0;
}
