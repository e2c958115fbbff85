/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The server workers' epoll poll function against what poll() would say:
 * entries sharing an fd, fds coming and going, a number reused by a new
 * connection, and fds epoll cannot take.
 */
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rtm-server-poller.h"

static RtmServerPoller *poller;

static void
setup (void)
{
  poller = rtm_server_poller_new ();
  ck_assert_ptr_nonnull (poller);
}

static void
teardown (void)
{
  g_clear_pointer (&poller, rtm_server_poller_free);
}

static void
make_pair (int pair[2])
{
  ck_assert_int_eq (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
}

static void
put_byte (int fd)
{
  ck_assert_int_eq (write (fd, "x", 1), 1);
}

static void
take_byte (int fd)
{
  char c;

  ck_assert_int_eq (read (fd, &c, 1), 1);
}

START_TEST (test_readiness_per_entry)
{
  int a[2], b[2];
  GPollFD fds[3];

  make_pair (a);
  make_pair (b);
  /* An input and an output source on one socket, as libsoup keeps them. */
  fds[0] = (GPollFD) { a[0], G_IO_IN, 0 };
  fds[1] = (GPollFD) { a[0], G_IO_OUT, 0 };
  fds[2] = (GPollFD) { b[0], G_IO_IN, 0 };

  /* Only the output entry is ready: nothing to read anywhere. */
  ck_assert_int_eq (rtm_server_poller_poll (poller, fds, 3, 0), 1);
  ck_assert_int_eq (fds[0].revents, 0);
  ck_assert_int_eq (fds[1].revents, G_IO_OUT);
  ck_assert_int_eq (fds[2].revents, 0);

  put_byte (b[1]);
  ck_assert_int_eq (rtm_server_poller_poll (poller, fds, 3, 0), 2);
  ck_assert_int_eq (fds[0].revents, 0);
  ck_assert_int_eq (fds[2].revents, G_IO_IN);

  /* Level-triggered, as poll(): still readable until read. */
  ck_assert_int_eq (rtm_server_poller_poll (poller, fds, 3, 0), 2);
  ck_assert_int_eq (fds[2].revents, G_IO_IN);
  take_byte (b[0]);

  put_byte (a[1]);
  ck_assert_int_eq (rtm_server_poller_poll (poller, fds, 3, 0), 2);
  ck_assert_int_eq (fds[0].revents, G_IO_IN);
  ck_assert_int_eq (fds[1].revents, G_IO_OUT);
  ck_assert_int_eq (fds[2].revents, 0);

  close (a[0]); close (a[1]); close (b[0]); close (b[1]);
}
END_TEST

START_TEST (test_waits_and_wakes)
{
  int a[2];
  GPollFD fds[1];
  gint64 start;

  make_pair (a);
  fds[0] = (GPollFD) { a[0], G_IO_IN, 0 };

  start = g_get_monotonic_time ();
  ck_assert_int_eq (rtm_server_poller_poll (poller, fds, 1, 50), 0);
  ck_assert_int_ge (g_get_monotonic_time () - start, 45 * 1000);
  ck_assert_int_eq (fds[0].revents, 0);

  /* A peer hanging up is reported without asking for it. */
  close (a[1]);
  ck_assert_int_eq (rtm_server_poller_poll (poller, fds, 1, 1000), 1);
  ck_assert (fds[0].revents & G_IO_HUP);
  close (a[0]);
}
END_TEST

START_TEST (test_fds_come_and_go)
{
  int a[2], b[2];
  GPollFD fds[2];

  make_pair (a);
  make_pair (b);
  fds[0] = (GPollFD) { a[0], G_IO_IN, 0 };
  fds[1] = (GPollFD) { b[0], G_IO_IN, 0 };
  ck_assert_int_eq (rtm_server_poller_poll (poller, fds, 2, 0), 0);

  /* b's source went away: its readiness must not reach a's entry. */
  put_byte (b[1]);
  ck_assert_int_eq (rtm_server_poller_poll (poller, fds, 1, 0), 0);
  ck_assert_int_eq (fds[0].revents, 0);

  /* Events changed in place: a now waits for output too. */
  fds[0].events = G_IO_IN | G_IO_OUT;
  ck_assert_int_eq (rtm_server_poller_poll (poller, fds, 1, 0), 1);
  ck_assert_int_eq (fds[0].revents, G_IO_OUT);

  /* And b back again, with its byte still there. */
  fds[0].events = G_IO_IN;
  ck_assert_int_eq (rtm_server_poller_poll (poller, fds, 2, 0), 1);
  ck_assert_int_eq (fds[1].revents, G_IO_IN);

  close (a[0]); close (a[1]); close (b[0]); close (b[1]);
}
END_TEST

START_TEST (test_reused_number)
{
  int a[2], b[2];
  int number;
  GPollFD fds[1];

  make_pair (a);
  number = a[0];
  fds[0] = (GPollFD) { number, G_IO_IN, 0 };
  ck_assert_int_eq (rtm_server_poller_poll (poller, fds, 1, 0), 0);

  /* The connection closes and a new one gets the same number before the
   * poller sees the array change: the kernel dropped the old file from
   * the epoll set, so the new one must be registered afresh. */
  close (a[0]);
  close (a[1]);
  make_pair (b);
  if (b[0] != number)
    {
      ck_assert_int_eq (dup2 (b[0], number), number);
      close (b[0]);
      b[0] = number;
    }
  rtm_server_poller_forget_fd (poller, number);

  put_byte (b[1]);
  ck_assert_int_eq (rtm_server_poller_poll (poller, fds, 1, 0), 1);
  ck_assert_int_eq (fds[0].revents, G_IO_IN);
  close (b[0]); close (b[1]);
}
END_TEST

START_TEST (test_not_epollable)
{
  g_autofree char *path = NULL;
  int file = g_file_open_tmp ("poller-XXXXXX", &path, NULL);
  int a[2];
  GPollFD fds[2];

  /* epoll refuses regular files; poll() says they are always ready. */
  ck_assert_int_ge (file, 0);
  make_pair (a);
  fds[0] = (GPollFD) { a[0], G_IO_IN, 0 };
  fds[1] = (GPollFD) { file, G_IO_IN, 0 };
  ck_assert_int_eq (rtm_server_poller_poll (poller, fds, 2, 1000), 1);
  ck_assert_int_eq (fds[0].revents, 0);
  ck_assert_int_eq (fds[1].revents, G_IO_IN);

  /* Without it, the socket is on epoll again and still answers. */
  put_byte (a[1]);
  ck_assert_int_eq (rtm_server_poller_poll (poller, fds, 1, 0), 1);
  ck_assert_int_eq (fds[0].revents, G_IO_IN);

  close (file);
  g_unlink (path);
  close (a[0]); close (a[1]);
}
END_TEST

START_TEST (test_closed_fd)
{
  int a[2];
  GPollFD fds[1];

  /* A source whose fd is already closed: what poll() says, POLLNVAL. */
  make_pair (a);
  close (a[0]);
  close (a[1]);
  fds[0] = (GPollFD) { a[0], G_IO_IN, 0 };
  ck_assert_int_eq (rtm_server_poller_poll (poller, fds, 1, 0), 1);
  ck_assert_int_eq (fds[0].revents, G_IO_NVAL);
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("poller");
  TCase *tc = tcase_create ("epoll");
  SRunner *runner;
  int failed;

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_readiness_per_entry);
  tcase_add_test (tc, test_waits_and_wakes);
  tcase_add_test (tc, test_fds_come_and_go);
  tcase_add_test (tc, test_reused_number);
  tcase_add_test (tc, test_not_epollable);
  tcase_add_test (tc, test_closed_fd);
  suite_add_tcase (suite, tc);

  runner = srunner_create (suite);
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
