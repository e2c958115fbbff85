/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "rtm-server"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "rtm-server.h"

typedef struct {
  RtmServer       *server;
  RtmServerConfig *config;   /* unowned: the server's, for reloads */
  gboolean         stopping;
} Context;

static gboolean
on_stop_deadline (gpointer user_data)
{
  Context *context = user_data;

  rtm_server_quit (context->server);
  return G_SOURCE_REMOVE;
}

static gboolean
on_drained (gpointer user_data)
{
  Context *context = user_data;

  if (rtm_server_get_n_connections (context->server) > 0)
    return G_SOURCE_CONTINUE;
  rtm_server_quit (context->server);
  return G_SOURCE_REMOVE;
}

static gboolean
on_stop_signal (gpointer user_data)
{
  Context *context = user_data;

  if (context->stopping)
    return G_SOURCE_CONTINUE;
  context->stopping = TRUE;
  g_debug ("shutting down");
  rtm_server_shutdown (context->server);
  /* Give the close frames a moment to leave, then go regardless. */
  g_timeout_add (20, on_drained, context);
  g_timeout_add (1000, on_stop_deadline, context);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_reload_signal (gpointer user_data)
{
  Context *context = user_data;
  g_autoptr(GError) error = NULL;
  RtmServerConfig *fresh;

  fresh = rtm_server_config_reload (context->config, &error);
  if (fresh == NULL || !rtm_server_reload (context->server, fresh, &error))
    g_printerr ("rtm-server: reload failed, keeping the old settings: %s\n", error->message);
  else
    g_printerr ("rtm-server: reloaded the secret%s\n",
                rtm_server_config_has_tls (context->config) ? " and the TLS certificate" : "");
  return G_SOURCE_CONTINUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(RtmServerConfig) config = NULL;
  g_autoptr(RtmServer) server = NULL;
  g_autoptr(GError) error = NULL;
  Context context = { 0 };

  setlocale (LC_ALL, "");
  signal (SIGPIPE, SIG_IGN);
  /* stdout carries the "listening on URI" contract; every log line goes to stderr. */
  g_log_writer_default_set_use_stderr (TRUE);

  if (argc > 1 && g_str_equal (argv[1], "token"))
    return rtm_server_config_run_token_command (argc - 1, argv + 1);

  config = rtm_server_config_new ();
  if (!rtm_server_config_parse_args (config, &argc, &argv, &error))
    {
      g_printerr ("rtm-server: %s\n", error->message);
      return 2;
    }

  context.config = config;
  server = rtm_server_new (g_steal_pointer (&config));
  context.server = server;
  /* Before the "listening on" line: whoever reads it may signal at once. */
  g_unix_signal_add (SIGINT, on_stop_signal, &context);
  g_unix_signal_add (SIGTERM, on_stop_signal, &context);
  g_unix_signal_add (SIGHUP, on_reload_signal, &context);

  if (!rtm_server_start (server, &error))
    {
      g_printerr ("rtm-server: %s\n", error->message);
      return 1;
    }

  /* Tests and tools wait for this exact line. */
  printf ("listening on %s\n", rtm_server_get_uri (server));
  fflush (stdout);
  if (!rtm_server_config_has_secret (context.config))
    g_printerr ("rtm-server: no secret configured: open development mode, "
                "any user id logs in without a token\n");

  rtm_server_run (server);

  return 0;
}
