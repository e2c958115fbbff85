/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rtm-call"

#include "rtm-call-options.h"

#include <rtm-protocol.h>
#include <string.h>

G_DEFINE_QUARK (rtm-call-usage-error-quark, rtm_call_usage_error)

#define EXIT_CODES_TEXT \
  "Exit codes:\n" \
  "  0  accepted, answered as asked, sent, or the call ended normally\n" \
  "  1  bad command line\n" \
  "  2  the server could not be reached, or the login failed\n" \
  "  3  the callee refused\n" \
  "  4  canceled (Ctrl-C or --timeout), or canceled by the caller\n" \
  "  5  the invitation failed (peer offline, no response, expired),\n" \
  "     or the server rejected the request\n" \
  "  6  the call was dropped (connection lost, ICE failed, no media)\n" \
  "  7  the feature (audio, echo service) is not built in\n"

#define ENVIRONMENT_TEXT \
  "Environment:\n" \
  "  RTM_SERVER_URI  the server when --server is not given\n" \
  "                  (default " RTM_CALL_DEFAULT_SERVER_URI ")\n" \
  "  USER            the user id when --uid is not given\n"

#define COMMANDS_TEXT \
  "Commands:\n" \
  "  call PEER      invite PEER and, once accepted, talk (audio if built in)\n" \
  "  invite PEER    invite PEER, signalling only (call --no-audio)\n" \
  "  listen         wait for invitations and answer them\n" \
  "  echo           the echo service: accept every call, play it back\n" \
  "  send PEER TEXT send a peer message\n" \
  "  presence UID…  tell whether users are online\n" \
  "\n" \
  "Cancel an invitation with Ctrl-C while it rings, or with call --timeout.\n" \
  "Run \"rtm-call COMMAND --help\" for a command's options."

typedef struct {
  RtmCallCommand  command;
  const char     *name;
  const char     *parameters;
  const char     *summary;
} CommandInfo;

static const CommandInfo commands[] = {
  { RTM_CALL_COMMAND_CALL, "call", "PEER",
    "Invites PEER and prints each event as it happens. Once accepted it runs\n"
    "a voice call (unless --no-audio) until Ctrl-C, --duration or the peer\n"
    "hangs up. Ctrl-C while ringing cancels the invitation." },
  { RTM_CALL_COMMAND_INVITE, "invite", "PEER",
    "Invites PEER, signalling only (the same as call --no-audio), and exits\n"
    "when the invitation ends. Ctrl-C while ringing cancels it." },
  { RTM_CALL_COMMAND_LISTEN, "listen", NULL,
    "Waits for invitations and answers them as the flags say, or not at all\n"
    "without --accept, --refuse or --interactive (they ring until the caller\n"
    "cancels or they expire). With --count N it exits after N invitations\n"
    "ended; its exit code is the last one's: 0 answered as asked,\n"
    "4 canceled by the caller, 5 failed (expired, caller went offline)." },
  { RTM_CALL_COMMAND_ECHO, "echo", NULL,
    "The echo service: logs in (as \"" RTM_CALL_ECHO_UID "\" unless --uid is given),\n"
    "accepts every invitation and plays each caller's audio back to them\n"
    "about a second later. Several callers at once each get their own call." },
  { RTM_CALL_COMMAND_SEND, "send", "PEER TEXT",
    "Sends TEXT to PEER as a peer message." },
  { RTM_CALL_COMMAND_PRESENCE, "presence", "UID…",
    "Prints whether each UID is online." },
};

static const CommandInfo *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

const char *
rtm_call_command_to_string (RtmCallCommand command)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (commands[i].command == command)
      return commands[i].name;
  return "none";
}

void
rtm_call_options_free (RtmCallOptions *options)
{
  if (options == NULL)
    return;

  g_free (options->server_uri);
  g_free (options->uid);
  g_free (options->token);
  g_free (options->peer);
  g_free (options->content);
  g_free (options->channel);
  g_free (options->response);
  g_free (options->text);
  g_strfreev (options->uids);
  g_free (options);
}

/* The raw values GOptionContext fills in, before they are checked. */
typedef struct {
  gboolean  help;
  char     *server_uri;
  char     *uid;
  char     *token;
  gboolean  json;
  char     *content;
  char     *channel;
  double    timeout;
  double    duration;
  gboolean  no_audio;
  gboolean  test_audio;
  gboolean  accept;
  gboolean  refuse;
  gboolean  interactive;
  char     *response;
  int       count;
  int       delay_ms;
} Raw;

static void
raw_clear (Raw *raw)
{
  g_clear_pointer (&raw->server_uri, g_free);
  g_clear_pointer (&raw->uid, g_free);
  g_clear_pointer (&raw->token, g_free);
  g_clear_pointer (&raw->content, g_free);
  g_clear_pointer (&raw->channel, g_free);
  g_clear_pointer (&raw->response, g_free);
}

/* Global options that take a value, so the scan for the command word can
 * skip their values. */
static gboolean
takes_value (const char *arg)
{
  static const char * const with_value[] = { "--server", "--uid", "--token", "-s", "-u", "-t" };

  for (guint i = 0; i < G_N_ELEMENTS (with_value); i++)
    if (strcmp (arg, with_value[i]) == 0)
      return TRUE;
  return FALSE;
}

static GOptionGroup *
global_group_new (Raw *raw)
{
  const GOptionEntry entries[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, &raw->server_uri,
      "The server (default $RTM_SERVER_URI or " RTM_CALL_DEFAULT_SERVER_URI ")", "URI" },
    { "uid", 'u', 0, G_OPTION_ARG_STRING, &raw->uid,
      "Log in as ID (default $USER)", "ID" },
    { "token", 't', 0, G_OPTION_ARG_STRING, &raw->token,
      "The login token (rtm-server token --uid ID mints one)", "TOKEN" },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &raw->json,
      "Print each event as one JSON object per line", NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &raw->help,
      "Show help", NULL },
    { NULL }
  };
  GOptionGroup *group;

  group = g_option_group_new ("global", "Global options (before or after the command):",
                              "Show the global options", NULL, NULL);
  g_option_group_add_entries (group, entries);
  return group;
}

static void
add_command_entries (GOptionContext *context,
                     RtmCallCommand  command,
                     Raw            *raw)
{
  const GOptionEntry invite_entries[] = {
    { "content", 'c', 0, G_OPTION_ARG_STRING, &raw->content,
      "Text sent with the invitation (at most 8 KiB)", "TEXT" },
    { "channel", 'C', 0, G_OPTION_ARG_STRING, &raw->channel,
      "The channel id for the call (call: a random one by default)", "ID" },
    { "timeout", 'T', 0, G_OPTION_ARG_DOUBLE, &raw->timeout,
      "Cancel the invitation if it has not been answered after S seconds", "S" },
    { NULL }
  };
  const GOptionEntry audio_entries[] = {
    { "no-audio", 0, 0, G_OPTION_ARG_NONE, &raw->no_audio,
      "Signalling only: no voice session after the accept", NULL },
    { "test-audio", 0, 0, G_OPTION_ARG_NONE, &raw->test_audio,
      "Send a test tone instead of the microphone, play into a null sink, and print levels", NULL },
    { NULL }
  };
  const GOptionEntry duration_entries[] = {
    { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &raw->duration,
      "Hang up S seconds after the call connected (default: on Ctrl-C)", "S" },
    { NULL }
  };
  const GOptionEntry listen_entries[] = {
    { "accept", 'a', 0, G_OPTION_ARG_NONE, &raw->accept,
      "Accept every invitation", NULL },
    { "refuse", 'r', 0, G_OPTION_ARG_NONE, &raw->refuse,
      "Refuse every invitation", NULL },
    { "interactive", 'i', 0, G_OPTION_ARG_NONE, &raw->interactive,
      "Ask on standard input: a(ccept), r(efuse) or i(gnore)", NULL },
    { "response", 'R', 0, G_OPTION_ARG_STRING, &raw->response,
      "Text sent back with the answer (at most 8 KiB)", "TEXT" },
    { "count", 'n', 0, G_OPTION_ARG_INT, &raw->count,
      "Exit after N invitations ended (default: never)", "N" },
    { NULL }
  };

  const GOptionEntry echo_entries[] = {
    { "delay", 'D', 0, G_OPTION_ARG_INT, &raw->delay_ms,
      "How late callers hear themselves, in milliseconds (default 1000)", "MS" },
    { NULL }
  };

  switch (command)
    {
    case RTM_CALL_COMMAND_CALL:
      g_option_context_add_main_entries (context, invite_entries, NULL);
      g_option_context_add_main_entries (context, audio_entries, NULL);
      g_option_context_add_main_entries (context, duration_entries, NULL);
      break;
    case RTM_CALL_COMMAND_INVITE:
      g_option_context_add_main_entries (context, invite_entries, NULL);
      break;
    case RTM_CALL_COMMAND_LISTEN:
      g_option_context_add_main_entries (context, listen_entries, NULL);
      g_option_context_add_main_entries (context, audio_entries, NULL);
      g_option_context_add_main_entries (context, duration_entries, NULL);
      break;
    case RTM_CALL_COMMAND_ECHO:
      g_option_context_add_main_entries (context, echo_entries, NULL);
      break;
    case RTM_CALL_COMMAND_SEND:
    case RTM_CALL_COMMAND_PRESENCE:
    case RTM_CALL_COMMAND_NONE:
    default:
      break;
    }
}

static gboolean
usage_error (GError    **error,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
usage_error (GError    **error,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (RTM_CALL_USAGE_ERROR,
                                                RTM_CALL_USAGE_ERROR_INVALID,
                                                format, args));
  va_end (args);
  return FALSE;
}

static gboolean
check_id (const char  *what,
          const char  *id,
          GError     **error)
{
  if (!rtm_id_is_valid (id))
    return usage_error (error, "%s \"%s\" is not a valid id (1-64 printable ASCII "
                        "characters without space)", what, id);
  return TRUE;
}

static gboolean
check_seconds (const char  *option,
               double       value,
               GError     **error)
{
  /* An upper bound keeps the value convertible to milliseconds. */
  if (!(value >= 0 && value <= 86400.0 * 365))
    return usage_error (error, "%s must be a number of seconds, 0 or more", option);
  return TRUE;
}

static gboolean
fill_options (RtmCallOptions     *options,
              Raw                *raw,
              int                 n_args,
              const char * const *args,
              gboolean            have_voice,
              GError            **error)
{
  const char *env_uri = g_getenv ("RTM_SERVER_URI");
  const char *command_name = rtm_call_command_to_string (options->command);
  gboolean wants_audio;

  options->json = raw->json;

  if (raw->server_uri != NULL)
    options->server_uri = g_strdup (raw->server_uri);
  else if (env_uri != NULL && *env_uri != '\0')
    options->server_uri = g_strdup (env_uri);
  else
    options->server_uri = g_strdup (RTM_CALL_DEFAULT_SERVER_URI);

  if (!g_uri_is_valid (options->server_uri, G_URI_FLAGS_NONE, NULL) ||
      !(g_str_has_prefix (options->server_uri, "ws://") ||
        g_str_has_prefix (options->server_uri, "wss://")))
    return usage_error (error, "the server \"%s\" is not a ws:// or wss:// URI",
                        options->server_uri);

  if (raw->uid != NULL)
    {
      if (!check_id ("the user id", raw->uid, error))
        return FALSE;
      options->uid = g_strdup (raw->uid);
    }
  else if (options->command == RTM_CALL_COMMAND_ECHO)
    {
      options->uid = g_strdup (RTM_CALL_ECHO_UID);
    }
  else
    {
      const char *user = g_getenv ("USER");

      if (user == NULL || !rtm_id_is_valid (user))
        return usage_error (error, "no user id: pass --uid ID ($USER is not set or not a valid id)");
      options->uid = g_strdup (user);
    }
  options->token = g_strdup (raw->token);

  if (raw->content != NULL && strlen (raw->content) > RTM_MAX_CONTENT_LENGTH)
    return usage_error (error, "--content is longer than %d bytes", RTM_MAX_CONTENT_LENGTH);
  options->content = g_strdup (raw->content);
  if (raw->channel != NULL && !check_id ("the channel", raw->channel, error))
    return FALSE;
  options->channel = g_strdup (raw->channel);
  if (!check_seconds ("--timeout", raw->timeout, error) ||
      !check_seconds ("--duration", raw->duration, error))
    return FALSE;
  options->timeout = raw->timeout;
  options->duration = raw->duration;

  if (raw->response != NULL && strlen (raw->response) > RTM_MAX_CONTENT_LENGTH)
    return usage_error (error, "--response is longer than %d bytes", RTM_MAX_CONTENT_LENGTH);
  options->response = g_strdup (raw->response);
  if (raw->count < 0)
    return usage_error (error, "--count must be 0 or more");
  options->count = raw->count;
  if (raw->delay_ms < 0 || raw->delay_ms > RTM_CALL_ECHO_MAX_DELAY_MS)
    return usage_error (error, "--delay must be 0 to %d milliseconds", RTM_CALL_ECHO_MAX_DELAY_MS);
  options->delay_ms = raw->delay_ms;

  if ((raw->accept ? 1 : 0) + (raw->refuse ? 1 : 0) + (raw->interactive ? 1 : 0) > 1)
    return usage_error (error, "--accept, --refuse and --interactive exclude each other");
  if (raw->accept)
    options->answer = RTM_CALL_ANSWER_ACCEPT;
  else if (raw->refuse)
    options->answer = RTM_CALL_ANSWER_REFUSE;
  else if (raw->interactive)
    options->answer = RTM_CALL_ANSWER_INTERACTIVE;
  if (options->response != NULL && options->answer == RTM_CALL_ANSWER_NONE)
    return usage_error (error, "--response needs --accept, --refuse or --interactive");

  if (raw->no_audio && raw->test_audio)
    return usage_error (error, "--no-audio and --test-audio exclude each other");

  switch (options->command)
    {
    case RTM_CALL_COMMAND_CALL:
    case RTM_CALL_COMMAND_LISTEN:
      wants_audio = !raw->no_audio;
      break;
    case RTM_CALL_COMMAND_ECHO:
      wants_audio = TRUE;
      break;
    case RTM_CALL_COMMAND_INVITE:
    case RTM_CALL_COMMAND_SEND:
    case RTM_CALL_COMMAND_PRESENCE:
    case RTM_CALL_COMMAND_NONE:
    default:
      wants_audio = FALSE;
      break;
    }

  if (raw->test_audio && !have_voice)
    {
      g_set_error (error, RTM_CALL_USAGE_ERROR, RTM_CALL_USAGE_ERROR_NOT_BUILT,
                   "--test-audio: audio is not built into this rtm-call");
      return FALSE;
    }
  /* Without voice, audio is off by default rather than an error, so
   * "call" still places invitations. The echo service reports at run time. */
  options->audio = wants_audio && (have_voice || options->command == RTM_CALL_COMMAND_ECHO);
  options->test_audio = raw->test_audio;

  if (options->duration > 0 && !options->audio)
    return usage_error (error, "--duration needs audio");

  switch (options->command)
    {
    case RTM_CALL_COMMAND_CALL:
    case RTM_CALL_COMMAND_INVITE:
      if (n_args != 1)
        return usage_error (error, "%s takes exactly one PEER", command_name);
      if (!check_id ("the peer", args[0], error))
        return FALSE;
      options->peer = g_strdup (args[0]);
      break;

    case RTM_CALL_COMMAND_SEND:
      if (n_args != 2)
        return usage_error (error, "send takes a PEER and a TEXT");
      if (!check_id ("the peer", args[0], error))
        return FALSE;
      if (strlen (args[1]) > RTM_MAX_TEXT_LENGTH)
        return usage_error (error, "the text is longer than %d bytes", RTM_MAX_TEXT_LENGTH);
      options->peer = g_strdup (args[0]);
      options->text = g_strdup (args[1]);
      break;

    case RTM_CALL_COMMAND_PRESENCE:
      if (n_args < 1 || n_args > RTM_MAX_PRESENCE_UIDS)
        return usage_error (error, "presence takes 1 to %d user ids", RTM_MAX_PRESENCE_UIDS);
      for (int i = 0; i < n_args; i++)
        if (!check_id ("the user id", args[i], error))
          return FALSE;
      options->uids = g_strdupv ((char **) args);
      break;

    case RTM_CALL_COMMAND_LISTEN:
    case RTM_CALL_COMMAND_ECHO:
      if (n_args != 0)
        return usage_error (error, "%s takes no arguments, \"%s\" is one too many",
                            command_name, args[0]);
      break;

    case RTM_CALL_COMMAND_NONE:
    default:
      g_assert_not_reached ();
    }

  return TRUE;
}

static char *
top_level_help (gboolean have_voice)
{
  g_autoptr(GOptionContext) context = NULL;
  Raw raw = { 0 };
  char *help;

  context = g_option_context_new ("COMMAND [ARGUMENTS…]");
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_summary (context,
                                "Places and answers RTM call invitations and, once accepted, "
                                "voice calls.\n\n" COMMANDS_TEXT);
  g_option_context_set_description (context, EXIT_CODES_TEXT "\n" ENVIRONMENT_TEXT);
  g_option_context_set_main_group (context, global_group_new (&raw));
  help = g_option_context_get_help (context, TRUE, NULL);
  raw_clear (&raw);
  return help;
}

RtmCallOptions *
rtm_call_options_parse (int                  argc,
                        const char * const  *argv,
                        gboolean             have_voice,
                        char               **out_help,
                        GError             **error)
{
  g_autoptr(RtmCallOptions) options = g_new0 (RtmCallOptions, 1);
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  g_autofree char *parameter = NULL;
  g_auto(GStrv) args = NULL;
  const CommandInfo *info = NULL;
  int command_index = -1;
  int n_args;
  Raw raw = { .delay_ms = RTM_CALL_ECHO_DELAY_MS };
  gboolean ok;

  g_return_val_if_fail (argc >= 1, NULL);
  g_return_val_if_fail (argv != NULL, NULL);
  g_return_val_if_fail (out_help != NULL && *out_help == NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The command is the first word that is neither an option nor the value
   * of a global option. */
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        break;
      if (argv[i][0] == '-' && argv[i][1] != '\0')
        {
          if (takes_value (argv[i]))
            i++;
          continue;
        }
      command_index = i;
      break;
    }

  if (command_index < 0)
    {
      for (int i = 1; i < argc; i++)
        if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
          {
            *out_help = top_level_help (have_voice);
            return NULL;
          }
      usage_error (error, "no command given (call, invite, listen, echo, send or presence)");
      return NULL;
    }

  info = find_command (argv[command_index]);
  if (info == NULL)
    {
      usage_error (error, "unknown command \"%s\"", argv[command_index]);
      return NULL;
    }
  options->command = info->command;

  /* One context holds the global options and the command's, so global
   * options may come before or after the command. */
  parameter = g_strdup_printf ("%s%s%s", info->name,
                               info->parameters ? " " : "",
                               info->parameters ? info->parameters : "");
  context = g_option_context_new (parameter);
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_summary (context, info->summary);
  g_option_context_set_description (context, EXIT_CODES_TEXT);
  g_option_context_add_group (context, global_group_new (&raw));
  add_command_entries (context, info->command, &raw);

  for (int i = 0; i < argc; i++)
    if (i != command_index)
      g_ptr_array_add (rest, g_strdup (argv[i]));
  g_ptr_array_add (rest, NULL);
  args = (GStrv) g_ptr_array_steal (rest, NULL);
  n_args = (int) g_strv_length (args);

  {
    /* g_option_context_parse() rearranges and frees elements of the
     * vector it gets, so hand it a shallow copy and free ours. */
    g_autofree char **shallow = g_memdup2 (args, sizeof (char *) * (n_args + 1));

    ok = g_option_context_parse (context, &n_args, &shallow, error);
    if (ok)
      {
        if (raw.help)
          {
            *out_help = g_option_context_get_help (context, FALSE, NULL);
            raw_clear (&raw);
            return NULL;
          }
        ok = fill_options (options, &raw, n_args - 1,
                           (const char * const *) shallow + 1, have_voice, error);
      }
    else if (error != NULL && *error != NULL)
      {
        /* GOptionError becomes ours, with the same message. */
        g_autoptr(GError) option_error = g_steal_pointer (error);

        g_set_error_literal (error, RTM_CALL_USAGE_ERROR, RTM_CALL_USAGE_ERROR_INVALID,
                             option_error->message);
      }
  }

  raw_clear (&raw);
  if (!ok)
    return NULL;
  return g_steal_pointer (&options);
}
