/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rtm-call as a user runs it: a real rtm-server on 127.0.0.1 and real
 * rtm-call processes ($RTM_CALL_PATH), their --json event lines read and
 * checked, and their exit codes.
 */
#include <check.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "rtm-test-server.h"

#define WAIT_MS 10000

/* One rtm-call process and what it printed. */
typedef struct {
  char             *name;
  GSubprocess      *process;
  GDataInputStream *out;
  GPtrArray        *events;     /* JsonObject, every --json line in order */
  GString          *raw;        /* stdout as printed */
  GCancellable     *cancellable;
  gboolean          eof;
  gboolean          exited;
  int               status;
} Proc;

static RtmTestServer *server;

static void
proc_free (Proc *proc)
{
  if (proc == NULL)
    return;
  g_cancellable_cancel (proc->cancellable);
  if (proc->process != NULL && !proc->exited)
    {
      g_subprocess_force_exit (proc->process);
      g_subprocess_wait (proc->process, NULL, NULL);
    }
  /* Let the cancelled read finish with the objects still alive. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&proc->out);
  g_clear_object (&proc->process);
  g_clear_object (&proc->cancellable);
  g_ptr_array_unref (proc->events);
  g_string_free (proc->raw, TRUE);
  g_free (proc->name);
  g_free (proc);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Proc, proc_free)

static const char *
rtm_call_path (void)
{
  const char *path = g_getenv ("RTM_CALL_PATH");

  ck_assert_msg (path != NULL && *path != '\0', "RTM_CALL_PATH is not set");
  return path;
}

static void read_next_line (Proc *proc);

static void
on_line (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Proc *proc = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(JsonParser) parser = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                    NULL, &error);
  if (line == NULL)
    {
      proc->eof = TRUE;
      return;
    }

  g_string_append_printf (proc->raw, "%s\n", line);
  parser = json_parser_new ();
  if (json_parser_load_from_data (parser, line, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    g_ptr_array_add (proc->events, json_object_ref (json_node_get_object (json_parser_get_root (parser))));

  read_next_line (proc);
}

static void
read_next_line (Proc *proc)
{
  g_data_input_stream_read_line_async (proc->out, G_PRIORITY_DEFAULT, proc->cancellable,
                                       on_line, proc);
}

static Proc *
proc_spawnv (const char         *name,
             GSubprocessFlags    flags,
             const char * const *args)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  Proc *proc = g_new0 (Proc, 1);

  g_strv_builder_add (builder, rtm_call_path ());
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);

  proc->name = g_strdup (name);
  proc->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  proc->raw = g_string_new (NULL);
  proc->cancellable = g_cancellable_new ();
  proc->process = g_subprocess_newv ((const char * const *) argv,
                                     flags | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  ck_assert_msg (proc->process != NULL, "cannot start rtm-call: %s",
                 error ? error->message : "?");
  proc->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc->process));
  read_next_line (proc);
  return proc;
}

/* rtm-call --server URI --uid UID --json ARGS... */
static Proc *
proc_spawn_as (const char *uid,
               GSubprocessFlags flags,
               ...) G_GNUC_NULL_TERMINATED;

static Proc *
proc_spawn_as (const char       *uid,
               GSubprocessFlags  flags,
               ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  const char *arg;
  va_list ap;

  g_strv_builder_add_many (builder, "--server", rtm_test_server_get_uri (server),
                           "--uid", uid, "--json", NULL);
  va_start (ap, flags);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_strv_builder_add (builder, arg);
  va_end (ap);
  args = g_strv_builder_end (builder);
  return proc_spawnv (uid, flags, (const char * const *) args);
}

static const char *
event_name (JsonObject *event)
{
  return json_object_get_string_member_with_default (event, "event", "");
}

static JsonObject *
find_event (Proc       *proc,
            const char *name)
{
  for (guint i = 0; i < proc->events->len; i++)
    if (g_str_equal (event_name (g_ptr_array_index (proc->events, i)), name))
      return g_ptr_array_index (proc->events, i);
  return NULL;
}

static gboolean
on_deadline (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates until @name was printed; fails naming what never happened. */
static JsonObject *
wait_event (Proc       *proc,
            const char *name)
{
  gboolean expired = FALSE;
  guint deadline = g_timeout_add (WAIT_MS, on_deadline, &expired);
  JsonObject *event;

  while ((event = find_event (proc, name)) == NULL && !expired && !proc->eof)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (deadline);

  ck_assert_msg (event != NULL, "%s never printed \"%s\" (%s); it printed:\n%s", proc->name,
                 name, expired ? "timed out" : "its output ended", proc->raw->str);
  return event;
}

static void
on_exited (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Proc *proc = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  proc->exited = TRUE;
}

/* Waits for the exit and for the last line; returns the exit code. */
static int
wait_exit (Proc *proc)
{
  gboolean expired = FALSE;
  guint deadline = g_timeout_add (WAIT_MS, on_deadline, &expired);

  g_subprocess_wait_async (proc->process, NULL, on_exited, proc);
  while ((!proc->exited || !proc->eof) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (deadline);

  ck_assert_msg (proc->exited, "%s did not exit; it printed:\n%s", proc->name, proc->raw->str);
  ck_assert_msg (g_subprocess_get_if_exited (proc->process),
                 "%s did not exit normally (signal %d); it printed:\n%s", proc->name,
                 g_subprocess_get_if_signaled (proc->process)
                   ? g_subprocess_get_term_sig (proc->process) : 0,
                 proc->raw->str);
  proc->status = g_subprocess_get_exit_status (proc->process);
  return proc->status;
}

/* The index of each named event in @proc's output; fails if one is
 * missing or they are out of order. */
static void
assert_order (Proc               *proc,
              const char * const *names)
{
  guint from = 0;

  for (guint n = 0; names[n] != NULL; n++)
    {
      gboolean found = FALSE;

      for (guint i = from; i < proc->events->len && !found; i++)
        if (g_str_equal (event_name (g_ptr_array_index (proc->events, i)), names[n]))
          {
            found = TRUE;
            from = i + 1;
          }
      ck_assert_msg (found, "%s: \"%s\" missing or out of order; it printed:\n%s",
                     proc->name, names[n], proc->raw->str);
    }
}

static const char *
member (JsonObject *event,
        const char *name)
{
  const char *value = json_object_get_string_member_with_default (event, name, NULL);

  ck_assert_msg (value != NULL, "event \"%s\" has no string member \"%s\"",
                 event_name (event), name);
  return value;
}

/* Starts "listen" for @uid with the extra args and waits until it is
 * logged in, so a caller that starts next finds it online. */
static Proc *
listener_new (const char *uid,
              GSubprocessFlags flags,
              const char * const *extra)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  Proc *proc;

  g_strv_builder_add_many (builder, "--server", rtm_test_server_get_uri (server),
                           "--uid", uid, "--json", "listen", NULL);
  g_strv_builder_addv (builder, (const char **) extra);
  args = g_strv_builder_end (builder);
  proc = proc_spawnv (uid, flags, (const char * const *) args);
  wait_event (proc, "logged-in");
  return proc;
}

/* Fixtures */

static void
setup_server (void)
{
  server = rtm_test_server_start (NULL);
}

static void
setup_short_lifetime_server (void)
{
  const char *args[] = { "--invitation-lifetime", "0.5", NULL };

  server = rtm_test_server_start (args);
}

static char *secret_path;

static void
setup_secret_server (void)
{
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--secret-file", NULL, NULL };
  int fd = g_file_open_tmp ("rtm-cli-secret-XXXXXX", &secret_path, &error);

  ck_assert_msg (fd >= 0, "cannot make a secret file: %s", error ? error->message : "?");
  close (fd);
  ck_assert (g_file_set_contents (secret_path, "a secret only the tests know\n", -1, &error));
  args[1] = secret_path;
  server = rtm_test_server_start (args);
}

static void
teardown_server (void)
{
  g_clear_pointer (&server, rtm_test_server_free);
  if (secret_path != NULL)
    g_unlink (secret_path);
  g_clear_pointer (&secret_path, g_free);
}

/* "rtm-server token" from the same build. */
static char *
mint_token (const char *uid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              g_getenv ("RTM_SERVER_PATH"), "token", "--uid", uid,
                              "--ttl", "60", "--secret-file", secret_path, NULL);
  ck_assert_msg (process != NULL, "cannot run rtm-server token: %s", error->message);
  ck_assert (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
  ck_assert_int_eq (g_subprocess_get_exit_status (process), 0);
  return g_strdup (g_strstrip (out));
}

/* Tests */

START_TEST (test_accepted_invitation_reaches_both_sides_in_order)
{
  const char *listen_args[] = { "--accept", "--no-audio", "--count", "1", NULL };
  const char *caller_order[] = { "logged-in", "local-invitation-sent",
                                 "local-invitation-received-by-peer",
                                 "local-invitation-accepted", NULL };
  const char *callee_order[] = { "logged-in", "remote-invitation-received",
                                 "remote-invitation-accepted", NULL };
  g_autoptr(Proc) bob = listener_new ("bob", 0, listen_args);
  g_autoptr(Proc) alice = proc_spawn_as ("alice", 0, "call", "bob", "--no-audio",
                                         "--content", "hello bob", "--channel", "room-1", NULL);
  JsonObject *sent;
  JsonObject *received;

  ck_assert_int_eq (wait_exit (alice), 0);
  ck_assert_int_eq (wait_exit (bob), 0);
  assert_order (alice, caller_order);
  assert_order (bob, callee_order);

  sent = find_event (alice, "local-invitation-sent");
  received = find_event (bob, "remote-invitation-received");
  ck_assert_uint_eq (strlen (member (sent, "invitation")), 32);
  ck_assert_str_eq (member (sent, "invitation"), member (received, "invitation"));
  ck_assert_str_eq (member (sent, "peer"), "bob");
  ck_assert_str_eq (member (received, "peer"), "alice");
  ck_assert_str_eq (member (received, "content"), "hello bob");
  ck_assert_str_eq (member (received, "channel"), "room-1");
  ck_assert_str_eq (member (find_event (alice, "local-invitation-accepted"), "invitation"),
                    member (sent, "invitation"));
  ck_assert_msg (json_object_has_member (sent, "time"), "events carry a time");
}
END_TEST

START_TEST (test_refusal_carries_the_response_and_exits_3)
{
  const char *listen_args[] = { "--refuse", "--response", "in a meeting", "--count", "1", NULL };
  g_autoptr(Proc) bob = listener_new ("bob", 0, listen_args);
  g_autoptr(Proc) alice = proc_spawn_as ("alice", 0, "invite", "bob", NULL);
  JsonObject *refused;

  ck_assert_int_eq (wait_exit (alice), 3);
  ck_assert_int_eq (wait_exit (bob), 0);
  refused = find_event (alice, "local-invitation-refused");
  ck_assert_msg (refused != NULL, "alice printed no refusal:\n%s", alice->raw->str);
  ck_assert_str_eq (member (refused, "response"), "in a meeting");
  ck_assert_ptr_nonnull (find_event (bob, "remote-invitation-refused"));
  ck_assert_ptr_null (find_event (alice, "local-invitation-accepted"));
}
END_TEST

START_TEST (test_timeout_cancels_a_ringing_invitation)
{
  const char *listen_args[] = { "--count", "1", NULL };
  const char *caller_order[] = { "local-invitation-received-by-peer", "timeout",
                                 "local-invitation-canceled", NULL };
  g_autoptr(Proc) bob = listener_new ("bob", 0, listen_args);
  g_autoptr(Proc) alice = proc_spawn_as ("alice", 0, "invite", "bob", "--timeout", "0.5", NULL);

  ck_assert_int_eq (wait_exit (alice), 4);
  ck_assert_int_eq (wait_exit (bob), 4);
  assert_order (alice, caller_order);
  ck_assert_ptr_nonnull (find_event (bob, "remote-invitation-canceled"));
}
END_TEST

START_TEST (test_interrupt_while_ringing_cancels)
{
  const char *listen_args[] = { "--count", "1", NULL };
  g_autoptr(Proc) bob = listener_new ("bob", 0, listen_args);
  g_autoptr(Proc) alice = proc_spawn_as ("alice", 0, "invite", "bob", NULL);

  wait_event (alice, "local-invitation-received-by-peer");
  g_subprocess_send_signal (alice->process, SIGINT);
  ck_assert_int_eq (wait_exit (alice), 4);
  ck_assert_ptr_nonnull (find_event (alice, "local-invitation-canceled"));
  ck_assert_ptr_null (find_event (alice, "timeout"));
  ck_assert_int_eq (wait_exit (bob), 4);
  ck_assert_ptr_nonnull (find_event (bob, "remote-invitation-canceled"));
}
END_TEST

START_TEST (test_expiry_fails_both_sides_with_invitation_expire)
{
  const char *listen_args[] = { "--count", "1", NULL };
  g_autoptr(Proc) bob = listener_new ("bob", 0, listen_args);
  g_autoptr(Proc) alice = proc_spawn_as ("alice", 0, "invite", "bob", NULL);

  ck_assert_int_eq (wait_exit (alice), 5);
  ck_assert_int_eq (wait_exit (bob), 5);
  ck_assert_str_eq (member (find_event (alice, "local-invitation-failure"), "code"),
                    "INVITATION_EXPIRE");
  ck_assert_str_eq (member (find_event (bob, "remote-invitation-failure"), "code"),
                    "INVITATION_EXPIRE");
}
END_TEST

START_TEST (test_offline_peer_fails_with_peer_offline)
{
  g_autoptr(Proc) alice = proc_spawn_as ("alice", 0, "invite", "nobody", NULL);

  ck_assert_int_eq (wait_exit (alice), 5);
  ck_assert_str_eq (member (find_event (alice, "local-invitation-failure"), "code"),
                    "PEER_OFFLINE");
  ck_assert_ptr_null (find_event (alice, "local-invitation-received-by-peer"));
}
END_TEST

START_TEST (test_callee_vanishing_while_ringing_fails_the_caller)
{
  const char *listen_args[] = { NULL };
  g_autoptr(Proc) bob = listener_new ("bob", 0, listen_args);
  g_autoptr(Proc) alice = proc_spawn_as ("alice", 0, "invite", "bob", NULL);

  wait_event (bob, "remote-invitation-received");
  wait_event (alice, "local-invitation-received-by-peer");
  g_subprocess_force_exit (bob->process);
  ck_assert_int_eq (wait_exit (alice), 5);
  ck_assert_str_eq (member (find_event (alice, "local-invitation-failure"), "code"),
                    "PEER_OFFLINE");
}
END_TEST

START_TEST (test_caller_vanishing_while_ringing_fails_the_callee)
{
  const char *listen_args[] = { "--count", "1", NULL };
  g_autoptr(Proc) bob = listener_new ("bob", 0, listen_args);
  g_autoptr(Proc) alice = proc_spawn_as ("alice", 0, "invite", "bob", NULL);

  wait_event (alice, "local-invitation-received-by-peer");
  g_subprocess_force_exit (alice->process);
  ck_assert_int_eq (wait_exit (bob), 5);
  ck_assert_str_eq (member (find_event (bob, "remote-invitation-failure"), "code"),
                    "PEER_OFFLINE");
}
END_TEST

START_TEST (test_a_second_login_of_the_same_user_ends_the_first_with_2)
{
  const char *listen_args[] = { NULL };
  g_autoptr(Proc) first = listener_new ("bob", 0, listen_args);
  g_autoptr(Proc) second = listener_new ("bob", 0, listen_args);
  JsonObject *aborted = NULL;

  ck_assert_int_eq (wait_exit (first), 2);
  for (guint i = 0; i < first->events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (first->events, i);

      if (g_str_equal (event_name (event), "connection-state-changed") &&
          g_str_equal (member (event, "state"), "ABORTED"))
        aborted = event;
    }
  ck_assert_msg (aborted != NULL, "the first bob never printed ABORTED:\n%s", first->raw->str);
  ck_assert_str_eq (member (aborted, "reason"), "REMOTE_LOGIN");
  ck_assert_msg (!second->exited, "the second bob should stay");
}
END_TEST

START_TEST (test_token_logs_in_and_a_wrong_one_exits_2)
{
  g_autofree char *alice_token = mint_token ("alice");
  g_autofree char *bob_token = mint_token ("bob");
  g_autoptr(Proc) good = proc_spawn_as ("alice", 0, "--token", alice_token,
                                        "presence", "alice", NULL);
  g_autoptr(Proc) none = NULL;
  g_autoptr(Proc) wrong = NULL;

  ck_assert_int_eq (wait_exit (good), 0);
  ck_assert_int_eq (json_object_get_boolean_member (find_event (good, "presence"), "online"), TRUE);

  none = proc_spawn_as ("alice", G_SUBPROCESS_FLAGS_STDERR_SILENCE, "presence", "alice", NULL);
  ck_assert_int_eq (wait_exit (none), 2);
  ck_assert_ptr_nonnull (find_event (none, "error"));

  wrong = proc_spawn_as ("alice", G_SUBPROCESS_FLAGS_STDERR_SILENCE, "--token", bob_token,
                         "presence", "alice", NULL);
  ck_assert_int_eq (wait_exit (wrong), 2);
  ck_assert_ptr_null (find_event (wrong, "logged-in"));
}
END_TEST

START_TEST (test_interactive_answer_refuses_on_r)
{
  const char *listen_args[] = { "--interactive", "--response", "not now", "--count", "1", NULL };
  g_autoptr(Proc) bob = listener_new ("bob", G_SUBPROCESS_FLAGS_STDIN_PIPE, listen_args);
  g_autoptr(Proc) alice = proc_spawn_as ("alice", 0, "invite", "bob", NULL);
  GOutputStream *input = g_subprocess_get_stdin_pipe (bob->process);
  g_autoptr(GError) error = NULL;

  wait_event (bob, "remote-invitation-received");
  ck_assert_msg (g_output_stream_write_all (input, "r\n", 2, NULL, NULL, &error),
                 "cannot answer on bob's stdin: %s", error ? error->message : "?");
  ck_assert_int_eq (wait_exit (alice), 3);
  ck_assert_str_eq (member (find_event (alice, "local-invitation-refused"), "response"),
                    "not now");
  ck_assert_int_eq (wait_exit (bob), 0);
}
END_TEST

START_TEST (test_peer_message_and_presence)
{
  const char *listen_args[] = { NULL };
  g_autoptr(Proc) bob = listener_new ("bob", 0, listen_args);
  g_autoptr(Proc) send = proc_spawn_as ("alice", 0, "send", "bob", "hi there", NULL);
  g_autoptr(Proc) presence = NULL;
  JsonObject *message;

  ck_assert_int_eq (wait_exit (send), 0);
  message = wait_event (bob, "message-received");
  ck_assert_str_eq (member (message, "peer"), "alice");
  ck_assert_str_eq (member (message, "text"), "hi there");

  presence = proc_spawn_as ("carol", 0, "presence", "bob", "nobody", NULL);
  ck_assert_int_eq (wait_exit (presence), 0);
  for (guint i = 0; i < presence->events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (presence->events, i);

      if (!g_str_equal (event_name (event), "presence"))
        continue;
      ck_assert_int_eq (json_object_get_boolean_member (event, "online"),
                        g_str_equal (member (event, "uid"), "bob"));
    }
  ck_assert_ptr_nonnull (find_event (presence, "presence"));
}
END_TEST

START_TEST (test_unreachable_server_exits_2)
{
  const char *args[] = { "--server", "ws://127.0.0.1:1/rtm", "--uid", "alice", "--json",
                         "invite", "bob", NULL };
  g_autoptr(Proc) alice = proc_spawnv ("alice", G_SUBPROCESS_FLAGS_STDERR_SILENCE, args);

  ck_assert_int_eq (wait_exit (alice), 2);
  ck_assert_ptr_nonnull (find_event (alice, "error"));
}
END_TEST

#ifdef HAVE_VOICE_TESTS
/* The loudest level the process heard from its peer, in dB. */
static double
loudest_received (Proc *proc)
{
  double loudest = -200;

  for (guint i = 0; i < proc->events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (proc->events, i);

      if (g_str_equal (event_name (event), "voice-levels"))
        loudest = MAX (loudest, json_object_get_double_member (event, "output_db"));
    }
  return loudest;
}

static const char *
voice_end_reason (Proc *proc)
{
  for (guint i = 0; i < proc->events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (proc->events, i);

      if (g_str_equal (event_name (event), "voice-state") &&
          g_str_equal (member (event, "state"), "ended"))
        return member (event, "reason");
    }
  ck_abort_msg ("%s's call never ended; it printed:\n%s", proc->name, proc->raw->str);
  return NULL;
}

START_TEST (test_accepted_call_carries_tones_both_ways_until_duration)
{
  const char *listen_args[] = { "--accept", "--test-audio", "--count", "1", NULL };
  g_autoptr(Proc) bob = listener_new ("bob", 0, listen_args);
  g_autoptr(Proc) alice = proc_spawn_as ("alice", 0, "call", "bob", "--test-audio",
                                         "--duration", "2.5", NULL);

  ck_assert_int_eq (wait_exit (alice), 0);
  ck_assert_int_eq (wait_exit (bob), 0);
  ck_assert_str_eq (voice_end_reason (alice), "hangup-local");
  ck_assert_str_eq (voice_end_reason (bob), "hangup-remote");
  /* A -20 dB tone each way; silence reads -100 dB. */
  ck_assert_msg (loudest_received (alice) > -40, "alice heard nothing:\n%s", alice->raw->str);
  ck_assert_msg (loudest_received (bob) > -40, "bob heard nothing:\n%s", bob->raw->str);
}
END_TEST

START_TEST (test_interrupt_during_a_call_hangs_up_both_sides)
{
  const char *listen_args[] = { "--accept", "--test-audio", "--count", "1", NULL };
  g_autoptr(Proc) bob = listener_new ("bob", 0, listen_args);
  g_autoptr(Proc) alice = proc_spawn_as ("alice", 0, "call", "bob", "--test-audio", NULL);
  gboolean connected = FALSE;

  /* Wait for alice's "connected" state, then press Ctrl-C. */
  while (!connected)
    {
      JsonObject *event = wait_event (alice, "voice-state");

      connected = g_str_equal (member (event, "state"), "connected");
      if (!connected)
        {
          /* Drop it so wait_event finds the next one. */
          g_ptr_array_remove (alice->events, event);
        }
    }
  g_subprocess_send_signal (alice->process, SIGINT);
  ck_assert_int_eq (wait_exit (alice), 0);
  ck_assert_int_eq (wait_exit (bob), 0);
  ck_assert_str_eq (voice_end_reason (alice), "hangup-local");
  ck_assert_str_eq (voice_end_reason (bob), "hangup-remote");
}
END_TEST

START_TEST (test_echo_service_plays_the_caller_back)
{
  const char *args[] = { "--server", rtm_test_server_get_uri (server), "--json", "echo",
                         "--delay", "700", NULL };
  g_autoptr(Proc) echo = proc_spawnv ("echo", 0, args);
  g_autoptr(Proc) alice = NULL;

  wait_event (echo, "logged-in");
  alice = proc_spawn_as ("alice", 0, "call", "echo", "--test-audio", "--duration", "3.5", NULL);
  ck_assert_int_eq (wait_exit (alice), 0);
  ck_assert_ptr_nonnull (wait_event (echo, "echo-call-ended"));
  ck_assert_str_eq (member (find_event (echo, "echo-call-started"), "peer"), "alice");
  ck_assert_msg (loudest_received (alice) > -40, "alice heard no echo:\n%s", alice->raw->str);

  g_subprocess_send_signal (echo->process, SIGINT);
  ck_assert_int_eq (wait_exit (echo), 0);
}
END_TEST
#endif

#ifndef HAVE_VOICE_TESTS
START_TEST (test_echo_without_voice_says_not_built)
{
  const char *args[] = { "--server", rtm_test_server_get_uri (server), "--json", "echo", NULL };
  g_autoptr(Proc) echo = proc_spawnv ("echo", G_SUBPROCESS_FLAGS_STDERR_SILENCE, args);

  ck_assert_int_eq (wait_exit (echo), 7);
  ck_assert_msg (strstr (member (find_event (echo, "error"), "message"), "not built") != NULL,
                 "echo printed:\n%s", echo->raw->str);
}
END_TEST
#endif

/* Bad command lines: exit 1 and a message naming the problem on stderr. */
static const struct {
  const char *args[8];
  const char *message;
} bad_lines[] = {
  { { NULL }, "no command" },
  { { "dance", NULL }, "unknown command" },
  { { "--uid", "alice", "call", NULL }, "exactly one PEER" },
  { { "--uid", "alice", "call", "bob", "carol", NULL }, "exactly one PEER" },
  { { "--uid", "has space", "invite", "bob", NULL }, "not a valid id" },
  { { "--uid", "alice", "listen", "--accept", "--refuse", NULL }, "exclude each other" },
  { { "--uid", "alice", "invite", "bob", "--timeout", "-1", NULL }, "--timeout" },
  { { "--uid", "alice", "invite", "bob", "--frobnicate", NULL }, "frobnicate" },
  { { "--server", "http://example.org/", "--uid", "alice", "invite", "bob", NULL }, "ws://" },
  { { "--uid", "alice", "listen", "--response", "x", NULL }, "--response needs" },
  { { "echo", "--delay", "20000", NULL }, "--delay" },
};

START_TEST (test_bad_arguments_exit_1_with_a_message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *err = NULL;

  g_strv_builder_add (builder, rtm_call_path ());
  g_strv_builder_addv (builder, (const char **) bad_lines[_i].args);
  argv = g_strv_builder_end (builder);
  process = g_subprocess_newv ((const char * const *) argv,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  ck_assert_ptr_nonnull (process);
  ck_assert (g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error));
  ck_assert_msg (g_subprocess_get_if_exited (process), "rtm-call crashed on bad line %d", _i);
  ck_assert_int_eq (g_subprocess_get_exit_status (process), 1);
  ck_assert_msg (strstr (err, bad_lines[_i].message) != NULL,
                 "line %d: stderr \"%s\" does not mention \"%s\"", _i, err, bad_lines[_i].message);
}
END_TEST

START_TEST (test_help_lists_commands_options_and_exit_codes)
{
  const char *lines[][3] = {
    { "--help", NULL, NULL },
    { "call", "--help", NULL },
    { "listen", "--help", NULL },
  };
  const char *wanted[][3] = {
    { "invite PEER", "Exit codes", "RTM_SERVER_URI" },
    { "--timeout", "--test-audio", "--duration" },
    { "--interactive", "--response", "--count" },
  };

  for (guint l = 0; l < G_N_ELEMENTS (lines); l++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) argv = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autofree char *out = NULL;

      g_strv_builder_add (builder, rtm_call_path ());
      g_strv_builder_addv (builder, (const char **) lines[l]);
      argv = g_strv_builder_end (builder);
      process = g_subprocess_newv ((const char * const *) argv,
                                   G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
      ck_assert_ptr_nonnull (process);
      ck_assert (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
      ck_assert_int_eq (g_subprocess_get_exit_status (process), 0);
      for (guint w = 0; w < G_N_ELEMENTS (wanted[l]); w++)
        ck_assert_msg (strstr (out, wanted[l][w]) != NULL,
                       "\"rtm-call %s\" does not mention %s:\n%s",
                       g_strjoinv (" ", (char **) lines[l]), wanted[l][w], out);
    }
}
END_TEST

static Suite *
cli_suite (void)
{
  Suite *s = suite_create ("cli");
  TCase *tc;

  tc = tcase_create ("signalling");
  tcase_add_checked_fixture (tc, setup_server, teardown_server);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_accepted_invitation_reaches_both_sides_in_order);
  tcase_add_test (tc, test_refusal_carries_the_response_and_exits_3);
  tcase_add_test (tc, test_timeout_cancels_a_ringing_invitation);
  tcase_add_test (tc, test_interrupt_while_ringing_cancels);
  tcase_add_test (tc, test_offline_peer_fails_with_peer_offline);
  tcase_add_test (tc, test_callee_vanishing_while_ringing_fails_the_caller);
  tcase_add_test (tc, test_caller_vanishing_while_ringing_fails_the_callee);
  tcase_add_test (tc, test_a_second_login_of_the_same_user_ends_the_first_with_2);
  tcase_add_test (tc, test_interactive_answer_refuses_on_r);
  tcase_add_test (tc, test_peer_message_and_presence);
#ifndef HAVE_VOICE_TESTS
  tcase_add_test (tc, test_echo_without_voice_says_not_built);
#endif
  suite_add_tcase (s, tc);

  tc = tcase_create ("tokens");
  tcase_add_checked_fixture (tc, setup_secret_server, teardown_server);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_token_logs_in_and_a_wrong_one_exits_2);
  suite_add_tcase (s, tc);

  tc = tcase_create ("expiry");
  tcase_add_checked_fixture (tc, setup_short_lifetime_server, teardown_server);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_expiry_fails_both_sides_with_invitation_expire);
  suite_add_tcase (s, tc);

#ifdef HAVE_VOICE_TESTS
  tc = tcase_create ("audio");
  tcase_add_checked_fixture (tc, setup_server, teardown_server);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_accepted_call_carries_tones_both_ways_until_duration);
  tcase_add_test (tc, test_interrupt_during_a_call_hangs_up_both_sides);
  tcase_add_test (tc, test_echo_service_plays_the_caller_back);
  suite_add_tcase (s, tc);
#endif

  tc = tcase_create ("command line");
  tcase_set_timeout (tc, 30);
  tcase_add_loop_test (tc, test_bad_arguments_exit_1_with_a_message, 0, G_N_ELEMENTS (bad_lines));
  tcase_add_test (tc, test_help_lists_commands_options_and_exit_codes);
  tcase_add_test (tc, test_unreachable_server_exits_2);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (cli_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
