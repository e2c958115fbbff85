/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rtm-bench: a load generator for rtm-server (issue 2, section 6).
 *
 * It holds every client in this one process and speaks the wire protocol
 * through the shared codec (src/protocol/) instead of librtm: an RtmClient
 * with its call manager, channels and reconnect machinery per connection
 * would make the generator, not the server, the thing measured at 10,000
 * clients. That is fine for a load generator; librtm's behaviour is tested
 * elsewhere.
 *
 * For the same reason the clients are plain non-blocking sockets with a
 * small WebSocket client end of our own (bench-websocket.c) on one epoll
 * set, in one thread: a libsoup client connection per client costs a GLib
 * main-context iteration, a GSource walk and several syscalls per frame,
 * and that cost landed in every latency the generator measured
 * (bench/RESULTS.md, "Third round"). The server is measured as it ships,
 * libsoup's WebSocket server and all.
 *
 * Phases, one after the other against one server:
 *   1. login:    N clients connect at once; time until all are logged in;
 *                the server's RSS before and after, per logged-in client.
 *   floor:       the callers send plain ping requests at the paced rate:
 *                the server's round trip with the least work it can do.
 *   2. paced:    the others are closed (unless --keep-idle), and
 *                the first A clients in caller/callee pairs run invitation
 *                cycles (send → received-by-peer → accept → accepted) at a
 *                fixed total rate, in a Poisson stream (independent users
 *                do not take turns); p50/p99 of send→received-by-peer and
 *                of accept→accepted.
 *   3. flat out: the same pairs, each starting its next cycle as soon as
 *                the last one ended; complete cycles per second.
 * The server's CPU (utime + stime from /proc/PID/stat) is given per phase.
 *
 * Without --server it starts its own rtm-server pinned to core 0
 * (taskset -c 0) and pins itself to core 1, and says so. It exits with 1
 * when a client failed, the server sent an error, or a phase measured
 * nothing, so a smoke run in the test suite catches a broken benchmark.
 */
#define G_LOG_DOMAIN "rtm-bench"

#include "bench-websocket.h"

#include <errno.h>
#include <gio/gio.h>
#include <math.h>
#include <netdb.h>
#include <rtm-protocol.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define MAX_EVENTS 256

typedef struct _Bench Bench;
typedef struct _Client Client;
typedef struct _Pair Pair;

typedef enum {
  PHASE_LOGIN,
  PHASE_PING,
  PHASE_PACED,
  PHASE_FLAT,
  PHASE_IDLE,
} Phase;

struct _Client
{
  Bench          *bench;
  char            uid[24];
  BenchWebsocket  ws;
  guint32         polled;      /* the epoll events asked for */
  gint64          next_req;
  gboolean        logged_in;
  gboolean        closing;
  gboolean        gone;
  Pair           *pair;
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
  gboolean     keep_idle;

  GSubprocess *server;
  struct sockaddr_storage address;
  socklen_t    address_len;
  char        *host;          /* for the Host header */
  char        *path;
  int          epoll_fd;
  int          timer_fd;

  Client      *clients;
  Pair        *pairs;
  guint        n_pairs;
  guint        next_pair;

  Phase        phase;
  double       phase_rate;
  gint64       next_due;      /* the paced phases' next send */

  GArray      *rbp_us;        /* send → received-by-peer */
  GArray      *accepted_us;   /* accept → accepted */
  GArray      *ping_us;       /* ping → reply */
  guint64      sent;
  guint64      skipped;
  guint64      cycles;
  guint64      errors;

  int          connected;
  int          logged_in;
  int          failed;
  int          reported;
  gint64       t_connected;
  gboolean     recording;
};

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
  /* The command name may hold spaces; count fields from after its ')':
   * state is then index 0, utime (field 14) index 11, stime index 12. */
  after_name = strrchr (contents, ')');
  if (after_name == NULL)
    return -1;
  fields = g_strsplit (after_name + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return -1;
  return g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10);
}

/* Busy and total jiffies of all cores, from /proc/stat's "cpu" line. */
static gboolean
read_machine_jiffies (long long *busy,
                      long long *total)
{
  g_autofree char *contents = NULL;
  long long v[8] = { 0 };

  if (!g_file_get_contents ("/proc/stat", &contents, NULL, NULL) ||
      sscanf (contents, "cpu %lld %lld %lld %lld %lld %lld %lld %lld",
              &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
    return FALSE;
  *total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
  *busy = *total - v[3] - v[4];
  return TRUE;
}

/* How busy the whole machine was over one second, in % of all cores. */
static double
machine_busy_percent (void)
{
  long long busy0, total0, busy1, total1;

  if (!read_machine_jiffies (&busy0, &total0))
    return -1;
  g_usleep (G_USEC_PER_SEC);
  if (!read_machine_jiffies (&busy1, &total1) || total1 == total0)
    return -1;
  return 100.0 * (busy1 - busy0) / (double) (total1 - total0);
}

static void
report (Bench      *bench,
        const char *format,
        ...) G_GNUC_PRINTF (2, 3);

/* The first few problems are printed, the rest only counted. */
static void
report (Bench      *bench,
        const char *format,
        ...)
{
  g_autofree char *text = NULL;
  va_list args;

  if (bench->reported++ >= 10)
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("rtm-bench: %s\n", text);
}

/* Connections */

static void
watch (Client *client)
{
  Bench *bench = client->bench;
  struct epoll_event event = { .data.ptr = client };

  if (client->gone || client->ws.fd < 0)
    return;
  event.events = EPOLLIN | (bench_websocket_wants_write (&client->ws) ? EPOLLOUT : 0);
  if (event.events == client->polled)
    return;
  if (epoll_ctl (bench->epoll_fd, client->polled == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
                 client->ws.fd, &event) != 0)
    report (bench, "%s: epoll_ctl: %s", client->uid, g_strerror (errno));
  client->polled = event.events;
}

static void
client_gone (Client     *client,
             const char *why)
{
  Bench *bench = client->bench;

  if (client->gone)
    return;
  client->gone = TRUE;
  bench_websocket_abort (&client->ws);

  if (!client->logged_in && bench->phase == PHASE_LOGIN)
    {
      report (bench, "%s cannot log in: %s", client->uid, why);
      bench->failed++;
    }
  else if (!client->closing)
    {
      report (bench, "%s: %s", client->uid, why);
      bench->errors++;
    }
  if (client->pair != NULL)
    client->pair->dead = TRUE;
}

static void
send_frame (Client     *client,
            JsonObject *frame)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  if (client->ws.state != BENCH_WEBSOCKET_OPEN)
    return;
  data = rtm_frame_to_data (frame, &length);
  bench_websocket_send_text (&client->ws, data, length);
  if (!bench_websocket_flush (&client->ws, &error))
    client_gone (client, error->message);
  else
    watch (client);
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

/* Cycles */

static void
start_cycle (Bench *bench,
             Pair  *pair)
{
  g_autoptr(JsonObject) frame = NULL;

  if (pair->dead)
    return;

  frame = rtm_frame_new (RTM_FRAME_INVITE);
  pair->busy = TRUE;
  pair->accepted_seen = FALSE;
  pair->reply_seen = FALSE;
  json_object_set_int_member (frame, "req", ++pair->caller->next_req);
  json_object_set_string_member (frame, "callee", pair->callee->uid);
  pair->t_send = g_get_monotonic_time ();
  send_frame (pair->caller, frame);
  if (bench->recording)
    bench->sent++;
}

/* The floor: one request and its reply, the least work the server does. */
static void
start_ping (Bench *bench,
            Pair  *pair)
{
  g_autoptr(JsonObject) frame = NULL;

  if (pair->dead)
    return;

  frame = rtm_frame_new (RTM_FRAME_PING);
  pair->busy = TRUE;
  json_object_set_int_member (frame, "req", ++pair->caller->next_req);
  pair->t_send = g_get_monotonic_time ();
  send_frame (pair->caller, frame);
  if (bench->recording)
    bench->sent++;
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
             JsonObject *frame)
{
  g_autofree char *text = rtm_frame_to_data (frame, NULL);

  bench->errors++;
  report (bench, "pair %s, %s: %s", pair->caller->uid, pair->callee->uid, text);
  pair->dead = TRUE;
  pair->busy = FALSE;
}

static void
on_caller_frame (Client       *client,
                 RtmFrameType  type,
                 JsonObject   *frame,
                 gint64        now)
{
  Bench *bench = client->bench;
  Pair *pair = client->pair;
  gint64 ack = 0;

  switch (type)
    {
    case RTM_FRAME_REPLY:
      if (bench->phase == PHASE_PING && pair->busy)
        {
          record (bench, bench->ping_us, now - pair->t_send);
          cycle_done (bench, pair);
        }
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
      pair_failed (bench, pair, frame);
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
            pair_failed (bench, pair, frame);
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
      pair_failed (bench, pair, frame);
      break;
    default:
      break;
    }
}

static void
on_opened (Client *client)
{
  Bench *bench = client->bench;
  g_autoptr(JsonObject) login = rtm_frame_new (RTM_FRAME_LOGIN);

  if (++bench->connected + bench->failed == bench->n_clients)
    bench->t_connected = g_get_monotonic_time ();
  json_object_set_int_member (login, "req", ++client->next_req);
  json_object_set_int_member (login, "version", RTM_PROTOCOL_VERSION);
  json_object_set_string_member (login, "uid", client->uid);
  send_frame (client, login);
}

static void
on_text (Client     *client,
         const char *data,
         gsize       length,
         gint64      now)
{
  Bench *bench = client->bench;
  g_autoptr(JsonObject) frame = NULL;
  g_autoptr(JsonObject) unknown = NULL;
  RtmFrameType type;

  frame = rtm_frame_parse (data, length, RTM_HARD_MAX_FRAME_SIZE, &type, &unknown, NULL);
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
        }
      else if (type == RTM_FRAME_ERROR)
        {
          g_autofree char *text = rtm_frame_to_data (frame, NULL);

          client_gone (client, text);
        }
      return;
    }

  if (client->pair == NULL)
    return;
  if (client->pair->caller == client)
    on_caller_frame (client, type, frame, now);
  else
    on_callee_frame (client, type, frame);
}

static void
on_ready (Client   *client,
          guint32   events)
{
  BenchWebsocket *ws = &client->ws;
  g_autoptr(GError) error = NULL;
  BenchWebsocketEvent event;
  const char *data = NULL;
  gsize length = 0;
  gint64 now;

  /* Closed while handling an earlier event of the same batch. */
  if (client->gone)
    return;
  /* Writable while connecting: the connect is done, one way or the
   * other. Otherwise EPOLLOUT only means "flush", done below. */
  if (ws->state == BENCH_WEBSOCKET_CONNECTING && !bench_websocket_connected (ws, &error))
    {
      client_gone (client, error->message);
      return;
    }

  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
    {
      if (!bench_websocket_read (ws, &error))
        {
          client_gone (client, error->message);
          return;
        }
      /* When the frames were read, before the generator's own parsing. */
      now = g_get_monotonic_time ();
      while ((event = bench_websocket_next (ws, &data, &length, &error)) !=
             BENCH_WEBSOCKET_EVENT_NONE)
        {
          if (event == BENCH_WEBSOCKET_EVENT_OPENED)
            on_opened (client);
          else if (event == BENCH_WEBSOCKET_EVENT_TEXT)
            on_text (client, data, length, now);
          else
            {
              g_autofree char *why = g_strdup_printf ("the server closed the connection (%u)",
                                                      ws->close_code);

              client_gone (client, why);
              return;
            }
          if (client->gone)
            return;
        }
      if (error != NULL)
        {
          client_gone (client, error->message);
          return;
        }
    }

  if (!bench_websocket_flush (ws, &error))
    client_gone (client, error->message);
  else
    watch (client);
}

/* Pacing */

static void
arm_timer (Bench  *bench,
           gint64  when)
{
  struct itimerspec spec = { 0 };

  /* g_get_monotonic_time() is CLOCK_MONOTONIC in µs; 0 disarms. */
  spec.it_value.tv_sec = when / G_USEC_PER_SEC;
  spec.it_value.tv_nsec = (when % G_USEC_PER_SEC) * 1000;
  if (when == 0)
    spec.it_value.tv_nsec = 0;
  if (timerfd_settime (bench->timer_fd, TFD_TIMER_ABSTIME, &spec, NULL) != 0)
    report (bench, "timerfd_settime: %s", g_strerror (errno));
}

/* Exponential gaps: a Poisson stream at the phase's rate. */
static gint64
next_gap_us (Bench *bench)
{
  return (gint64) (-log (1.0 - g_random_double ()) / bench->phase_rate * G_USEC_PER_SEC);
}

static void
on_pace (Bench *bench)
{
  guint64 expirations;
  gint64 now = g_get_monotonic_time ();

  if (read (bench->timer_fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
    report (bench, "timerfd read: %s", g_strerror (errno));
  if (bench->phase != PHASE_PING && bench->phase != PHASE_PACED)
    return;

  while (bench->next_due <= now)
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

      bench->next_due += next_gap_us (bench);
      if (pair == NULL)
        {
          if (bench->recording)
            bench->skipped++;
        }
      else if (bench->phase == PHASE_PING)
        {
          start_ping (bench, pair);
        }
      else
        {
          start_cycle (bench, pair);
        }
    }
  arm_timer (bench, bench->next_due);
}

static void
start_paced (Bench *bench,
             Phase  phase)
{
  bench->phase = phase;
  bench->phase_rate = bench->rate;
  bench->next_due = g_get_monotonic_time () + next_gap_us (bench);
  arm_timer (bench, bench->next_due);
}

static void
start_flat (Bench *bench)
{
  bench->phase = PHASE_FLAT;
  for (guint i = 0; i < bench->n_pairs; i++)
    if (!bench->pairs[i].busy)
      start_cycle (bench, &bench->pairs[i]);
}

static void
stop_phase (Bench *bench)
{
  arm_timer (bench, 0);
  bench->phase = PHASE_IDLE;
}

/* The loop */

static gboolean
all_logged_in (Bench *bench)
{
  return bench->logged_in + bench->failed >= bench->n_clients;
}

/* Serves every connection and the pacer until @deadline, or until
 * @done says so. */
static void
run_until (Bench     *bench,
           gint64     deadline,
           gboolean (*done) (Bench *bench))
{
  struct epoll_event events[MAX_EVENTS];

  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      int n;

      if (now >= deadline || (done != NULL && done (bench)))
        return;
      n = epoll_wait (bench->epoll_fd, events, G_N_ELEMENTS (events),
                      (int) MIN ((deadline - now + 999) / 1000, 100));
      if (n < 0 && errno != EINTR)
        {
          report (bench, "epoll_wait: %s", g_strerror (errno));
          return;
        }
      for (int i = 0; i < n; i++)
        {
          if (events[i].data.ptr == NULL)
            on_pace (bench);
          else
            on_ready (events[i].data.ptr, events[i].events);
        }
    }
}

static void
run_for (Bench  *bench,
         double  seconds)
{
  run_until (bench, g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC), NULL);
}

/* Set the clients up */

static gboolean
resolve_server (Bench   *bench,
                GError **error)
{
  g_autoptr(GUri) uri = g_uri_parse (bench->server_uri, G_URI_FLAGS_NONE, error);
  struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
  struct addrinfo *result = NULL;
  g_autofree char *port = NULL;
  const char *host;
  int status;

  if (uri == NULL)
    return FALSE;
  if (g_strcmp0 (g_uri_get_scheme (uri), "ws") != 0 || g_uri_get_host (uri) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s: rtm-bench speaks plain ws:// only (TLS would be the thing measured)",
                   bench->server_uri);
      return FALSE;
    }

  host = g_uri_get_host (uri);
  port = g_strdup_printf ("%d", g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 80);
  status = getaddrinfo (host, port, &hints, &result);
  if (status != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND, "%s: %s", host,
                   gai_strerror (status));
      return FALSE;
    }
  memcpy (&bench->address, result->ai_addr, result->ai_addrlen);
  bench->address_len = result->ai_addrlen;
  freeaddrinfo (result);

  bench->host = strchr (host, ':') != NULL ? g_strdup_printf ("[%s]:%s", host, port)
                                           : g_strdup_printf ("%s:%s", host, port);
  bench->path = g_strdup (*g_uri_get_path (uri) != '\0' ? g_uri_get_path (uri) : "/");
  return TRUE;
}

static void
connect_all (Bench *bench)
{
  for (int i = 0; i < bench->n_clients; i++)
    {
      Client *client = &bench->clients[i];
      g_autoptr(GError) error = NULL;

      if (!bench_websocket_connect (&client->ws, (struct sockaddr *) &bench->address,
                                    bench->address_len, bench->host, bench->path, &error))
        client_gone (client, error->message);
      else
        watch (client);
    }
}

static void
make_pairs (Bench *bench)
{
  Client *waiting = NULL;

  bench->pairs = g_new0 (Pair, bench->n_active / 2 + 1);
  for (int i = 0; i < bench->n_active; i++)
    {
      Client *client = &bench->clients[i];

      if (!client->logged_in || client->gone)
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

/* Closes the clients that take no part in the cycles. */
static void
close_idle (Bench *bench)
{
  for (int i = 0; i < bench->n_clients; i++)
    {
      Client *client = &bench->clients[i];
      g_autoptr(GError) error = NULL;

      if (client->pair != NULL || client->gone)
        continue;
      client->closing = TRUE;
      bench_websocket_close (&client->ws, 1000);
      if (!bench_websocket_flush (&client->ws, &error))
        client_gone (client, error->message);
      else
        watch (client);
    }
}

/* Results */

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *sorted,
            double  p)
{
  return (double) g_array_index (sorted, gint64, (guint) (p * (sorted->len - 1) + 0.5));
}

/* Prints p50 and p99 of @samples (and sorts them); FALSE if it has none. */
static gboolean
print_latency (const char *what,
               GArray     *samples)
{
  if (samples->len == 0)
    {
      printf ("  %-26s no samples\n", what);
      return FALSE;
    }
  g_array_sort (samples, compare_gint64);
  printf ("  %-26s p50 %7.0f µs   p99 %7.0f µs   (%u samples)\n", what,
          percentile (samples, 0.50), percentile (samples, 0.99), samples->len);
  return TRUE;
}

static double
cpu_percent_of (int        pid,
                long long  ticks_before,
                gint64     us_before)
{
  long long ticks_after = read_cpu_ticks (pid);
  double seconds = (g_get_monotonic_time () - us_before) / (double) G_USEC_PER_SEC;

  if (ticks_before < 0 || ticks_after < 0 || seconds <= 0)
    return -1;
  return 100.0 * (ticks_after - ticks_before) / (double) sysconf (_SC_CLK_TCK) / seconds;
}

static double
cpu_percent (Bench     *bench,
             long long  ticks_before,
             gint64     us_before)
{
  return cpu_percent_of (bench->server_pid, ticks_before, us_before);
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

/* Runs one recorded measurement of @seconds after a one-second warm-up. */
static void
measure (Bench  *bench,
         double  seconds,
         double *out_seconds,
         double *out_cpu,
         double *out_own_cpu)
{
  long long ticks;
  long long own_ticks;
  gint64 t0;

  run_for (bench, 1.0);
  g_array_set_size (bench->rbp_us, 0);
  g_array_set_size (bench->accepted_us, 0);
  g_array_set_size (bench->ping_us, 0);
  bench->sent = bench->skipped = bench->cycles = 0;
  bench->recording = TRUE;
  ticks = read_cpu_ticks (bench->server_pid);
  own_ticks = read_cpu_ticks (getpid ());
  t0 = g_get_monotonic_time ();
  run_for (bench, seconds);
  bench->recording = FALSE;
  *out_cpu = cpu_percent (bench, ticks, t0);
  *out_own_cpu = cpu_percent_of (getpid (), own_ticks, t0);
  *out_seconds = (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;
}

int
main (int   argc,
      char *argv[])
{
  Bench bench_storage = { 0 };
  Bench *bench = &bench_storage;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  struct epoll_event timer_event = { .events = EPOLLIN, .data.ptr = NULL };
  long rss_before;
  long rss_after;
  long long ticks;
  gint64 t0;
  gint64 t_logged_in = 0;
  double seconds;
  double cpu;
  double own_cpu;
  long long own_ticks;
  gboolean measured = TRUE;
  const GOptionEntry entries[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, &bench->server_uri,
      "Use this running server (ws:// only) instead of starting one", "URI" },
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
    { "keep-idle", 0, 0, G_OPTION_ARG_NONE, &bench->keep_idle,
      "Keep the clients beyond --active connected during the cycle phases", NULL },
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
  /* Other work on the machine skews every figure: say how much there was. */
  printf ("machine busy in the second before the run: %.0f %% of %ld cores\n",
          machine_busy_percent (), sysconf (_SC_NPROCESSORS_ONLN));
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

  if (!resolve_server (bench, &error))
    {
      g_printerr ("rtm-bench: %s\n", error->message);
      measured = FALSE;
      goto out;
    }
  bench->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  bench->timer_fd = timerfd_create (CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (bench->epoll_fd < 0 || bench->timer_fd < 0 ||
      epoll_ctl (bench->epoll_fd, EPOLL_CTL_ADD, bench->timer_fd, &timer_event) != 0)
    {
      g_printerr ("rtm-bench: epoll/timerfd: %s\n", g_strerror (errno));
      measured = FALSE;
      goto out;
    }

  bench->rbp_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  bench->accepted_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  bench->ping_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  bench->clients = g_new0 (Client, bench->n_clients);
  for (int i = 0; i < bench->n_clients; i++)
    {
      bench->clients[i].bench = bench;
      bench_websocket_init (&bench->clients[i].ws);
      g_snprintf (bench->clients[i].uid, sizeof bench->clients[i].uid, "bench-%d", i);
    }

  /* 1. login */
  rss_before = read_vm_rss_kb (bench->server_pid);
  ticks = read_cpu_ticks (bench->server_pid);
  own_ticks = read_cpu_ticks (getpid ());
  printf ("\n== login: %d clients connecting at once to %s (one generator thread)\n",
          bench->n_clients, bench->server_uri);
  bench->phase = PHASE_LOGIN;
  t0 = g_get_monotonic_time ();
  connect_all (bench);
  printf ("  %d connect() calls made in %.3f s\n", bench->n_clients,
          (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC);
  run_until (bench, t0 + 120 * G_USEC_PER_SEC, all_logged_in);
  if (all_logged_in (bench))
    t_logged_in = g_get_monotonic_time ();
  bench->phase = PHASE_IDLE;
  cpu = cpu_percent (bench, ticks, t0);
  own_cpu = cpu_percent_of (getpid (), own_ticks, t0);
  if (bench->t_connected > 0)
    printf ("  WebSocket handshakes: all done after %.3f s\n",
            (bench->t_connected - t0) / (double) G_USEC_PER_SEC);
  printf ("  logged in: %d of %d (%d failed) in %.3f s%s; server CPU %.0f %%, "
          "generator CPU %.0f %% of a core\n",
          bench->logged_in, bench->n_clients, bench->failed,
          ((t_logged_in ? t_logged_in : g_get_monotonic_time ()) - t0) / (double) G_USEC_PER_SEC,
          t_logged_in ? "" : " (gave up)", cpu, own_cpu);

  /* Let the server settle before reading its memory. */
  run_for (bench, 1.0);
  rss_after = read_vm_rss_kb (bench->server_pid);
  if (rss_before > 0 && rss_after > 0 && bench->logged_in > 0)
    printf ("  server RSS: %ld kB before, %ld kB after: %.2f kB per logged-in client\n",
            rss_before, rss_after, (rss_after - rss_before) / (double) bench->logged_in);
  else
    printf ("  server RSS: unknown (pass --server-pid)\n");

  make_pairs (bench);
  if (bench->n_pairs == 0)
    {
      g_printerr ("rtm-bench: no pairs logged in for the cycle phases\n");
      measured = FALSE;
      goto out;
    }

  /* The issue measures cycles with 1,000 clients on the server; the idle
   * ones would add to the cost of every wake-up of its main loop. */
  if (!bench->keep_idle && (guint) bench->n_clients > bench->n_pairs * 2)
    {
      close_idle (bench);
      run_for (bench, 1.0);
      printf ("\n(closed the %d clients beyond the %u in pairs; --keep-idle keeps them)\n",
              bench->n_clients - (int) bench->n_pairs * 2, bench->n_pairs * 2);
    }

  /* The floor for the paced phase: plain requests at the same rate. */
  printf ("\n== floor: %u clients send %.0f ping requests/s for %.1f s\n",
          bench->n_pairs, bench->rate, bench->duration);
  start_paced (bench, PHASE_PING);
  measure (bench, bench->duration, &seconds, &cpu, &own_cpu);
  stop_phase (bench);
  printf ("  sent %" G_GUINT64_FORMAT " (%.0f/s), %" G_GUINT64_FORMAT " replies\n",
          bench->sent, bench->sent / seconds, bench->cycles);
  measured &= print_latency ("ping → reply:", bench->ping_us);
  printf ("  server CPU: %.0f %% of a core; generator CPU: %.0f %% of a core\n", cpu, own_cpu);
  run_for (bench, 0.5);   /* drain */

  /* 2. paced */
  printf ("\n== paced: %u pairs (%u clients), %.0f invitations/s (Poisson) for %.1f s\n",
          bench->n_pairs, bench->n_pairs * 2, bench->rate, bench->duration);
  start_paced (bench, PHASE_PACED);
  measure (bench, bench->duration, &seconds, &cpu, &own_cpu);
  stop_phase (bench);
  printf ("  sent %" G_GUINT64_FORMAT " (%.0f/s), %" G_GUINT64_FORMAT " cycles completed, "
          "%" G_GUINT64_FORMAT " skipped (no free pair), %" G_GUINT64_FORMAT " errors\n",
          bench->sent, bench->sent / seconds, bench->cycles, bench->skipped, bench->errors);
  measured &= print_latency ("send → received-by-peer:", bench->rbp_us);
  measured &= print_latency ("accept → accepted:", bench->accepted_us);
  printf ("  server CPU: %.0f %% of a core; generator CPU: %.0f %% of a core\n", cpu, own_cpu);
  run_for (bench, 1.0);   /* drain */

  /* 3. flat out */
  printf ("\n== flat out: %u pairs, each cycle starts when the last ended, %.1f s\n",
          bench->n_pairs, bench->duration);
  start_flat (bench);
  measure (bench, bench->duration, &seconds, &cpu, &own_cpu);
  stop_phase (bench);
  printf ("  %" G_GUINT64_FORMAT " complete cycles in %.2f s: %.0f cycles/s; "
          "%" G_GUINT64_FORMAT " errors\n", bench->cycles, seconds, bench->cycles / seconds,
          bench->errors);
  measured &= print_latency ("send → received-by-peer:", bench->rbp_us);
  measured &= print_latency ("accept → accepted:", bench->accepted_us);
  printf ("  server CPU: %.0f %% of a core; generator CPU: %.0f %% of a core\n", cpu, own_cpu);

out:
  if (bench->clients != NULL)
    for (int i = 0; i < bench->n_clients; i++)
      bench_websocket_clear (&bench->clients[i].ws);
  if (bench->server != NULL)
    {
      g_subprocess_send_signal (bench->server, SIGTERM);
      g_subprocess_wait (bench->server, NULL, NULL);
    }
  if (bench->epoll_fd > 0)
    close (bench->epoll_fd);
  if (bench->timer_fd > 0)
    close (bench->timer_fd);

  g_clear_object (&bench->server);
  g_clear_pointer (&bench->rbp_us, g_array_unref);
  g_clear_pointer (&bench->accepted_us, g_array_unref);
  g_clear_pointer (&bench->ping_us, g_array_unref);
  g_free (bench->pairs);
  g_free (bench->clients);
  g_free (bench->server_uri);
  g_free (bench->server_path);
  g_free (bench->host);
  g_free (bench->path);
  g_strfreev (bench->server_args);

  if (bench->failed > 0 || bench->errors > 0 || !measured)
    {
      g_printerr ("rtm-bench: %d clients failed, %" G_GUINT64_FORMAT " errors%s\n",
                  bench->failed, bench->errors, measured ? "" : ", a phase measured nothing");
      return 1;
    }
  return 0;
}
