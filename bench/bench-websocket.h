/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sys/socket.h>

G_BEGIN_DECLS

/*
 * The load generator's WebSocket client end (RFC 6455): a non-blocking TCP
 * socket, the opening handshake, masked frames out, unmasked frames in,
 * pings answered. No event loop of its own: the caller polls the fd and
 * calls bench_websocket_read() when it is readable and
 * bench_websocket_flush() when it is writable.
 */

typedef enum {
  BENCH_WEBSOCKET_CONNECTING,   /* TCP connect in progress */
  BENCH_WEBSOCKET_HANDSHAKE,    /* request sent, waiting for 101 */
  BENCH_WEBSOCKET_OPEN,
  BENCH_WEBSOCKET_CLOSING,      /* we sent a close frame */
  BENCH_WEBSOCKET_CLOSED,
} BenchWebsocketState;

typedef enum {
  BENCH_WEBSOCKET_EVENT_NONE,     /* nothing complete yet: read again later */
  BENCH_WEBSOCKET_EVENT_OPENED,   /* the server accepted the handshake */
  BENCH_WEBSOCKET_EVENT_TEXT,     /* a text message */
  BENCH_WEBSOCKET_EVENT_CLOSED,   /* the connection is over; see close_code */
} BenchWebsocketEvent;

typedef struct {
  int                  fd;
  BenchWebsocketState  state;
  GByteArray          *in;          /* read, not yet consumed */
  gsize                consumed;    /* of in */
  GByteArray          *out;         /* queued, not yet written */
  GByteArray          *fragments;   /* a message split over frames */
  gboolean             fragmented;  /* more of it to come */
  gboolean             fragments_done; /* handed out: clear on the next call */
  gboolean             eof;         /* the peer closed its end */
  char                 key[25];     /* Sec-WebSocket-Key, base64 of 16 bytes */
  guint32              mask_state;
  guint16              close_code;  /* the peer's, or 1006 if it just went */
} BenchWebsocket;

void     bench_websocket_init       (BenchWebsocket         *self);
void     bench_websocket_clear      (BenchWebsocket         *self);
void     bench_websocket_abort      (BenchWebsocket         *self);
gboolean bench_websocket_connect    (BenchWebsocket         *self,
                                     const struct sockaddr  *address,
                                     socklen_t               address_len,
                                     const char             *host,
                                     const char             *path,
                                     GError                **error);
gboolean bench_websocket_connected  (BenchWebsocket         *self,
                                     GError                **error);
void     bench_websocket_send_text  (BenchWebsocket         *self,
                                     const char             *data,
                                     gsize                   length);
void     bench_websocket_close      (BenchWebsocket         *self,
                                     guint16                 code);
gboolean bench_websocket_flush      (BenchWebsocket         *self,
                                     GError                **error);
gboolean bench_websocket_wants_write (BenchWebsocket        *self);
gboolean bench_websocket_read       (BenchWebsocket         *self,
                                     GError                **error);
BenchWebsocketEvent
         bench_websocket_next       (BenchWebsocket         *self,
                                     const char            **data,
                                     gsize                  *length,
                                     GError                **error);

G_END_DECLS
