/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "rtm-server"

#include "rtm-server-config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rtm-protocol.h"

#define GROUP "server"

typedef enum {
  KEY_STRING,
  KEY_PATH,      /* a string; relative paths in a file are relative to it */
  KEY_PORT,
  KEY_UINT,
  KEY_SECONDS,   /* a positive number, fractions allowed */
  KEY_LIST,
} KeyKind;

typedef struct {
  const char *name;
  KeyKind     kind;
  gsize       offset;
  double      min;
  double      max;
  const char *description;
  const char *arg_description;
} KeyInfo;

#define FIELD(f) G_STRUCT_OFFSET (RtmServerConfig, f)

/* One table drives the key file, the command line and --help. */
static const KeyInfo keys[] = {
  { "address", KEY_STRING, FIELD (address), 0, 0, "Address to listen on (default 127.0.0.1)", "ADDRESS" },
  { "port", KEY_PORT, FIELD (port), 0, 65535, "Port to listen on, 0 picks a free one (default 7600)", "PORT" },
  { "tls-certificate", KEY_PATH, FIELD (tls_certificate), 0, 0, "PEM certificate: serve wss://", "FILE" },
  { "tls-key", KEY_PATH, FIELD (tls_key), 0, 0, "PEM private key of the certificate", "FILE" },
  { "secret-file", KEY_PATH, FIELD (secret_file), 0, 0, "File holding the token secret", "FILE" },
  { "secret", KEY_STRING, FIELD (secret), 0, 0, NULL, NULL },   /* key file only: argv is public */
  { "invitation-lifetime", KEY_SECONDS, FIELD (invitation_lifetime), 0.001, 86400, "Seconds an invitation rings (default 60)", "SECONDS" },
  { "invitation-linger", KEY_SECONDS, FIELD (invitation_linger), 0, 86400, "Seconds an ended invitation is remembered (default 60)", "SECONDS" },
  { "ack-timeout", KEY_SECONDS, FIELD (ack_timeout), 0.001, 3600, "Seconds to wait for an event's ack (default 5)", "SECONDS" },
  { "auth-timeout", KEY_SECONDS, FIELD (auth_timeout), 0.001, 3600, "Seconds a connection may stay unauthenticated (default 10)", "SECONDS" },
  { "keepalive-interval", KEY_UINT, FIELD (keepalive_interval), 1, 3600, "Seconds between pings (default 15)", "SECONDS" },
  { "keepalive-timeout", KEY_SECONDS, FIELD (keepalive_timeout), 0.001, 86400, "Seconds of silence before a peer is dead (default 45)", "SECONDS" },
  { "max-frame-size", KEY_UINT, FIELD (max_frame_size), 64, RTM_HARD_MAX_FRAME_SIZE, "Largest frame in bytes (default 65536)", "BYTES" },
  { "rate-limit", KEY_SECONDS, FIELD (rate_limit), 0.001, 1e9, "Frames per second per connection (default 100)", "N" },
  { "flood-close", KEY_UINT, FIELD (flood_close), 1, G_MAXUINT, "Frames dropped in a row before closing (default 1000)", "N" },
  { "max-connections", KEY_UINT, FIELD (max_connections), 1, G_MAXUINT, "Open connections at most (default 100000)", "N" },
  { "workers", KEY_UINT, FIELD (workers), 0, 64, "I/O threads sharing the connections, 0 for none (default 32)", "N" },
  { "ice-server", KEY_LIST, FIELD (ice_servers), 0, 0, "STUN/TURN URI for clients (repeatable)", "URI" },
};

#define MEMBER(self, info, type) ((type *) G_STRUCT_MEMBER_P ((self), (info)->offset))

static void
set_defaults (RtmServerConfig *self)
{
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->tls_certificate, g_free);
  g_clear_pointer (&self->tls_key, g_free);
  g_clear_pointer (&self->secret, g_free);
  g_clear_pointer (&self->secret_file, g_free);
  g_clear_pointer (&self->ice_servers, g_strfreev);

  self->address = g_strdup ("127.0.0.1");
  self->port = RTM_SERVER_DEFAULT_PORT;
  self->invitation_lifetime = 60;
  self->invitation_linger = 60;
  self->ack_timeout = 5;
  self->auth_timeout = 10;
  self->keepalive_interval = 15;
  self->keepalive_timeout = 45;
  self->max_frame_size = RTM_DEFAULT_MAX_FRAME_SIZE;
  self->rate_limit = 100;
  self->flood_close = 1000;
  self->max_connections = 100000;
  self->workers = 32;
  self->ice_servers = g_new0 (char *, 1);
}

RtmServerConfig *
rtm_server_config_new (void)
{
  RtmServerConfig *self = g_new0 (RtmServerConfig, 1);

  self->cli = g_key_file_new ();
  set_defaults (self);
  return self;
}

void
rtm_server_config_free (RtmServerConfig *self)
{
  if (self == NULL)
    return;
  g_free (self->config_file);
  g_free (self->address);
  g_free (self->tls_certificate);
  g_free (self->tls_key);
  if (self->secret != NULL)
    memset (self->secret, 0, strlen (self->secret));
  g_free (self->secret);
  g_free (self->secret_file);
  g_strfreev (self->ice_servers);
  g_clear_pointer (&self->cli, g_key_file_unref);
  g_free (self);
}

static char *
resolve_path (const char *value,
              const char *base_file)
{
  g_autofree char *dir = NULL;

  if (base_file == NULL || g_path_is_absolute (value))
    return g_strdup (value);
  dir = g_path_get_dirname (base_file);
  return g_build_filename (dir, value, NULL);
}

static gboolean
apply_key (RtmServerConfig  *self,
           const KeyInfo    *info,
           GKeyFile         *key_file,
           const char       *base_file,
           GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *value = NULL;
  char *end = NULL;
  double number;

  if (!g_key_file_has_key (key_file, GROUP, info->name, NULL))
    return TRUE;

  if (info->kind == KEY_LIST)
    {
      GStrv *list = MEMBER (self, info, GStrv);
      GStrv items = g_key_file_get_string_list (key_file, GROUP, info->name, NULL, &local_error);

      if (items == NULL)
        items = g_new0 (char *, 1);
      for (guint i = 0; items[i] != NULL; i++)
        g_strstrip (items[i]);
      g_strfreev (*list);
      *list = items;
      return TRUE;
    }

  value = g_key_file_get_string (key_file, GROUP, info->name, &local_error);
  if (value == NULL)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "%s: %s", info->name, local_error->message);
      return FALSE;
    }
  g_strstrip (value);

  switch (info->kind)
    {
    case KEY_STRING:
    case KEY_PATH:
      {
        char **field = MEMBER (self, info, char *);

        g_free (*field);
        *field = info->kind == KEY_PATH && *value != '\0'
                 ? resolve_path (value, base_file) : g_strdup (value);
      }
      return TRUE;

    case KEY_PORT:
    case KEY_UINT:
    case KEY_SECONDS:
      errno = 0;
      number = g_ascii_strtod (value, &end);
      if (errno != 0 || end == value || *end != '\0' || !isfinite (number) ||
          number < info->min || number > info->max ||
          (info->kind != KEY_SECONDS && number != floor (number)))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "%s: \"%s\" is not a valid %s between %g and %g", info->name, value,
                       info->kind == KEY_SECONDS ? "number" : "whole number",
                       info->min, info->max);
          return FALSE;
        }
      if (info->kind == KEY_PORT)
        *MEMBER (self, info, guint16) = (guint16) number;
      else if (info->kind == KEY_UINT)
        *MEMBER (self, info, guint) = (guint) number;
      else
        *MEMBER (self, info, double) = number;
      return TRUE;

    case KEY_LIST:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
read_secret_file (RtmServerConfig  *self,
                  GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;

  if (self->secret_file == NULL || *self->secret_file == '\0')
    return TRUE;
  if (!g_file_get_contents (self->secret_file, &contents, NULL, &local_error))
    {
      g_set_error (error, G_FILE_ERROR, local_error->code,
                   "cannot read the secret: %s", local_error->message);
      return FALSE;
    }
  g_strstrip (contents);
  if (*contents == '\0')
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "the secret file %s is empty", self->secret_file);
      return FALSE;
    }
  g_free (self->secret);
  self->secret = g_steal_pointer (&contents);
  return TRUE;
}

static gboolean
finish (RtmServerConfig  *self,
        GError          **error)
{
  if (!read_secret_file (self, error))
    return FALSE;
  if ((self->tls_certificate == NULL || *self->tls_certificate == '\0') !=
      (self->tls_key == NULL || *self->tls_key == '\0'))
    {
      g_set_error_literal (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                           "tls-certificate and tls-key go together");
      return FALSE;
    }
  if (self->keepalive_timeout <= self->keepalive_interval)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "keepalive-timeout (%g) must be longer than keepalive-interval (%u)",
                   self->keepalive_timeout, self->keepalive_interval);
      return FALSE;
    }
  for (guint i = 0; self->ice_servers[i] != NULL; i++)
    {
      const char *uri = self->ice_servers[i];

      if (!g_str_has_prefix (uri, "stun://") && !g_str_has_prefix (uri, "turn://") &&
          !g_str_has_prefix (uri, "turns://"))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "ice-server \"%s\" is not a stun://, turn:// or turns:// URI", uri);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
rtm_server_config_load_key_file (RtmServerConfig  *self,
                                 GKeyFile         *key_file,
                                 GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  set_defaults (self);
  for (guint i = 0; key_file != NULL && i < G_N_ELEMENTS (keys); i++)
    if (!apply_key (self, &keys[i], key_file, self->config_file, error))
      return FALSE;
  /* Relative paths given on the command line are relative to the cwd. */
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (!apply_key (self, &keys[i], self->cli, NULL, error))
      return FALSE;
  return finish (self, error);
}

static gboolean
load (RtmServerConfig  *self,
      GError          **error)
{
  g_autoptr(GKeyFile) key_file = NULL;

  if (self->config_file != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      key_file = g_key_file_new ();
      if (!g_key_file_load_from_file (key_file, self->config_file, G_KEY_FILE_NONE, &local_error))
        {
          g_set_error (error, local_error->domain, local_error->code,
                       "%s: %s", self->config_file, local_error->message);
          return FALSE;
        }
    }
  return rtm_server_config_load_key_file (self, key_file, error);
}

static gboolean
on_option (const char  *option_name,
           const char  *value,
           gpointer     user_data,
           GError     **error)
{
  RtmServerConfig *self = user_data;
  const char *name = option_name + 2;   /* "--port" */

  if (g_str_equal (name, "config"))
    {
      g_free (self->config_file);
      self->config_file = g_strdup (value);
      return TRUE;
    }
  if (g_str_equal (name, "ice-server"))
    {
      g_auto(GStrv) old = g_key_file_get_string_list (self->cli, GROUP, name, NULL, NULL);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) items = NULL;

      if (old != NULL)
        g_strv_builder_addv (builder, (const char **) old);
      g_strv_builder_add (builder, value);
      items = g_strv_builder_end (builder);
      g_key_file_set_string_list (self->cli, GROUP, name,
                                  (const char * const *) items, g_strv_length (items));
      return TRUE;
    }
  g_key_file_set_value (self->cli, GROUP, name, value);
  return TRUE;
}

gboolean
rtm_server_config_parse_args (RtmServerConfig   *self,
                              int               *argc,
                              char            ***argv,
                              GError           **error)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  GOptionGroup *group;
  GOptionEntry config_entry = {
    "config", 'c', 0, G_OPTION_ARG_CALLBACK, (gpointer) on_option,
    "Key file with a [server] group (keys named like these options)", "FILE"
  };

  g_return_val_if_fail (self != NULL, FALSE);

  g_array_append_val (entries, config_entry);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GOptionEntry entry = {
        keys[i].name, 0, 0, G_OPTION_ARG_CALLBACK, (gpointer) on_option,
        keys[i].description, keys[i].arg_description
      };

      if (keys[i].description != NULL)
        g_array_append_val (entries, entry);
    }

  context = g_option_context_new ("- the Beckon RTM server");
  g_option_context_set_summary (context,
    "Serves RTM call invitations over WebSocket (docs/protocol.md).\n"
    "\"rtm-server token --uid ID --ttl SECONDS\" mints a login token.");
  group = g_option_group_new ("server", "Server options", "Show server options", self, NULL);
  g_option_group_add_entries (group, (GOptionEntry *) (gpointer) entries->data);
  g_option_context_set_main_group (context, group);

  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (*argc > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                   "unexpected argument \"%s\"", (*argv)[1]);
      return FALSE;
    }
  return load (self, error);
}

RtmServerConfig *
rtm_server_config_reload (RtmServerConfig  *self,
                          GError          **error)
{
  g_autoptr(RtmServerConfig) fresh = rtm_server_config_new ();
  g_autofree char *data = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  fresh->config_file = g_strdup (self->config_file);
  data = g_key_file_to_data (self->cli, NULL, NULL);
  if (!g_key_file_load_from_data (fresh->cli, data, (gsize) -1, G_KEY_FILE_NONE, error))
    return NULL;
  if (!load (fresh, error))
    return NULL;
  return g_steal_pointer (&fresh);
}

gboolean
rtm_server_config_has_secret (RtmServerConfig *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->secret != NULL && *self->secret != '\0';
}

gboolean
rtm_server_config_has_tls (RtmServerConfig *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->tls_certificate != NULL && *self->tls_certificate != '\0';
}

int
rtm_server_config_run_token_command (int    argc,
                                     char **argv)
{
  g_autoptr(RtmServerConfig) self = rtm_server_config_new ();
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uid = NULL;
  g_autofree char *token = NULL;
  gint64 ttl = 3600;
  GOptionGroup *group;
  const GOptionEntry entries[] = {
    { "uid", 'u', 0, G_OPTION_ARG_STRING, &uid, "User id the token is for", "ID" },
    { "ttl", 't', 0, G_OPTION_ARG_INT64, &ttl, "Seconds the token is valid (default 3600)", "SECONDS" },
    { "config", 'c', 0, G_OPTION_ARG_CALLBACK, (gpointer) on_option, "Server key file holding the secret", "FILE" },
    { "secret-file", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer) on_option, "File holding the secret", "FILE" },
    { NULL }
  };

  context = g_option_context_new ("- mint a login token");
  group = g_option_group_new ("token", "Token options", "Show token options", self, NULL);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);

  if (!g_option_context_parse (context, &argc, &argv, &error) || !load (self, &error))
    {
      g_printerr ("rtm-server token: %s\n", error->message);
      return 2;
    }
  if (uid == NULL || !rtm_id_is_valid (uid))
    {
      g_printerr ("rtm-server token: --uid must be 1-64 printable ASCII characters without space\n");
      return 2;
    }
  if (ttl <= 0)
    {
      g_printerr ("rtm-server token: --ttl must be positive\n");
      return 2;
    }
  if (!rtm_server_config_has_secret (self))
    {
      g_printerr ("rtm-server token: no secret configured (--config or --secret-file)\n");
      return 2;
    }

  token = rtm_token_mint (self->secret, uid, g_get_real_time () / G_USEC_PER_SEC + ttl);
  g_print ("%s\n", token);
  return 0;
}
