/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtm-server-config.h: rtm-server's settings, from a key file ([server]
 * group) and the command line; the command line wins. docs/server.md lists
 * every key.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RTM_SERVER_DEFAULT_PORT 7600

typedef struct _RtmServerConfig RtmServerConfig;

struct _RtmServerConfig
{
  /*< public, read-only once handed to RtmServer >*/
  char    *config_file;          /* the --config file, NULL if none */
  char    *address;
  guint16  port;
  char    *tls_certificate;      /* PEM file paths, both or neither */
  char    *tls_key;
  char    *secret;               /* NULL or "": open development mode */
  char    *secret_file;          /* where the secret came from, if a file */
  GStrv    ice_servers;
  double   invitation_lifetime;  /* seconds */
  double   invitation_linger;
  double   ack_timeout;
  double   auth_timeout;
  guint    keepalive_interval;   /* whole seconds, as libsoup takes them */
  double   keepalive_timeout;
  guint    max_frame_size;
  double   rate_limit;           /* frames per second, burst of twice that */
  guint    flood_close;
  guint    max_connections;
  guint    workers;              /* I/O threads; 0: all on the main thread */

  /*< private >*/
  GKeyFile *cli;                 /* what the command line set, re-applied on reload */
};

RtmServerConfig *rtm_server_config_new            (void);
void             rtm_server_config_free           (RtmServerConfig  *self);

/* Parses "rtm-server [OPTIONS]" (argv[0] first), then reads --config if
 * given, then applies the command-line values over the file's. */
gboolean         rtm_server_config_parse_args     (RtmServerConfig  *self,
                                                   int              *argc,
                                                   char           ***argv,
                                                   GError          **error);
/* A fresh config from the same file and command line, for SIGHUP. */
RtmServerConfig *rtm_server_config_reload         (RtmServerConfig  *self,
                                                   GError          **error);
/* Applies a key file's [server] group, then @self->cli over it. Public so
 * tests and tools can build a config without a command line. */
gboolean         rtm_server_config_load_key_file  (RtmServerConfig  *self,
                                                   GKeyFile         *key_file,
                                                   GError          **error);

gboolean         rtm_server_config_has_secret     (RtmServerConfig  *self);
gboolean         rtm_server_config_has_tls        (RtmServerConfig  *self);

/* "rtm-server token --uid ID --ttl SECONDS [--config F] [--secret-file F]".
 * Prints the token on stdout; returns the exit status. */
int              rtm_server_config_run_token_command (int    argc,
                                                      char **argv);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtmServerConfig, rtm_server_config_free)

G_END_DECLS
