/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A raw WebSocket client for the server tests: frames in, frames out, no
 * librtm. Every wait has a deadline and fails the test naming what never
 * came.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _TestClient TestClient;

#define TEST_TIMEOUT_MS 3000

TestClient *test_client_connect       (const char  *uri);
/* Tries the handshake; returns the HTTP status when it is refused, 0 if
 * it succeeds. */
guint       test_client_connect_refused (const char *uri);
/* Connects and logs in (open mode, or with @token); fails the test unless
 * the login succeeds. */
TestClient *test_client_login         (const char  *uri,
                                       const char  *uid,
                                       const char  *token);
void        test_client_free          (TestClient  *self);
const char *test_client_get_uid       (TestClient  *self);

/* Acks events that carry "ack" as they arrive (the default), or not. */
void        test_client_set_auto_ack  (TestClient  *self,
                                       gboolean     auto_ack);

/* Sends {"type": TYPE, "req": N, MEMBERS} where MEMBERS is a printf
 * format for JSON members (or NULL); returns N. */
gint64      test_client_request       (TestClient  *self,
                                       const char  *type,
                                       const char  *members_format,
                                       ...) G_GNUC_PRINTF (3, 4);
void        test_client_send_text     (TestClient  *self,
                                       const char  *text);
void        test_client_send_binary   (TestClient  *self,
                                       gsize        length);
void        test_client_ack           (TestClient  *self,
                                       gint64       ack);

/* Waits for the reply to @req; fails on an error frame. Owned result. */
JsonObject *test_client_expect_reply  (TestClient  *self,
                                       gint64       req);
/* Waits for the error to @req (0: an error without req) with @code. */
JsonObject *test_client_expect_error  (TestClient  *self,
                                       gint64       req,
                                       const char  *code);
/* Waits for the first event of @type, optionally about @invitation. */
JsonObject *test_client_expect_event  (TestClient  *self,
                                       const char  *type,
                                       const char  *invitation);
/* Fails if a frame of @type arrives within @ms. */
void        test_client_expect_no_event (TestClient *self,
                                         const char *type,
                                         guint       ms);
/* Number of frames received and not yet taken. */
guint       test_client_pending       (TestClient  *self);
/* Waits until the server closes the connection; returns the close code. */
gushort     test_client_wait_closed   (TestClient  *self,
                                       guint        timeout_ms);
gboolean    test_client_is_closed     (TestClient  *self);
/* The server's certificate with wss://, else NULL. */
GTlsCertificate *test_client_get_peer_certificate (TestClient *self);
/* Closes from the client side, as a disconnecting user would. */
void        test_client_close         (TestClient  *self);

/* Frames in arrival order since the client connected, as "type" or
 * "type:invitation"; for order assertions. */
GPtrArray  *test_client_get_log       (TestClient  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestClient, test_client_free)

G_END_DECLS
