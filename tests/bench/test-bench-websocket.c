/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The load generator's WebSocket client end (bench/bench-websocket.c)
 * against a hand-driven server end: the opening handshake and its
 * refusals, masked frames out at every length encoding, server frames in
 * (fragmented, pinged, closed), and frames a server must not send. The
 * benchmark's latencies are only as good as this.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench-websocket.h"

static BenchWebsocket ws;
static int peer = -1;   /* the server's end */

static void
set_nonblocking (int fd)
{
  ck_assert_int_eq (fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK), 0);
}

/* An open connection over a socketpair, the handshake skipped. */
static void
setup_open (void)
{
  int pair[2];

  ck_assert_int_eq (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  bench_websocket_init (&ws);
  ws.fd = pair[0];
  ws.state = BENCH_WEBSOCKET_OPEN;
  set_nonblocking (ws.fd);
  peer = pair[1];
}

static void
teardown (void)
{
  bench_websocket_clear (&ws);
  if (peer >= 0)
    close (peer);
  peer = -1;
}

static void
peer_write (const void *data,
            gsize       length)
{
  const guint8 *p = data;

  while (length > 0)
    {
      gssize n = write (peer, p, length);

      ck_assert_int_gt (n, 0);
      p += n;
      length -= n;
    }
}

/* A server frame: never masked. */
static void
peer_send (guint8      first_byte,
           const void *payload,
           gsize       length)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  guint8 header[10];
  gsize n = 0;

  header[n++] = first_byte;
  if (length < 126)
    header[n++] = length;
  else if (length <= G_MAXUINT16)
    {
      header[n++] = 126;
      header[n++] = length >> 8;
      header[n++] = length;
    }
  else
    {
      header[n++] = 127;
      for (int shift = 56; shift >= 0; shift -= 8)
        header[n++] = (guint64) length >> shift;
    }
  g_byte_array_append (frame, header, n);
  g_byte_array_append (frame, payload, length);
  peer_write (frame->data, frame->len);
}

static void
peer_read_exactly (guint8 *buffer,
                   gsize   length)
{
  while (length > 0)
    {
      gssize n = read (peer, buffer, length);

      ck_assert_int_gt (n, 0);
      buffer += n;
      length -= n;
    }
}

/* Reads one client frame; checks it is final and masked; unmasks it. */
static GBytes *
peer_receive (guint *out_opcode)
{
  guint8 head[2];
  guint8 key[4];
  guint64 length;
  guint8 *payload;

  peer_read_exactly (head, 2);
  ck_assert_msg (head[0] & 0x80, "client frames are final");
  ck_assert_msg (head[1] & 0x80, "client frames are masked");
  *out_opcode = head[0] & 0x0f;
  length = head[1] & 0x7f;
  if (length == 126)
    {
      guint8 ext[2];

      peer_read_exactly (ext, 2);
      length = ext[0] << 8 | ext[1];
      ck_assert_uint_ge (length, 126);
    }
  else if (length == 127)
    {
      guint8 ext[8];

      peer_read_exactly (ext, 8);
      length = 0;
      for (guint i = 0; i < 8; i++)
        length = length << 8 | ext[i];
      ck_assert_uint_gt (length, G_MAXUINT16);
    }
  peer_read_exactly (key, 4);
  payload = g_malloc (length);
  peer_read_exactly (payload, length);
  for (guint64 i = 0; i < length; i++)
    payload[i] ^= key[i % 4];
  return g_bytes_new_take (payload, length);
}

/* Reads until an event other than NONE, or fails the test with the
 * client's error. */
static BenchWebsocketEvent
next_event (const char **data,
            gsize       *length)
{
  for (guint tries = 0; tries < 1000; tries++)
    {
      g_autoptr(GError) error = NULL;
      BenchWebsocketEvent event = bench_websocket_next (&ws, data, length, &error);

      ck_assert_msg (error == NULL, "%s", error ? error->message : "");
      if (event != BENCH_WEBSOCKET_EVENT_NONE)
        return event;
      ck_assert (bench_websocket_read (&ws, &error));
      g_usleep (100);
    }
  ck_abort_msg ("no event");
  return BENCH_WEBSOCKET_EVENT_NONE;
}

/* Reads what there is and returns the error the next event gives. */
static GError *
next_error (void)
{
  GError *error = NULL;
  const char *data;
  gsize length;

  ck_assert (bench_websocket_read (&ws, NULL));
  ck_assert_int_eq (bench_websocket_next (&ws, &data, &length, &error),
                    BENCH_WEBSOCKET_EVENT_NONE);
  ck_assert_ptr_nonnull (error);
  return error;
}

static char *
make_text (gsize length)
{
  char *text = g_malloc (length + 1);

  for (gsize i = 0; i < length; i++)
    text[i] = 'a' + i % 26;
  text[length] = '\0';
  return text;
}

START_TEST (test_frames_out)
{
  const gsize lengths[] = { 0, 5, 125, 126, 300, G_MAXUINT16, G_MAXUINT16 + 1, 70000 };

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autofree char *text = make_text (lengths[i]);
      g_autoptr(GBytes) received = NULL;
      guint opcode;

      bench_websocket_send_text (&ws, text, lengths[i]);
      /* A socketpair's buffer (over 200 kB) takes even the largest. */
      ck_assert (bench_websocket_flush (&ws, NULL));
      ck_assert (!bench_websocket_wants_write (&ws));
      received = peer_receive (&opcode);
      ck_assert_uint_eq (opcode, 0x1);
      ck_assert_uint_eq (g_bytes_get_size (received), lengths[i]);
      /* An empty GBytes may hold NULL, which memcmp() must not get. */
      ck_assert (lengths[i] == 0 ||
                 memcmp (g_bytes_get_data (received, NULL), text, lengths[i]) == 0);
    }
}
END_TEST

START_TEST (test_frames_in)
{
  const gsize lengths[] = { 2, 125, 126, 300, G_MAXUINT16 + 1, 70000 };

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autofree char *text = make_text (lengths[i]);
      const char *data = NULL;
      gsize length = 0;

      peer_send (0x81, text, lengths[i]);
      ck_assert_int_eq (next_event (&data, &length), BENCH_WEBSOCKET_EVENT_TEXT);
      ck_assert_uint_eq (length, lengths[i]);
      ck_assert (memcmp (data, text, length) == 0);
    }
}
END_TEST

START_TEST (test_several_frames_in_one_read)
{
  const char *data = NULL;
  gsize length = 0;

  peer_send (0x81, "one", 3);
  peer_send (0x81, "two", 3);
  ck_assert_int_eq (next_event (&data, &length), BENCH_WEBSOCKET_EVENT_TEXT);
  ck_assert_uint_eq (length, 3);
  ck_assert (memcmp (data, "one", 3) == 0);
  /* The second is already buffered: no read in between. */
  ck_assert_int_eq (bench_websocket_next (&ws, &data, &length, NULL), BENCH_WEBSOCKET_EVENT_TEXT);
  ck_assert (memcmp (data, "two", 3) == 0);
}
END_TEST

START_TEST (test_fragmented_message)
{
  const char *data = NULL;
  gsize length = 0;

  peer_send (0x01, "{\"type\":", 8);           /* text, not final */
  peer_send (0x89, "p", 1);                    /* a ping in between */
  peer_send (0x00, "\"reply\"", 7);            /* continuation */
  peer_send (0x80, "}", 1);                    /* final continuation */
  peer_send (0x81, "next", 4);
  ck_assert_int_eq (next_event (&data, &length), BENCH_WEBSOCKET_EVENT_TEXT);
  ck_assert_uint_eq (length, 16);
  ck_assert (memcmp (data, "{\"type\":\"reply\"}", 16) == 0);
  ck_assert_int_eq (next_event (&data, &length), BENCH_WEBSOCKET_EVENT_TEXT);
  ck_assert_uint_eq (length, 4);
  ck_assert (memcmp (data, "next", 4) == 0);
}
END_TEST

START_TEST (test_ping_answered)
{
  g_autoptr(GBytes) pong = NULL;
  const char *data = NULL;
  gsize length = 0;
  guint opcode;

  peer_send (0x89, "keepalive", 9);
  peer_send (0x81, "after", 5);
  ck_assert_int_eq (next_event (&data, &length), BENCH_WEBSOCKET_EVENT_TEXT);
  ck_assert (bench_websocket_flush (&ws, NULL));
  pong = peer_receive (&opcode);
  ck_assert_uint_eq (opcode, 0xA);
  ck_assert_uint_eq (g_bytes_get_size (pong), 9);
  ck_assert (memcmp (g_bytes_get_data (pong, NULL), "keepalive", 9) == 0);
}
END_TEST

START_TEST (test_server_closes)
{
  g_autoptr(GBytes) reply = NULL;
  const guint8 code[] = { 0x03, 0xE9 };   /* 1001 */
  const char *data = NULL;
  gsize length = 0;
  guint opcode;

  peer_send (0x88, code, sizeof code);
  ck_assert_int_eq (next_event (&data, &length), BENCH_WEBSOCKET_EVENT_CLOSED);
  ck_assert_uint_eq (ws.close_code, 1001);
  ck_assert_int_eq (ws.state, BENCH_WEBSOCKET_CLOSED);
  ck_assert_int_eq (ws.fd, -1);
  /* The close was answered with the same code before the socket went. */
  reply = peer_receive (&opcode);
  ck_assert_uint_eq (opcode, 0x8);
  ck_assert_uint_eq (g_bytes_get_size (reply), 2);
  ck_assert (memcmp (g_bytes_get_data (reply, NULL), code, 2) == 0);
}
END_TEST

START_TEST (test_we_close)
{
  g_autoptr(GBytes) frame = NULL;
  const char *data = NULL;
  gsize length = 0;
  guint opcode;

  bench_websocket_close (&ws, 1000);
  ck_assert_int_eq (ws.state, BENCH_WEBSOCKET_CLOSING);
  ck_assert (bench_websocket_flush (&ws, NULL));
  frame = peer_receive (&opcode);
  ck_assert_uint_eq (opcode, 0x8);
  ck_assert (memcmp (g_bytes_get_data (frame, NULL), "\x03\xE8", 2) == 0);
  /* Nothing more goes out on a closing connection. */
  bench_websocket_send_text (&ws, "late", 4);
  ck_assert (!bench_websocket_wants_write (&ws));
  peer_send (0x88, "\x03\xE8", 2);
  ck_assert_int_eq (next_event (&data, &length), BENCH_WEBSOCKET_EVENT_CLOSED);
  ck_assert_uint_eq (ws.close_code, 1000);
}
END_TEST

START_TEST (test_peer_goes_away)
{
  const char *data = NULL;
  gsize length = 0;

  peer_send (0x81, "last", 4);
  close (peer);
  peer = -1;
  /* What was sent before the end is still delivered, then the end. */
  ck_assert_int_eq (next_event (&data, &length), BENCH_WEBSOCKET_EVENT_TEXT);
  ck_assert_int_eq (next_event (&data, &length), BENCH_WEBSOCKET_EVENT_CLOSED);
  ck_assert_uint_eq (ws.close_code, 1006);
}
END_TEST

START_TEST (test_bad_frames)
{
  static const struct {
    guint8      first;
    guint8      second;
    const char *why;
  } cases[] = {
    { 0x81, 0x85, "masked" },           /* a server must not mask */
    { 0xC1, 0x00, "reserved" },         /* RSV1 without an extension */
    { 0x80, 0x00, "continuation" },     /* continuation of nothing */
    { 0x83, 0x00, "opcode" },           /* reserved opcode */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      const guint8 frame[6] = { cases[i].first, cases[i].second, 1, 2, 3, 4 };

      teardown ();
      setup_open ();
      peer_write (frame, sizeof frame);
      error = next_error ();
      ck_assert_msg (strstr (error->message, cases[i].why) != NULL,
                     "case %u: \"%s\" does not say %s", i, error->message, cases[i].why);
    }
}
END_TEST

START_TEST (test_oversized_frame)
{
  g_autoptr(GError) error = NULL;
  /* Announces 2^40 bytes: refused before any of it is awaited. */
  const guint8 frame[10] = { 0x81, 127, 0, 0, 1, 0, 0, 0, 0, 0 };

  peer_write (frame, sizeof frame);
  error = next_error ();
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE));
}
END_TEST

/* The handshake, over TCP as the benchmark does it */

static int listener = -1;

static void
setup_tcp (void)
{
  bench_websocket_init (&ws);
}

static void
teardown_tcp (void)
{
  teardown ();
  if (listener >= 0)
    close (listener);
  listener = -1;
}

/* Connects a client to a fresh listener; returns the request it sent. */
static char *
connect_and_take_request (void)
{
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t length = sizeof address;
  char request[4096];
  gsize got = 0;

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ck_assert_int_ge (listener, 0);
  ck_assert_int_eq (bind (listener, (struct sockaddr *) &address, sizeof address), 0);
  ck_assert_int_eq (listen (listener, 1), 0);
  ck_assert_int_eq (getsockname (listener, (struct sockaddr *) &address, &length), 0);

  ck_assert (bench_websocket_connect (&ws, (struct sockaddr *) &address, length,
                                      "127.0.0.1:1234", "/rtm", NULL));
  ck_assert_int_eq (ws.state, BENCH_WEBSOCKET_CONNECTING);
  peer = accept (listener, NULL, NULL);
  ck_assert_int_ge (peer, 0);
  /* Nothing is written before the connect is known to have worked. */
  ck_assert (bench_websocket_wants_write (&ws));
  ck_assert (bench_websocket_connected (&ws, NULL));
  ck_assert_int_eq (ws.state, BENCH_WEBSOCKET_HANDSHAKE);

  while (got < 4 || memcmp (request + got - 4, "\r\n\r\n", 4) != 0)
    {
      gssize n = read (peer, request + got, sizeof request - 1 - got);

      ck_assert_int_gt (n, 0);
      got += n;
    }
  request[got] = '\0';
  return g_strdup (request);
}

static char *
accept_for (const char *request)
{
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  const char *key = strstr (request, "Sec-WebSocket-Key: ");
  g_autofree char *value = NULL;
  guint8 digest[20];
  gsize digest_len = sizeof digest;

  ck_assert_ptr_nonnull (key);
  key += strlen ("Sec-WebSocket-Key: ");
  value = g_strndup (key, strcspn (key, "\r"));
  ck_assert_uint_eq (strlen (value), 24);
  g_checksum_update (sha1, (const guchar *) value, -1);
  g_checksum_update (sha1, (const guchar *) "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", -1);
  g_checksum_get_digest (sha1, digest, &digest_len);
  return g_base64_encode (digest, digest_len);
}

START_TEST (test_handshake)
{
  g_autofree char *request = connect_and_take_request ();
  g_autofree char *accept = accept_for (request);
  g_autofree char *response = NULL;
  const char *data = NULL;
  gsize length = 0;

  ck_assert (g_str_has_prefix (request, "GET /rtm HTTP/1.1\r\n"));
  ck_assert_ptr_nonnull (strstr (request, "\r\nHost: 127.0.0.1:1234\r\n"));
  ck_assert_ptr_nonnull (strstr (request, "\r\nUpgrade: websocket\r\n"));
  ck_assert_ptr_nonnull (strstr (request, "\r\nConnection: Upgrade\r\n"));
  ck_assert_ptr_nonnull (strstr (request, "\r\nSec-WebSocket-Version: 13\r\n"));

  /* The first frame rides in the same segment as the 101. */
  response = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\n"
                              "upgrade: websocket\r\n"
                              "connection: Upgrade\r\n"
                              "sec-websocket-accept:  %s \r\n\r\n"
                              "\x81\x02hi", accept);
  peer_write (response, strlen (response));
  ck_assert_int_eq (next_event (&data, &length), BENCH_WEBSOCKET_EVENT_OPENED);
  ck_assert_int_eq (ws.state, BENCH_WEBSOCKET_OPEN);
  ck_assert_int_eq (next_event (&data, &length), BENCH_WEBSOCKET_EVENT_TEXT);
  ck_assert_uint_eq (length, 2);
  ck_assert (memcmp (data, "hi", 2) == 0);
}
END_TEST

START_TEST (test_handshake_refused)
{
  g_autofree char *request = connect_and_take_request ();
  const char *response = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";
  g_autoptr(GError) error = NULL;

  peer_write (response, strlen (response));
  error = next_error ();
  ck_assert_ptr_nonnull (strstr (error->message, "503 Service Unavailable"));
  ck_assert_int_ne (ws.state, BENCH_WEBSOCKET_OPEN);
}
END_TEST

START_TEST (test_handshake_wrong_accept)
{
  g_autofree char *request = connect_and_take_request ();
  const char *response = "HTTP/1.1 101 Switching Protocols\r\n"
                         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  g_autoptr(GError) error = NULL;

  peer_write (response, strlen (response));
  error = next_error ();
  ck_assert_ptr_nonnull (strstr (error->message, "Sec-WebSocket-Accept"));
  ck_assert_int_ne (ws.state, BENCH_WEBSOCKET_OPEN);
}
END_TEST

START_TEST (test_connect_refused)
{
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t length = sizeof address;
  int probe = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_autoptr(GError) error = NULL;

  /* A port that was just free: nobody listens there. */
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  ck_assert_int_eq (bind (probe, (struct sockaddr *) &address, sizeof address), 0);
  ck_assert_int_eq (getsockname (probe, (struct sockaddr *) &address, &length), 0);
  close (probe);

  if (!bench_websocket_connect (&ws, (struct sockaddr *) &address, length, "h", "/", &error))
    {
      ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED));
      return;
    }
  /* As the benchmark does: wait for writability, then ask. */
  {
    struct pollfd pfd = { ws.fd, POLLOUT, 0 };

    ck_assert_int_eq (poll (&pfd, 1, 5000), 1);
  }
  ck_assert (!bench_websocket_connected (&ws, &error));
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED));
  ck_assert_int_eq (ws.state, BENCH_WEBSOCKET_CLOSED);
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("bench-websocket");
  TCase *frames = tcase_create ("frames");
  TCase *handshake = tcase_create ("handshake");
  SRunner *runner;
  int failed;

  tcase_add_checked_fixture (frames, setup_open, teardown);
  tcase_add_test (frames, test_frames_out);
  tcase_add_test (frames, test_frames_in);
  tcase_add_test (frames, test_several_frames_in_one_read);
  tcase_add_test (frames, test_fragmented_message);
  tcase_add_test (frames, test_ping_answered);
  tcase_add_test (frames, test_server_closes);
  tcase_add_test (frames, test_we_close);
  tcase_add_test (frames, test_peer_goes_away);
  tcase_add_test (frames, test_bad_frames);
  tcase_add_test (frames, test_oversized_frame);
  suite_add_tcase (suite, frames);

  tcase_add_checked_fixture (handshake, setup_tcp, teardown_tcp);
  tcase_add_test (handshake, test_handshake);
  tcase_add_test (handshake, test_handshake_refused);
  tcase_add_test (handshake, test_handshake_wrong_accept);
  tcase_add_test (handshake, test_connect_refused);
  suite_add_tcase (suite, handshake);

  runner = srunner_create (suite);
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
