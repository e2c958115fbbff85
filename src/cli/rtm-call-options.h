/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rtm-call's command line: the subcommands, their options and the
 * documented exit codes.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * RtmCallExit:
 * @RTM_CALL_EXIT_OK: accepted, answered as asked, sent, or the call ended normally
 * @RTM_CALL_EXIT_USAGE: bad command line
 * @RTM_CALL_EXIT_CONNECTION: the server could not be reached or the login failed
 * @RTM_CALL_EXIT_REFUSED: the callee refused
 * @RTM_CALL_EXIT_CANCELED: canceled (Ctrl-C or --timeout) or canceled by the caller
 * @RTM_CALL_EXIT_FAILED: the invitation failed (peer offline, no response,
 *   expired) or the server rejected the request
 * @RTM_CALL_EXIT_DROPPED: the call was dropped (connection lost, ICE failed,
 *   no media, media error, connect timeout)
 * @RTM_CALL_EXIT_NOT_BUILT: the feature (audio, echo service) is not built in
 *
 * rtm-call's exit codes, listed in `rtm-call --help` and docs/rtm-call.md.
 */
typedef enum {
  RTM_CALL_EXIT_OK = 0,
  RTM_CALL_EXIT_USAGE = 1,
  RTM_CALL_EXIT_CONNECTION = 2,
  RTM_CALL_EXIT_REFUSED = 3,
  RTM_CALL_EXIT_CANCELED = 4,
  RTM_CALL_EXIT_FAILED = 5,
  RTM_CALL_EXIT_DROPPED = 6,
  RTM_CALL_EXIT_NOT_BUILT = 7,
} RtmCallExit;

typedef enum {
  RTM_CALL_COMMAND_NONE,
  RTM_CALL_COMMAND_CALL,
  RTM_CALL_COMMAND_INVITE,
  RTM_CALL_COMMAND_LISTEN,
  RTM_CALL_COMMAND_ECHO,
  RTM_CALL_COMMAND_SEND,
  RTM_CALL_COMMAND_PRESENCE,
} RtmCallCommand;

typedef enum {
  RTM_CALL_ANSWER_NONE,
  RTM_CALL_ANSWER_ACCEPT,
  RTM_CALL_ANSWER_REFUSE,
  RTM_CALL_ANSWER_INTERACTIVE,
} RtmCallAnswer;

typedef struct {
  /* global */
  char           *server_uri;
  char           *uid;
  char           *token;
  gboolean        json;

  RtmCallCommand  command;

  /* call, invite */
  char           *peer;
  char           *content;
  char           *channel;
  double          timeout;      /* seconds; 0 = none */
  double          duration;     /* seconds of connected call; 0 = until hung up */

  /* call, listen, echo */
  gboolean        audio;        /* run a voice session after accept */
  gboolean        test_audio;   /* a tone and a null sink instead of the devices */

  /* listen */
  RtmCallAnswer   answer;
  char           *response;
  int             count;        /* invitations to handle; 0 = forever */

  /* send */
  char           *text;

  /* presence */
  GStrv           uids;

  /* echo */
  int             delay_ms;     /* how late callers hear themselves */
} RtmCallOptions;

#define RTM_CALL_DEFAULT_SERVER_URI "ws://127.0.0.1:7600/rtm"
#define RTM_CALL_ECHO_UID           "echo"
#define RTM_CALL_ECHO_DELAY_MS      1000
#define RTM_CALL_ECHO_MAX_DELAY_MS  10000

typedef enum {
  RTM_CALL_USAGE_ERROR_INVALID,
  RTM_CALL_USAGE_ERROR_NOT_BUILT,
} RtmCallUsageError;

#define RTM_CALL_USAGE_ERROR (rtm_call_usage_error_quark ())
GQuark          rtm_call_usage_error_quark  (void);

/* Parses @argv (which stays the caller's). Returns NULL with
 * RTM_CALL_USAGE_ERROR on a bad command line (NOT_BUILT when it asks for
 * audio and audio is not built in), or NULL and no error with
 * *@out_help set to the help text when --help was asked for. @have_voice
 * says whether audio is built in (it decides the default of --no-audio). */
RtmCallOptions *rtm_call_options_parse      (int                  argc,
                                             const char * const  *argv,
                                             gboolean             have_voice,
                                             char               **out_help,
                                             GError             **error);
void            rtm_call_options_free       (RtmCallOptions      *options);

const char     *rtm_call_command_to_string  (RtmCallCommand       command);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtmCallOptions, rtm_call_options_free)

G_END_DECLS
