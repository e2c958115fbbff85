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
 * A GLib main context polls every source it holds on every iteration, and
 * a SoupSession walks its pending connections on every step; one context
 * and one session for 10,000 clients made the generator itself take over a
 * minute to log them in. So the clients are split into shards of
 * --shard-size, each a thread with its own context and small sessions, all
 * on the generator's one core. A caller and its callee share a shard, so a
 * cycle never crosses threads.
 *
 * Phases, one after the other against one server:
 *   1. login:    N clients connect at once; time until all are logged in;
 *                the server's RSS before and after, per logged-in client.
 *   floor:       the callers send plain ping requests at the paced rate:
 *                the server's round trip with the least work it can do.
 *   2. paced:    the others are closed (unless --keep-idle), and
 *                the first A clients in caller/callee pairs run invitation
 *                cycles (send → received-by-peer → accept → accepted) at a
 *                fixed total rate; p50/p99 of send→received-by-peer and of
 *                accept→accepted.
 *   3. flat out: the same pairs, each starting its next cycle as soon as
 *                the last one ended; complete cycles per second.
 * The server's CPU (utime + stime from /proc/PID/stat) is given per phase.
 *
 * Without --server it starts its own rtm-server pinned to core 0
 * (taskset -c 0) and pins itself to core 1, and says so.
 */
#define G_LOG_DOMAIN "rtm-bench"

#include <errno.h>
#include <gio/gio.h>
#include <libsoup/soup.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <rtm-protocol.h>
#include <rtm-server-shard.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define CLIENTS_PER_SESSION 16

typedef struct _Bench Bench;
typedef struct _Shard Shard;
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
  Shard                   *shard;
  char                     uid[24];
  SoupWebsocketConnection *ws;
  gint64                   next_req;
  gboolean                 logged_in;
  gboolean                 closing;
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

/* Everything in a shard is touched by its own thread only, except where
 * noted; the main thread reaches in through shard_call(). */
struct _Shard
{
  Bench        *bench;
  GThread      *thread;
  GMainContext *context;
  gboolean      running;
  GPtrArray    *sessions;
  Client       *clients;
  guint         n_clients;
  Pair         *pairs;
  guint         n_pairs;
  guint         next_pair;

  Phase         phase;
  double        rate;
  double        sent_due;
  gint64        phase_start;
  GSource      *pacer;

  GArray       *rbp_us;       /* send → received-by-peer */
  GArray       *accepted_us;  /* accept → accepted */
  GArray       *ping_us;      /* ping → reply */
  guint64       sent;
  guint64       skipped;
  guint64       cycles;
  guint64       errors;
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
  int          shard_size;
  double       duration;
  double       rate;
  gboolean     no_pin;
  gboolean     keep_idle;

  GSubprocess *server;
  Client      *clients;
  Shard       *shards;
  guint        n_shards;

  /* atomics, written by the shards */
  int          connected;
  int          logged_in;
  int          failed;
  int          reported;
  int          recording;   /* the main thread starts and stops every shard at once */
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

  if (g_atomic_int_add (&bench->reported, 1) >= 10)
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("rtm-bench: %s\n", text);
}

/* Frames */

static void
send_frame (Client     *client,
            JsonObject *frame)
{
  g_autofree char *data = NULL;

  if (client->ws == NULL ||
      soup_websocket_connection_get_state (client->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  data = rtm_frame_to_data (frame, NULL);
  soup_websocket_connection_send_text (client->ws, data);
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
record (Shard  *shard,
        GArray *samples,
        gint64  value)
{
  if (g_atomic_int_get (&shard->bench->recording))
    g_array_append_val (samples, value);
}

/* Cycles */

static void
start_cycle (Shard *shard,
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
  if (g_atomic_int_get (&shard->bench->recording))
    shard->sent++;
}

/* The floor: one request and its reply, the least work the server does. */
static void
start_ping (Shard *shard,
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
  if (g_atomic_int_get (&shard->bench->recording))
    shard->sent++;
}

static void
cycle_done (Shard *shard,
            Pair  *pair)
{
  pair->busy = FALSE;
  if (g_atomic_int_get (&shard->bench->recording))
    shard->cycles++;
  if (shard->phase == PHASE_FLAT)
    start_cycle (shard, pair);
}

static void
pair_failed (Shard      *shard,
             Pair       *pair,
             JsonObject *frame)
{
  g_autofree char *text = rtm_frame_to_data (frame, NULL);

  shard->errors++;
  report (shard->bench, "pair %s→%s: %s", pair->caller->uid, pair->callee->uid, text);
  pair->dead = TRUE;
  pair->busy = FALSE;
}

static void
on_caller_frame (Client       *client,
                 RtmFrameType  type,
                 JsonObject   *frame,
                 gint64        now)
{
  Shard *shard = client->shard;
  Pair *pair = client->pair;
  gint64 ack = 0;

  switch (type)
    {
    case RTM_FRAME_REPLY:
      if (shard->phase == PHASE_PING && pair->busy)
        {
          record (shard, shard->ping_us, now - pair->t_send);
          cycle_done (shard, pair);
        }
      break;
    case RTM_FRAME_INVITATION_RECEIVED_BY_PEER:
      record (shard, shard->rbp_us, now - pair->t_send);
      break;
    case RTM_FRAME_INVITATION_ACCEPTED:
      record (shard, shard->accepted_us, now - pair->t_accept);
      if (rtm_frame_get_int (frame, "ack", FALSE, 0, &ack, NULL) && ack > 0)
        send_ack (client, ack);
      pair->accepted_seen = TRUE;
      if (pair->reply_seen)
        cycle_done (shard, pair);
      break;
    case RTM_FRAME_ERROR:
    case RTM_FRAME_INVITATION_FAILED:
    case RTM_FRAME_INVITATION_REFUSED:
    case RTM_FRAME_INVITATION_CANCELED:
      pair_failed (shard, pair, frame);
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
  Shard *shard = client->shard;
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
            pair_failed (shard, pair, frame);
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
        cycle_done (shard, pair);
      break;
    case RTM_FRAME_ERROR:
    case RTM_FRAME_INVITATION_FAILED:
    case RTM_FRAME_INVITATION_CANCELED:
      pair_failed (shard, pair, frame);
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
  /* When the frame was read, before the generator's own parsing. */
  gint64 now = g_get_monotonic_time ();
  Client *client = user_data;
  Bench *bench = client->shard->bench;
  g_autoptr(JsonObject) frame = NULL;
  g_autoptr(JsonObject) unknown = NULL;
  RtmFrameType type;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  frame = rtm_frame_parse (data, length, RTM_HARD_MAX_FRAME_SIZE, &type, &unknown, NULL);
  if (frame == NULL)
    {
      client->shard->errors++;
      return;
    }

  if (!client->logged_in)
    {
      if (type == RTM_FRAME_REPLY)
        {
          client->logged_in = TRUE;
          g_atomic_int_inc (&bench->logged_in);
        }
      else if (type == RTM_FRAME_ERROR)
        {
          g_autofree char *text = rtm_frame_to_data (frame, NULL);

          report (bench, "%s cannot log in: %s", client->uid, text);
          g_atomic_int_inc (&bench->failed);
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
on_closed (SoupWebsocketConnection *ws,
           gpointer                 user_data)
{
  Client *client = user_data;

  if (client->shard->phase != PHASE_IDLE && !client->closing)
    report (client->shard->bench, "%s: the server closed the connection (%d)", client->uid,
            soup_websocket_connection_get_close_code (ws));
  if (client->pair != NULL)
    client->pair->dead = TRUE;
}

/* Nagle's algorithm holds a small frame back until the previous one is
 * acknowledged: with the server's delayed ACKs that is up to 40 ms. */
static void
on_network_event (SoupMessage        *message,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  if (event == G_SOCKET_CLIENT_CONNECTED && G_IS_SOCKET_CONNECTION (connection))
    g_socket_set_option (g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection)),
                         IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static void
on_connected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Client *client = user_data;
  Bench *bench = client->shard->bench;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) login = NULL;

  client->ws = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (client->ws == NULL)
    {
      report (bench, "%s cannot connect: %s", client->uid, error->message);
      g_atomic_int_inc (&bench->failed);
      return;
    }

  g_atomic_int_inc (&bench->connected);
  g_signal_connect (client->ws, "message", G_CALLBACK (on_message), client);
  g_signal_connect (client->ws, "closed", G_CALLBACK (on_closed), client);

  login = rtm_frame_new (RTM_FRAME_LOGIN);
  json_object_set_int_member (login, "req", ++client->next_req);
  json_object_set_int_member (login, "version", RTM_PROTOCOL_VERSION);
  json_object_set_string_member (login, "uid", client->uid);
  send_frame (client, login);
}

/* The pacer fires when the next invitation is due, not on a fixed tick:
 * a 1 ms tick in each of a thousand shards would wake the generator's core
 * a million times a second. */
static gboolean
on_pace (gpointer user_data)
{
  Shard *shard = user_data;
  gint64 now = g_get_monotonic_time ();
  double elapsed = (now - shard->phase_start) / (double) G_USEC_PER_SEC;

  while (elapsed * shard->rate - shard->sent_due >= 1.0)
    {
      Pair *pair = NULL;

      /* The next free pair, round robin. */
      for (guint tries = 0; tries < shard->n_pairs; tries++)
        {
          Pair *candidate = &shard->pairs[shard->next_pair];

          shard->next_pair = (shard->next_pair + 1) % shard->n_pairs;
          if (!candidate->busy && !candidate->dead)
            {
              pair = candidate;
              break;
            }
        }

      shard->sent_due += 1.0;
      if (pair == NULL)
        {
          if (g_atomic_int_get (&shard->bench->recording))
            shard->skipped++;
        }
      else if (shard->phase == PHASE_PING)
        {
          start_ping (shard, pair);
        }
      else
        {
          start_cycle (shard, pair);
        }
    }

  g_source_set_ready_time (shard->pacer, shard->phase_start +
                           (gint64) ((shard->sent_due + 1.0) / shard->rate * G_USEC_PER_SEC));
  return G_SOURCE_CONTINUE;
}

static gboolean
pacer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs pacer_funcs = {
  .dispatch = pacer_dispatch,
};

/* Shard control, run in the shard's thread */

typedef struct {
  Shard    *shard;
  void    (*func) (Shard *shard, gpointer data);
  gpointer  data;
  GMutex    mutex;
  GCond     cond;
  gboolean  done;
} ShardCall;

static gboolean
on_shard_call (gpointer user_data)
{
  ShardCall *call = user_data;

  call->func (call->shard, call->data);
  g_mutex_lock (&call->mutex);
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->mutex);
  return G_SOURCE_REMOVE;
}

/* Runs @func in @shard's thread and waits for it. */
static void
shard_call (Shard  *shard,
            void  (*func) (Shard *shard, gpointer data),
            gpointer data)
{
  ShardCall call = { shard, func, data };

  g_mutex_init (&call.mutex);
  g_cond_init (&call.cond);
  g_main_context_invoke (shard->context, on_shard_call, &call);
  g_mutex_lock (&call.mutex);
  while (!call.done)
    g_cond_wait (&call.cond, &call.mutex);
  g_mutex_unlock (&call.mutex);
  g_mutex_clear (&call.mutex);
  g_cond_clear (&call.cond);
}

static void
shard_call_all (Bench  *bench,
                void  (*func) (Shard *shard, gpointer data),
                gpointer data)
{
  for (guint i = 0; i < bench->n_shards; i++)
    shard_call (&bench->shards[i], func, data);
}

static void
do_reset (Shard   *shard,
          gpointer data)
{
  g_array_set_size (shard->rbp_us, 0);
  g_array_set_size (shard->accepted_us, 0);
  g_array_set_size (shard->ping_us, 0);
  shard->sent = shard->skipped = shard->cycles = 0;
}

static void
do_make_pairs (Shard   *shard,
               gpointer data)
{
  guint n_active = GPOINTER_TO_UINT (data);
  Client *waiting = NULL;

  shard->pairs = g_new0 (Pair, shard->n_clients / 2 + 1);
  for (guint i = 0; i < shard->n_clients; i++)
    {
      Client *client = &shard->clients[i];

      if ((guint) (client - shard->bench->clients) >= n_active || !client->logged_in)
        continue;
      if (waiting == NULL)
        {
          waiting = client;
          continue;
        }
      shard->pairs[shard->n_pairs].caller = waiting;
      shard->pairs[shard->n_pairs].callee = client;
      waiting->pair = client->pair = &shard->pairs[shard->n_pairs];
      shard->n_pairs++;
      waiting = NULL;
    }
}

/* Closes the clients that take no part in the cycles. */
static void
do_close_idle (Shard   *shard,
               gpointer data)
{
  for (guint i = 0; i < shard->n_clients; i++)
    {
      Client *client = &shard->clients[i];

      if (client->pair != NULL || client->ws == NULL)
        continue;
      client->closing = TRUE;
      if (soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
}

static void
do_start_paced (Shard   *shard,
                gpointer data)
{
  double total_rate = shard->bench->rate;
  guint total_pairs = 0;

  for (guint i = 0; i < shard->bench->n_shards; i++)
    total_pairs += shard->bench->shards[i].n_pairs;
  if (shard->n_pairs == 0 || total_pairs == 0)
    return;

  /* Each shard sends its share of the rate. */
  shard->phase = GPOINTER_TO_INT (data);
  shard->rate = total_rate * shard->n_pairs / total_pairs;
  shard->sent_due = 0;
  /* Shards start at different offsets, so they do not all fire at once. */
  shard->phase_start = g_get_monotonic_time () -
                       (gint64) (g_random_double () / shard->rate * G_USEC_PER_SEC);
  shard->pacer = g_source_new (&pacer_funcs, sizeof (GSource));
  g_source_set_callback (shard->pacer, on_pace, shard, NULL);
  g_source_set_ready_time (shard->pacer, shard->phase_start);
  g_source_attach (shard->pacer, shard->context);
}

static void
do_stop (Shard   *shard,
         gpointer data)
{
  if (shard->pacer != NULL)
    {
      g_source_destroy (shard->pacer);
      g_clear_pointer (&shard->pacer, g_source_unref);
    }
  shard->phase = PHASE_IDLE;
}

static void
do_start_flat (Shard   *shard,
               gpointer data)
{
  shard->phase = PHASE_FLAT;
  for (guint i = 0; i < shard->n_pairs; i++)
    if (!shard->pairs[i].busy)
      start_cycle (shard, &shard->pairs[i]);
}

static gboolean
idle_noop (gpointer data)
{
  return G_SOURCE_REMOVE;
}

static void
do_quit (Shard   *shard,
         gpointer data)
{
  g_autoptr(GSource) source = NULL;

  shard->phase = PHASE_IDLE;
  shard->running = FALSE;
  /* Something ready, so the loop's next poll returns and it sees the flag. */
  source = g_idle_source_new ();
  g_source_set_callback (source, idle_noop, NULL, NULL);
  g_source_attach (source, shard->context);
}

static gpointer
shard_thread (gpointer data)
{
  Shard *shard = data;
  Bench *bench = shard->bench;
  RtmServerPollState state = RTM_SERVER_POLL_STATE_INIT;

  /* Before the context has sources, while it can still tell. */
  state.wakeup_fd = rtm_server_find_wakeup_fd (shard->context);
  g_main_context_push_thread_default (shard->context);

  /* Sessions belong to the thread that makes them. Every connection at
   * once: the default caps (10 in all, 2 per host) would queue them. */
  shard->sessions = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < shard->n_clients; i += CLIENTS_PER_SESSION)
    g_ptr_array_add (shard->sessions,
                     g_object_new (SOUP_TYPE_SESSION,
                                   "max-conns", CLIENTS_PER_SESSION * 2,
                                   "max-conns-per-host", CLIENTS_PER_SESSION * 2,
                                   "timeout", 0,
                                   "idle-timeout", 0,
                                   NULL));

  for (guint i = 0; i < shard->n_clients; i++)
    {
      g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, bench->server_uri);

      g_signal_connect (message, "network-event", G_CALLBACK (on_network_event), NULL);

      soup_session_websocket_connect_async (g_ptr_array_index (shard->sessions,
                                                               i / CLIENTS_PER_SESSION),
                                            message, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                            on_connected, &shard->clients[i]);
    }

  /* The server's loop: it clears the context's wake-up fd after each
   * dispatch, which GLib sets even from the owning thread. */
  while (shard->running)
    rtm_server_shard_iterate (shard->context, NULL, &state);
  g_free (state.fds);

  for (guint i = 0; i < shard->n_clients; i++)
    if (shard->clients[i].ws != NULL)
      {
        g_signal_handlers_disconnect_by_data (shard->clients[i].ws, &shard->clients[i]);
        g_clear_object (&shard->clients[i].ws);
      }
  g_clear_pointer (&shard->sessions, g_ptr_array_unref);
  while (g_main_context_iteration (shard->context, FALSE))
    ;
  g_main_context_pop_thread_default (shard->context);
  return NULL;
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

static void
print_latency (Bench      *bench,
               const char *what,
               gsize       offset)
{
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < bench->n_shards; i++)
    {
      GArray *samples = G_STRUCT_MEMBER (GArray *, &bench->shards[i], offset);

      g_array_append_vals (all, samples->data, samples->len);
    }
  if (all->len == 0)
    {
      printf ("  %-26s no samples\n", what);
      return;
    }
  g_array_sort (all, compare_gint64);
  printf ("  %-26s p50 %7.0f µs   p99 %7.0f µs   (%u samples)\n", what,
          percentile (all, 0.50), percentile (all, 0.99), all->len);
}

typedef struct {
  guint64 sent;
  guint64 skipped;
  guint64 cycles;
  guint64 errors;
} Totals;

static Totals
totals (Bench *bench)
{
  Totals t = { 0 };

  for (guint i = 0; i < bench->n_shards; i++)
    {
      t.sent += bench->shards[i].sent;
      t.skipped += bench->shards[i].skipped;
      t.cycles += bench->shards[i].cycles;
      t.errors += bench->shards[i].errors;
    }
  return t;
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

  g_usleep (G_USEC_PER_SEC);
  shard_call_all (bench, do_reset, NULL);
  g_atomic_int_set (&bench->recording, TRUE);
  ticks = read_cpu_ticks (bench->server_pid);
  own_ticks = read_cpu_ticks (getpid ());
  t0 = g_get_monotonic_time ();
  g_usleep ((gulong) (seconds * G_USEC_PER_SEC));
  g_atomic_int_set (&bench->recording, FALSE);
  *out_cpu = cpu_percent (bench, ticks, t0);
  *out_own_cpu = cpu_percent_of (getpid (), own_ticks, t0);
  *out_seconds = (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;
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
  gint64 t_connected = 0;
  gint64 t_logged_in = 0;
  guint n_pairs = 0;
  double seconds;
  double cpu;
  double own_cpu;
  long long own_ticks;
  Totals t;
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
    { "shard-size", 0, 0, G_OPTION_ARG_INT, &bench->shard_size,
      "Clients per generator thread (default 10)", "N" },
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
  bench->shard_size = 10;
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
      bench->shard_size < 2 || bench->duration <= 0 || bench->rate <= 0)
    {
      g_printerr ("rtm-bench: need 2 <= --active <= --clients, --shard-size >= 2, "
                  "--duration > 0, --rate > 0\n");
      return 1;
    }
  /* Pairs must not straddle shards. */
  bench->shard_size += bench->shard_size % 2;
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
          /* Before the shard threads start, so they inherit it. */
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

  bench->clients = g_new0 (Client, bench->n_clients);
  bench->n_shards = (bench->n_clients + bench->shard_size - 1) / bench->shard_size;
  bench->shards = g_new0 (Shard, bench->n_shards);
  for (guint s = 0; s < bench->n_shards; s++)
    {
      Shard *shard = &bench->shards[s];
      guint first = s * bench->shard_size;

      shard->bench = bench;
      shard->clients = &bench->clients[first];
      shard->n_clients = MIN ((guint) bench->shard_size, bench->n_clients - first);
      shard->context = g_main_context_new ();
      shard->running = TRUE;
      shard->rbp_us = g_array_new (FALSE, FALSE, sizeof (gint64));
      shard->accepted_us = g_array_new (FALSE, FALSE, sizeof (gint64));
      shard->ping_us = g_array_new (FALSE, FALSE, sizeof (gint64));
      shard->phase = PHASE_LOGIN;
      for (guint i = 0; i < shard->n_clients; i++)
        {
          shard->clients[i].shard = shard;
          g_snprintf (shard->clients[i].uid, sizeof shard->clients[i].uid, "bench-%u", first + i);
        }
    }

  /* 1. login */
  rss_before = read_vm_rss_kb (bench->server_pid);
  ticks = read_cpu_ticks (bench->server_pid);
  own_ticks = read_cpu_ticks (getpid ());
  printf ("\n== login: %d clients connecting at once to %s (%u generator threads)\n",
          bench->n_clients, bench->server_uri, bench->n_shards);
  t0 = g_get_monotonic_time ();
  for (guint s = 0; s < bench->n_shards; s++)
    bench->shards[s].thread = g_thread_new ("shard", shard_thread, &bench->shards[s]);

  while (g_get_monotonic_time () - t0 < 120 * G_USEC_PER_SEC)
    {
      int connected = g_atomic_int_get (&bench->connected);
      int done = g_atomic_int_get (&bench->logged_in) + g_atomic_int_get (&bench->failed);

      if (t_connected == 0 && connected + g_atomic_int_get (&bench->failed) >= bench->n_clients)
        t_connected = g_get_monotonic_time ();
      if (done >= bench->n_clients)
        {
          t_logged_in = g_get_monotonic_time ();
          break;
        }
      g_usleep (500);
    }
  cpu = cpu_percent (bench, ticks, t0);
  own_cpu = cpu_percent_of (getpid (), own_ticks, t0);
  if (t_connected > 0)
    printf ("  WebSocket handshakes: all done after %.3f s\n",
            (t_connected - t0) / (double) G_USEC_PER_SEC);
  printf ("  logged in: %d of %d (%d failed) in %.3f s%s; server CPU %.0f %%, "
          "generator CPU %.0f %% of a core\n",
          g_atomic_int_get (&bench->logged_in), bench->n_clients,
          g_atomic_int_get (&bench->failed),
          ((t_logged_in ? t_logged_in : g_get_monotonic_time ()) - t0) / (double) G_USEC_PER_SEC,
          t_logged_in ? "" : " (gave up)", cpu, own_cpu);

  /* Let the server settle before reading its memory. */
  g_usleep (G_USEC_PER_SEC);
  rss_after = read_vm_rss_kb (bench->server_pid);
  if (rss_before > 0 && rss_after > 0 && bench->logged_in > 0)
    printf ("  server RSS: %ld kB before, %ld kB after: %.2f kB per logged-in client\n",
            rss_before, rss_after, (rss_after - rss_before) / (double) bench->logged_in);
  else
    printf ("  server RSS: unknown (pass --server-pid)\n");

  shard_call_all (bench, do_make_pairs, GUINT_TO_POINTER ((guint) bench->n_active));
  for (guint s = 0; s < bench->n_shards; s++)
    n_pairs += bench->shards[s].n_pairs;
  if (n_pairs == 0)
    {
      g_printerr ("rtm-bench: no pairs logged in for the cycle phases\n");
      goto out;
    }

  /* The issue measures cycles with 1,000 clients on the server; the idle
   * ones would add to the cost of every wake-up of its main loop. */
  if (!bench->keep_idle && (guint) bench->n_clients > n_pairs * 2)
    {
      shard_call_all (bench, do_close_idle, NULL);
      g_usleep (G_USEC_PER_SEC);
      printf ("\n(closed the %d clients beyond the %u in pairs; --keep-idle keeps them)\n",
              bench->n_clients - (int) n_pairs * 2, n_pairs * 2);
    }

  /* The floor for the paced phase: plain requests at the same rate. */
  printf ("\n== floor: %u clients send %.0f ping requests/s for %.1f s\n",
          n_pairs, bench->rate, bench->duration);
  shard_call_all (bench, do_start_paced, GINT_TO_POINTER (PHASE_PING));
  measure (bench, bench->duration, &seconds, &cpu, &own_cpu);
  shard_call_all (bench, do_stop, NULL);
  t = totals (bench);
  printf ("  sent %" G_GUINT64_FORMAT " (%.0f/s), %" G_GUINT64_FORMAT " replies\n",
          t.sent, t.sent / seconds, t.cycles);
  print_latency (bench, "ping → reply:", G_STRUCT_OFFSET (Shard, ping_us));
  printf ("  server CPU: %.0f %% of a core; generator CPU: %.0f %% of a core\n", cpu, own_cpu);
  g_usleep (G_USEC_PER_SEC / 2);   /* drain */

  /* 2. paced */
  printf ("\n== paced: %u pairs (%u clients), %.0f invitations/s for %.1f s\n",
          n_pairs, n_pairs * 2, bench->rate, bench->duration);
  shard_call_all (bench, do_start_paced, GINT_TO_POINTER (PHASE_PACED));
  measure (bench, bench->duration, &seconds, &cpu, &own_cpu);
  shard_call_all (bench, do_stop, NULL);
  t = totals (bench);
  printf ("  sent %" G_GUINT64_FORMAT " (%.0f/s), %" G_GUINT64_FORMAT " cycles completed, "
          "%" G_GUINT64_FORMAT " skipped (no free pair), %" G_GUINT64_FORMAT " errors\n",
          t.sent, t.sent / seconds, t.cycles, t.skipped, t.errors);
  print_latency (bench, "send → received-by-peer:", G_STRUCT_OFFSET (Shard, rbp_us));
  print_latency (bench, "accept → accepted:", G_STRUCT_OFFSET (Shard, accepted_us));
  printf ("  server CPU: %.0f %% of a core; generator CPU: %.0f %% of a core\n", cpu, own_cpu);
  g_usleep (G_USEC_PER_SEC);   /* drain */

  /* 3. flat out */
  printf ("\n== flat out: %u pairs, each cycle starts when the last ended, %.1f s\n",
          n_pairs, bench->duration);
  shard_call_all (bench, do_start_flat, NULL);
  measure (bench, bench->duration, &seconds, &cpu, &own_cpu);
  shard_call_all (bench, do_stop, NULL);
  t = totals (bench);
  printf ("  %" G_GUINT64_FORMAT " complete cycles in %.2f s: %.0f cycles/s; "
          "%" G_GUINT64_FORMAT " errors\n", t.cycles, seconds, t.cycles / seconds, t.errors);
  print_latency (bench, "send → received-by-peer:", G_STRUCT_OFFSET (Shard, rbp_us));
  print_latency (bench, "accept → accepted:", G_STRUCT_OFFSET (Shard, accepted_us));
  printf ("  server CPU: %.0f %% of a core; generator CPU: %.0f %% of a core\n", cpu, own_cpu);

out:
  for (guint s = 0; s < bench->n_shards; s++)
    {
      Shard *shard = &bench->shards[s];

      shard_call (shard, do_quit, NULL);
      g_thread_join (shard->thread);
      g_main_context_unref (shard->context);
      g_array_unref (shard->rbp_us);
      g_array_unref (shard->accepted_us);
      g_array_unref (shard->ping_us);
      g_free (shard->pairs);
    }
  if (bench->server != NULL)
    {
      g_subprocess_send_signal (bench->server, SIGTERM);
      g_subprocess_wait (bench->server, NULL, NULL);
    }

  g_clear_object (&bench->server);
  g_free (bench->shards);
  g_free (bench->clients);
  g_free (bench->server_uri);
  g_free (bench->server_path);
  g_strfreev (bench->server_args);
  return 0;
}
