/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BECKON_TYPE_EMBEDDED_SERVER (beckon_embedded_server_get_type ())
G_DECLARE_FINAL_TYPE (BeckonEmbeddedServer, beckon_embedded_server, BECKON, EMBEDDED_SERVER, GObject)

/*
 * An rtm-server child process for newcomers with nothing to configure. The
 * binary is $BECKON_RTM_SERVER, else rtm-server next to beckon, in BINDIR, or
 * on the PATH. It stops when the object is disposed.
 */

BeckonEmbeddedServer *beckon_embedded_server_new          (guint16                port);
/* The path that would be run, or NULL when none is found. */
char                 *beckon_embedded_server_find_program (void);
void                  beckon_embedded_server_start_async  (BeckonEmbeddedServer  *self,
                                                           GCancellable          *cancellable,
                                                           GAsyncReadyCallback    callback,
                                                           gpointer               user_data);
/* Returns (transfer full) the URI the server listens on. */
char                 *beckon_embedded_server_start_finish (BeckonEmbeddedServer  *self,
                                                           GAsyncResult          *result,
                                                           GError               **error);
void                  beckon_embedded_server_stop         (BeckonEmbeddedServer  *self);

G_END_DECLS
