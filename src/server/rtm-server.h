/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtm-server.h: the RTM server: a SoupServer speaking docs/protocol.md,
 * the registry of connections, users, channels and invitations.
 */
#pragma once

#include <gio/gio.h>

#include "rtm-server-config.h"

G_BEGIN_DECLS

#define RTM_TYPE_SERVER (rtm_server_get_type ())
G_DECLARE_FINAL_TYPE (RtmServer, rtm_server, RTM, SERVER, GObject)

/* Takes ownership of @config. */
RtmServer  *rtm_server_new                 (RtmServerConfig  *config);
/* Binds and listens; afterwards rtm_server_get_uri() is valid. */
gboolean    rtm_server_start               (RtmServer        *self,
                                            GError          **error);
/* Runs the default main context (and the shards) until rtm_server_quit().
 * Everything the server does happens inside; use this rather than a
 * GMainLoop, which would dispatch without the server's lock. */
void        rtm_server_run                 (RtmServer        *self);
void        rtm_server_quit                (RtmServer        *self);
/* "ws://127.0.0.1:7600/rtm", or wss:// with TLS. */
const char *rtm_server_get_uri             (RtmServer        *self);
guint       rtm_server_get_n_connections   (RtmServer        *self);
guint       rtm_server_get_n_users         (RtmServer        *self);
/* Closes every connection with 1001 and stops listening. */
void        rtm_server_shutdown            (RtmServer        *self);
/* Takes ownership of @config and its secret and TLS certificate for new logins and
 * handshakes; open connections stay. */
gboolean    rtm_server_reload              (RtmServer        *self,
                                            RtmServerConfig  *config,
                                            GError          **error);

G_END_DECLS
