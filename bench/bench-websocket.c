/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The load generator talks to the server over plain sockets instead of
 * libsoup's client: with libsoup, each client was a SoupSession connection,
 * a GSource and a main-context iteration per frame, and the generator's
 * own per-frame cost showed up in every latency it measured (bench/RESULTS.md,
 * "Third round"). The server side is untouched: it is libsoup all the way.
 */
#include "bench-websocket.h"

#include <errno.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

#define HANDSHAKE_MAX    (16 * 1024)
#define MESSAGE_MAX      (16 * 1024 * 1024)
#define READ_CHUNK       (64 * 1024)
#define WEBSOCKET_GUID   "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

enum {
  OPCODE_CONTINUATION = 0x0,
  OPCODE_TEXT         = 0x1,
  OPCODE_BINARY       = 0x2,
  OPCODE_CLOSE        = 0x8,
  OPCODE_PING         = 0x9,
  OPCODE_PONG         = 0xA,
};

void
bench_websocket_init (BenchWebsocket *self)
{
  guint8 nonce[16];
  g_autofree char *key = NULL;

  memset (self, 0, sizeof *self);
  self->fd = -1;
  self->state = BENCH_WEBSOCKET_CLOSED;
  self->in = g_byte_array_new ();
  self->out = g_byte_array_new ();
  self->fragments = g_byte_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (nonce); i++)
    nonce[i] = (guint8) g_random_int ();
  key = g_base64_encode (nonce, sizeof nonce);
  g_strlcpy (self->key, key, sizeof self->key);
  /* xorshift32 must not start at 0. */
  self->mask_state = g_random_int () | 1;
}

/* Drops the connection at once, without a close frame. */
void
bench_websocket_abort (BenchWebsocket *self)
{
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  self->state = BENCH_WEBSOCKET_CLOSED;
}

void
bench_websocket_clear (BenchWebsocket *self)
{
  bench_websocket_abort (self);
  g_clear_pointer (&self->in, g_byte_array_unref);
  g_clear_pointer (&self->out, g_byte_array_unref);
  g_clear_pointer (&self->fragments, g_byte_array_unref);
}

static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *what)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s: %s", what, g_strerror (saved_errno));
  return FALSE;
}

/* Starts a non-blocking connect and queues the opening handshake, which
 * goes out once bench_websocket_connected() says the socket is up. */
gboolean
bench_websocket_connect (BenchWebsocket         *self,
                         const struct sockaddr  *address,
                         socklen_t               address_len,
                         const char             *host,
                         const char             *path,
                         GError                **error)
{
  g_autofree char *request = NULL;
  int one = 1;

  g_return_val_if_fail (self->fd < 0, FALSE);

  self->fd = socket (address->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (self->fd < 0)
    return set_errno_error (error, errno, "socket");
  /* Small frames, each one waited for: Nagle would hold them back. */
  setsockopt (self->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect (self->fd, address, address_len) != 0 && errno != EINPROGRESS)
    return set_errno_error (error, errno, "connect");

  request = g_strdup_printf ("GET %s HTTP/1.1\r\n"
                             "Host: %s\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: %s\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "\r\n", path, host, self->key);
  g_byte_array_append (self->out, (const guint8 *) request, strlen (request));
  self->state = BENCH_WEBSOCKET_CONNECTING;
  return TRUE;
}

/* The socket became writable while connecting: did the connect succeed? */
gboolean
bench_websocket_connected (BenchWebsocket  *self,
                           GError         **error)
{
  int saved_errno = 0;
  socklen_t len = sizeof saved_errno;

  g_return_val_if_fail (self->state == BENCH_WEBSOCKET_CONNECTING, FALSE);

  if (getsockopt (self->fd, SOL_SOCKET, SO_ERROR, &saved_errno, &len) != 0)
    saved_errno = errno;
  if (saved_errno != 0)
    {
      self->state = BENCH_WEBSOCKET_CLOSED;
      return set_errno_error (error, saved_errno, "connect");
    }
  self->state = BENCH_WEBSOCKET_HANDSHAKE;
  return bench_websocket_flush (self, error);
}

static guint32
next_mask (BenchWebsocket *self)
{
  guint32 x = self->mask_state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return self->mask_state = x;
}

/* Client frames are always masked (RFC 6455 5.3). */
static void
queue_frame (BenchWebsocket *self,
             guint           opcode,
             const guint8   *payload,
             gsize           length)
{
  guint8 header[14];
  gsize n = 0;
  guint32 mask = next_mask (self);
  guint8 key[4] = { mask >> 24, mask >> 16, mask >> 8, mask };
  guint start;

  header[n++] = 0x80 | opcode;
  if (length < 126)
    {
      header[n++] = 0x80 | length;
    }
  else if (length <= G_MAXUINT16)
    {
      header[n++] = 0x80 | 126;
      header[n++] = length >> 8;
      header[n++] = length;
    }
  else
    {
      header[n++] = 0x80 | 127;
      for (int shift = 56; shift >= 0; shift -= 8)
        header[n++] = (guint64) length >> shift;
    }
  memcpy (header + n, key, 4);
  n += 4;

  g_byte_array_append (self->out, header, n);
  start = self->out->len;
  g_byte_array_set_size (self->out, start + length);
  for (gsize i = 0; i < length; i++)
    self->out->data[start + i] = payload[i] ^ key[i % 4];
}

/* Queues a text message; nothing is queued on a connection that is not
 * open. bench_websocket_flush() sends it. */
void
bench_websocket_send_text (BenchWebsocket *self,
                           const char     *data,
                           gsize           length)
{
  if (self->state == BENCH_WEBSOCKET_OPEN)
    queue_frame (self, OPCODE_TEXT, (const guint8 *) data, length);
}

void
bench_websocket_close (BenchWebsocket *self,
                       guint16         code)
{
  guint8 payload[2] = { code >> 8, code };

  if (self->state != BENCH_WEBSOCKET_OPEN)
    return;
  queue_frame (self, OPCODE_CLOSE, payload, sizeof payload);
  self->state = BENCH_WEBSOCKET_CLOSING;
}

gboolean
bench_websocket_wants_write (BenchWebsocket *self)
{
  return self->state == BENCH_WEBSOCKET_CONNECTING || self->out->len > 0;
}

/* Writes what the kernel takes now; the rest waits for the fd to be
 * writable again. */
gboolean
bench_websocket_flush (BenchWebsocket  *self,
                       GError         **error)
{
  if (self->state == BENCH_WEBSOCKET_CONNECTING || self->fd < 0)
    return TRUE;
  while (self->out->len > 0)
    {
      gssize n = send (self->fd, self->out->data, self->out->len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      if (n < 0)
        return set_errno_error (error, errno, "send");
      g_byte_array_remove_range (self->out, 0, n);
    }
  return TRUE;
}

/* Reads what has arrived. Data returned by bench_websocket_next() stays
 * valid until the next call of this. */
gboolean
bench_websocket_read (BenchWebsocket  *self,
                      GError         **error)
{
  guint8 chunk[READ_CHUNK];
  gssize n;

  if (self->consumed > 0)
    {
      g_byte_array_remove_range (self->in, 0, self->consumed);
      self->consumed = 0;
    }
  do
    n = recv (self->fd, chunk, sizeof chunk, 0);
  while (n < 0 && errno == EINTR);

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return TRUE;
  if (n < 0)
    return set_errno_error (error, errno, "recv");
  if (n == 0)
    {
      /* The peer is gone; whatever is buffered is still parsed first. */
      if (self->close_code == 0)
        self->close_code = 1006;
      self->eof = TRUE;
      return TRUE;
    }
  g_byte_array_append (self->in, chunk, n);
  return TRUE;
}

static char *
expected_accept (const char *key)
{
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize digest_len = sizeof digest;

  g_checksum_update (sha1, (const guchar *) key, -1);
  g_checksum_update (sha1, (const guchar *) WEBSOCKET_GUID, -1);
  g_checksum_get_digest (sha1, digest, &digest_len);
  return g_base64_encode (digest, digest_len);
}

static BenchWebsocketEvent
parse_handshake (BenchWebsocket  *self,
                 GError         **error)
{
  const char *start = (const char *) self->in->data + self->consumed;
  gsize available = self->in->len - self->consumed;
  g_autofree char *head = NULL;
  g_autofree char *accept = NULL;
  g_auto(GStrv) lines = NULL;
  const char *end;
  gboolean accepted = FALSE;

  if (available == 0)
    return BENCH_WEBSOCKET_EVENT_NONE;
  end = g_strstr_len (start, available, "\r\n\r\n");
  if (end == NULL)
    {
      if (available > HANDSHAKE_MAX)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     "handshake response longer than %d bytes", HANDSHAKE_MAX);
      return BENCH_WEBSOCKET_EVENT_NONE;
    }
  head = g_strndup (start, end - start);
  self->consumed += end - start + 4;

  lines = g_strsplit (head, "\r\n", 0);
  if (!g_str_has_prefix (lines[0], "HTTP/1.1 101"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                   "the server answered \"%s\"", lines[0]);
      return BENCH_WEBSOCKET_EVENT_NONE;
    }
  accept = expected_accept (self->key);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *name = "sec-websocket-accept:";

      if (g_ascii_strncasecmp (lines[i], name, strlen (name)) == 0)
        accepted = g_strcmp0 (g_strstrip (lines[i] + strlen (name)), accept) == 0;
    }
  if (!accepted)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "missing or wrong Sec-WebSocket-Accept in the handshake");
      return BENCH_WEBSOCKET_EVENT_NONE;
    }
  self->state = BENCH_WEBSOCKET_OPEN;
  return BENCH_WEBSOCKET_EVENT_OPENED;
}

/* Sends what is queued (a close frame's answer, say) if it can, and lets
 * the socket go. */
static BenchWebsocketEvent
closed (BenchWebsocket *self)
{
  bench_websocket_flush (self, NULL);
  bench_websocket_abort (self);
  return BENCH_WEBSOCKET_EVENT_CLOSED;
}

/* The next complete event in what has been read. A text message's
 * @data is not NUL-terminated. Pings are answered by queueing a pong:
 * flush after the events are handled. */
BenchWebsocketEvent
bench_websocket_next (BenchWebsocket  *self,
                      const char     **data,
                      gsize           *length,
                      GError         **error)
{
  /* A reassembled message was handed out last time. */
  if (self->fragments_done)
    {
      g_byte_array_set_size (self->fragments, 0);
      self->fragments_done = FALSE;
    }

  if (self->state == BENCH_WEBSOCKET_HANDSHAKE)
    {
      BenchWebsocketEvent event = parse_handshake (self, error);

      if (event != BENCH_WEBSOCKET_EVENT_NONE || (error != NULL && *error != NULL))
        return event;
      return self->eof ? closed (self) : BENCH_WEBSOCKET_EVENT_NONE;
    }
  if (self->state == BENCH_WEBSOCKET_CLOSED || self->state == BENCH_WEBSOCKET_CONNECTING)
    return BENCH_WEBSOCKET_EVENT_NONE;

  for (;;)
    {
      const guint8 *p = self->in->data + self->consumed;
      gsize available = self->in->len - self->consumed;
      gsize header = 2;
      guint64 payload_len;
      const guint8 *payload;
      guint opcode;
      gboolean fin;

      if (available < 2)
        break;
      fin = (p[0] & 0x80) != 0;
      opcode = p[0] & 0x0f;
      if ((p[0] & 0x70) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "frame with reserved bits set (no extension was agreed)");
          return BENCH_WEBSOCKET_EVENT_NONE;
        }
      if ((p[1] & 0x80) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "masked frame from the server");
          return BENCH_WEBSOCKET_EVENT_NONE;
        }
      payload_len = p[1] & 0x7f;
      if (payload_len == 126)
        header = 4;
      else if (payload_len == 127)
        header = 10;
      if (available < header)
        break;
      if (payload_len == 126)
        payload_len = (guint64) p[2] << 8 | p[3];
      else if (payload_len == 127)
        {
          payload_len = 0;
          for (guint i = 0; i < 8; i++)
            payload_len = payload_len << 8 | p[2 + i];
        }
      if (payload_len > MESSAGE_MAX)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       "frame of %" G_GUINT64_FORMAT " bytes", payload_len);
          return BENCH_WEBSOCKET_EVENT_NONE;
        }
      if (available - header < payload_len)
        break;
      payload = p + header;
      self->consumed += header + payload_len;

      switch (opcode)
        {
        case OPCODE_TEXT:
        case OPCODE_CONTINUATION:
          if ((opcode == OPCODE_TEXT) == self->fragmented)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "continuation frame out of place");
              return BENCH_WEBSOCKET_EVENT_NONE;
            }
          if (fin && opcode == OPCODE_TEXT)
            {
              *data = (const char *) payload;
              *length = payload_len;
              return BENCH_WEBSOCKET_EVENT_TEXT;
            }
          if (self->fragments->len + payload_len > MESSAGE_MAX)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                           "fragmented message over %d bytes", MESSAGE_MAX);
              return BENCH_WEBSOCKET_EVENT_NONE;
            }
          g_byte_array_append (self->fragments, payload, payload_len);
          self->fragmented = !fin;
          if (fin)
            {
              self->fragments_done = TRUE;
              *data = (const char *) self->fragments->data;
              *length = self->fragments->len;
              return BENCH_WEBSOCKET_EVENT_TEXT;
            }
          break;
        case OPCODE_PING:
          if (self->state == BENCH_WEBSOCKET_OPEN)
            queue_frame (self, OPCODE_PONG, payload, payload_len);
          break;
        case OPCODE_PONG:
          break;
        case OPCODE_CLOSE:
          self->close_code = payload_len >= 2 ? (guint16) (payload[0] << 8 | payload[1]) : 1005;
          /* Answer a close we did not start, with the same code. */
          if (self->state == BENCH_WEBSOCKET_OPEN)
            queue_frame (self, OPCODE_CLOSE, payload, MIN (payload_len, 2));
          return closed (self);
        default:
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "frame with opcode %#x", opcode);
          return BENCH_WEBSOCKET_EVENT_NONE;
        }
    }

  return self->eof ? closed (self) : BENCH_WEBSOCKET_EVENT_NONE;
}
