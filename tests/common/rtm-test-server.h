/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A real rtm-server process on 127.0.0.1, port 0, for the test suites.
 * The binary comes from $RTM_SERVER_PATH, which tests/meson.build sets.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _RtmTestServer RtmTestServer;

/* Starts "rtm-server --port 0 EXTRA_ARGS..." and waits for its
 * "listening on URI" line. Aborts the test with a message on failure. */
RtmTestServer *rtm_test_server_start      (const char * const *extra_args);
const char    *rtm_test_server_get_uri    (RtmTestServer      *server);
guint16        rtm_test_server_get_port   (RtmTestServer      *server);
GPid           rtm_test_server_get_pid    (RtmTestServer      *server);
/* Stops with SIGTERM and waits for the exit. */
void           rtm_test_server_stop       (RtmTestServer      *server);
/* Stops, then starts again on the same port with the same arguments. */
void           rtm_test_server_restart    (RtmTestServer      *server);
void           rtm_test_server_free       (RtmTestServer      *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtmTestServer, rtm_test_server_free)

/* Iterates the thread-default main context until *flag is TRUE or the
 * timeout passes; fails the test naming @what if it never happened. */
#define rtm_test_wait_for(flag, timeout_ms, what) \
  rtm_test_wait_for_impl (&(flag), (timeout_ms), (what), __FILE__, __LINE__)
void           rtm_test_wait_for_impl     (const gboolean     *flag,
                                           guint               timeout_ms,
                                           const char         *what,
                                           const char         *file,
                                           int                 line);

/* Runs the thread-default main context for @ms milliseconds. */
void           rtm_test_run_for           (guint               ms);

G_END_DECLS
