/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rtm-test-server.h"

#include <check.h>
#include <signal.h>
#include <string.h>

struct _RtmTestServer
{
  GSubprocess *process;
  GThread     *drain;
  GStrv        argv;
  char        *uri;
  guint16      port;
};

static const char *
server_path (void)
{
  const char *path = g_getenv ("RTM_SERVER_PATH");

  ck_assert_msg (path != NULL && *path != '\0', "RTM_SERVER_PATH is not set");
  return path;
}

/* Keeps reading the server's stdout (debug output goes there with
 * G_MESSAGES_DEBUG set) so a full pipe never blocks the server. */
static gpointer
drain_output (gpointer data)
{
  g_autoptr(GInputStream) stream = data;
  char buffer[4096];

  while (g_input_stream_read (stream, buffer, sizeof buffer, NULL, NULL) > 0)
    ;
  return NULL;
}

static void
spawn (RtmTestServer *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) data = NULL;
  g_autofree char *line = NULL;
  const char *rest;
  GInputStream *out;

  self->process = g_subprocess_newv ((const char * const *) self->argv,
                                     G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  ck_assert_msg (self->process != NULL, "cannot start rtm-server: %s",
                 error ? error->message : "?");

  out = g_subprocess_get_stdout_pipe (self->process);
  data = g_data_input_stream_new (out);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (data), FALSE);
  line = g_data_input_stream_read_line_utf8 (data, NULL, NULL, &error);
  ck_assert_msg (line != NULL, "rtm-server printed no \"listening on\" line: %s",
                 error ? error->message : "end of output");
  ck_assert_msg (g_str_has_prefix (line, "listening on "),
                 "rtm-server's first line is \"%s\", not \"listening on URI\"", line);
  rest = line + strlen ("listening on ");
  g_free (self->uri);
  self->uri = g_strdup (rest);

  {
    g_autoptr(GUri) parsed = g_uri_parse (self->uri, G_URI_FLAGS_NONE, &error);

    ck_assert_msg (parsed != NULL, "rtm-server printed a bad URI \"%s\"", self->uri);
    self->port = (guint16) g_uri_get_port (parsed);
  }

  self->drain = g_thread_new ("rtm-test-server-drain", drain_output, g_object_ref (data));
}

RtmTestServer *
rtm_test_server_start (const char * const *extra_args)
{
  RtmTestServer *self = g_new0 (RtmTestServer, 1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add (builder, server_path ());
  g_strv_builder_add_many (builder, "--address", "127.0.0.1", "--port", "0", NULL);
  if (extra_args != NULL)
    g_strv_builder_addv (builder, (const char **) extra_args);
  self->argv = g_strv_builder_end (builder);

  spawn (self);
  return self;
}

const char *
rtm_test_server_get_uri (RtmTestServer *self)
{
  return self->uri;
}

guint16
rtm_test_server_get_port (RtmTestServer *self)
{
  return self->port;
}

GPid
rtm_test_server_get_pid (RtmTestServer *self)
{
  const char *id = self->process ? g_subprocess_get_identifier (self->process) : NULL;

  return id ? (GPid) atoi (id) : 0;
}

void
rtm_test_server_stop (RtmTestServer *self)
{
  if (self->process == NULL)
    return;
  g_subprocess_send_signal (self->process, SIGTERM);
  g_subprocess_wait (self->process, NULL, NULL);
  g_clear_pointer (&self->drain, g_thread_join);
  g_clear_object (&self->process);
}

void
rtm_test_server_restart (RtmTestServer *self)
{
  g_autofree char *port = g_strdup_printf ("%u", self->port);

  rtm_test_server_stop (self);
  /* Same port, so clients reconnect to the URI they know. */
  for (guint i = 0; self->argv[i] != NULL; i++)
    if (g_str_equal (self->argv[i], "--port") && self->argv[i + 1] != NULL)
      {
        g_free (self->argv[i + 1]);
        self->argv[i + 1] = g_strdup (port);
        break;
      }
  spawn (self);
}

void
rtm_test_server_free (RtmTestServer *self)
{
  if (self == NULL)
    return;
  rtm_test_server_stop (self);
  g_strfreev (self->argv);
  g_free (self->uri);
  g_free (self);
}

static gboolean
on_deadline (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

void
rtm_test_wait_for_impl (const gboolean *flag,
                        guint           timeout_ms,
                        const char     *what,
                        const char     *file,
                        int             line)
{
  GMainContext *context = g_main_context_ref_thread_default ();
  gboolean expired = FALSE;
  GSource *deadline = g_timeout_source_new (timeout_ms);

  g_source_set_callback (deadline, on_deadline, &expired, NULL);
  g_source_attach (deadline, context);
  while (!*flag && !expired)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (deadline);
  g_source_unref (deadline);
  g_main_context_unref (context);

  if (!*flag)
    ck_abort_msg ("%s:%d: %s did not happen within %u ms", file, line, what, timeout_ms);
}

void
rtm_test_run_for (guint ms)
{
  GMainContext *context = g_main_context_ref_thread_default ();
  gboolean expired = FALSE;
  GSource *deadline = g_timeout_source_new (ms);

  g_source_set_callback (deadline, on_deadline, &expired, NULL);
  g_source_attach (deadline, context);
  while (!expired)
    g_main_context_iteration (context, TRUE);
  g_source_unref (deadline);
  g_main_context_unref (context);
}
