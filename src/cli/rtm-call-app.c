/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rtm-call"

#include "rtm-call-config.h"

#include "rtm-call-app.h"

#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <rtm.h>
#include <signal.h>

#ifdef HAVE_VOICE
# include "rtm-call-audio.h"
#endif
#ifdef HAVE_ECHO_SERVICE
# include "rtm-call-echo.h"
#endif

/* How long the logout at exit may take before we leave anyway. */
#define LOGOUT_GRACE_MS 2000

struct _RtmCallApp
{
  GObject              parent_instance;

  /* owned */
  RtmCallOptions      *options;
  RtmCallPrinter      *printer;
  RtmClient           *client;
  GMainLoop           *loop;
  GCancellable        *cancellable;
  RtmLocalInvitation  *local;        /* call, invite */
  GHashTable          *remotes;      /* listen: RtmRemoteInvitation (owned) → NULL, not ended */
  GQueue               prompts;      /* interactive: RtmRemoteInvitation (owned) awaiting an answer */
  GDataInputStream    *input;        /* interactive: stdin */
  GObject             *audio;        /* RtmCallAudio: the call in progress */
  RtmRemoteInvitation *audio_remote; /* listen: the invitation the call came from */
  GObject             *echo;         /* the echo service */

  /* borrowed from the client */
  RtmCallManager      *manager;

  guint                sigint_id;
  guint                sigterm_id;
  guint                timeout_id;
  guint                grace_id;

  guint                handled;
  RtmCallExit          last_code;
  RtmCallExit          exit_code;
  gboolean             logged_in;
  gboolean             quitting;
  gboolean             cancel_requested;
  gboolean             sent_printed;
  gboolean             reading;
};

G_DEFINE_FINAL_TYPE (RtmCallApp, rtm_call_app, G_TYPE_OBJECT)

static void finish             (RtmCallApp  *self,
                                RtmCallExit  code);
static void show_next_prompt   (RtmCallApp  *self);

/* Names */

static const char *
local_error_to_string (RtmLocalInvitationError code)
{
  switch (code)
    {
    case RTM_LOCAL_INVITATION_ERROR_OK:
      return "OK";
    case RTM_LOCAL_INVITATION_ERROR_PEER_OFFLINE:
      return "PEER_OFFLINE";
    case RTM_LOCAL_INVITATION_ERROR_PEER_NO_RESPONSE:
      return "PEER_NO_RESPONSE";
    case RTM_LOCAL_INVITATION_ERROR_INVITATION_EXPIRE:
      return "INVITATION_EXPIRE";
    case RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN:
      return "NOT_LOGGEDIN";
    default:
      return "UNKNOWN";
    }
}

static const char *
remote_error_to_string (RtmRemoteInvitationError code)
{
  switch (code)
    {
    case RTM_REMOTE_INVITATION_ERROR_OK:
      return "OK";
    case RTM_REMOTE_INVITATION_ERROR_PEER_OFFLINE:
      return "PEER_OFFLINE";
    case RTM_REMOTE_INVITATION_ERROR_ACCEPT_FAILURE:
      return "ACCEPT_FAILURE";
    case RTM_REMOTE_INVITATION_ERROR_INVITATION_EXPIRE:
      return "INVITATION_EXPIRE";
    case RTM_REMOTE_INVITATION_ERROR_NOT_LOGGEDIN:
      return "NOT_LOGGEDIN";
    default:
      return "UNKNOWN";
    }
}

static const char *
connection_state_to_string (RtmConnectionState state)
{
  switch (state)
    {
    case RTM_CONNECTION_STATE_DISCONNECTED:
      return "DISCONNECTED";
    case RTM_CONNECTION_STATE_CONNECTING:
      return "CONNECTING";
    case RTM_CONNECTION_STATE_CONNECTED:
      return "CONNECTED";
    case RTM_CONNECTION_STATE_RECONNECTING:
      return "RECONNECTING";
    case RTM_CONNECTION_STATE_ABORTED:
      return "ABORTED";
    default:
      return "UNKNOWN";
    }
}

static const char *
connection_reason_to_string (RtmConnectionChangeReason reason)
{
  switch (reason)
    {
    case RTM_CONNECTION_CHANGE_REASON_LOGIN:
      return "LOGIN";
    case RTM_CONNECTION_CHANGE_REASON_LOGIN_SUCCESS:
      return "LOGIN_SUCCESS";
    case RTM_CONNECTION_CHANGE_REASON_LOGIN_FAILURE:
      return "LOGIN_FAILURE";
    case RTM_CONNECTION_CHANGE_REASON_LOGIN_TIMEOUT:
      return "LOGIN_TIMEOUT";
    case RTM_CONNECTION_CHANGE_REASON_INTERRUPTED:
      return "INTERRUPTED";
    case RTM_CONNECTION_CHANGE_REASON_LOGOUT:
      return "LOGOUT";
    case RTM_CONNECTION_CHANGE_REASON_BANNED_BY_SERVER:
      return "BANNED_BY_SERVER";
    case RTM_CONNECTION_CHANGE_REASON_REMOTE_LOGIN:
      return "REMOTE_LOGIN";
    case RTM_CONNECTION_CHANGE_REASON_TOKEN_EXPIRED:
      return "TOKEN_EXPIRED";
    default:
      return "UNKNOWN";
    }
}

static gboolean
local_is_final (RtmLocalInvitation *invitation)
{
  RtmLocalInvitationState state = rtm_local_invitation_get_state (invitation);

  return state >= RTM_LOCAL_INVITATION_STATE_ACCEPTED_BY_REMOTE;
}

/* Fields every invitation event carries. */
static JsonObject *
local_fields (RtmLocalInvitation *invitation)
{
  JsonObject *fields = json_object_new ();
  const char *id = rtm_local_invitation_get_invitation_id (invitation);

  if (id != NULL)
    json_object_set_string_member (fields, "invitation", id);
  json_object_set_string_member (fields, "peer", rtm_local_invitation_get_callee_id (invitation));
  return fields;
}

static JsonObject *
remote_fields (RtmRemoteInvitation *invitation)
{
  JsonObject *fields = json_object_new ();

  json_object_set_string_member (fields, "invitation",
                                 rtm_remote_invitation_get_invitation_id (invitation));
  json_object_set_string_member (fields, "peer", rtm_remote_invitation_get_caller_id (invitation));
  return fields;
}

static char *
random_channel_id (void)
{
  return g_strdup_printf ("call-%08x%08x", g_random_int (), g_random_int ());
}

/* Leaving */

static void
quit (RtmCallApp *self)
{
  g_clear_handle_id (&self->grace_id, g_source_remove);
  if (self->loop != NULL)
    g_main_loop_quit (self->loop);
}

static gboolean
on_logout_grace_elapsed (gpointer user_data)
{
  RtmCallApp *self = user_data;

  self->grace_id = 0;
  quit (self);
  return G_SOURCE_REMOVE;
}

static void
on_logout_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RtmCallApp) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rtm_client_logout_finish (RTM_CLIENT (object), result, &error))
    g_debug ("logout: %s", error->message);
  quit (self);
}

static void
finish (RtmCallApp  *self,
        RtmCallExit  code)
{
  if (self->quitting)
    return;

  self->quitting = TRUE;
  self->exit_code = code;
  g_clear_handle_id (&self->timeout_id, g_source_remove);

#ifdef HAVE_VOICE
  if (self->audio != NULL)
    rtm_call_audio_hangup (RTM_CALL_AUDIO (self->audio));
#endif
#ifdef HAVE_ECHO_SERVICE
  if (self->echo != NULL)
    rtm_call_echo_hangup_all (self->echo);
#endif

  if (self->logged_in)
    {
      self->logged_in = FALSE;
      /* A clean logout ends our invitations at once for the other side;
       * the grace timer keeps a dead server from holding us. */
      self->grace_id = g_timeout_add (LOGOUT_GRACE_MS, on_logout_grace_elapsed, self);
      rtm_client_logout_async (self->client, NULL, on_logout_done, g_object_ref (self));
    }
  else
    {
      quit (self);
    }
}

/* listen: one invitation has ended */
static void
invitation_done (RtmCallApp          *self,
                 RtmRemoteInvitation *invitation,
                 RtmCallExit          code)
{
  gboolean was_head = g_queue_peek_head (&self->prompts) == invitation;

  if (!g_hash_table_remove (self->remotes, invitation))
    return;

  if (g_queue_remove (&self->prompts, invitation))
    {
      g_object_unref (invitation);
      if (was_head)
        show_next_prompt (self);
    }

  self->handled++;
  self->last_code = code;
  if (self->options->count > 0 && self->handled >= (guint) self->options->count)
    finish (self, code);
}

/* Audio */

#ifdef HAVE_VOICE
static void
on_audio_ended (RtmCallAudio *audio,
                gpointer      user_data)
{
  RtmCallApp *self = user_data;
  G_GNUC_UNUSED g_autoptr(GObject) finished = g_steal_pointer (&self->audio);
  g_autoptr(RtmRemoteInvitation) remote = g_steal_pointer (&self->audio_remote);
  RtmCallExit code = rtm_call_audio_get_exit_code (audio);

  g_signal_handlers_disconnect_by_data (audio, self);

  if (remote != NULL)
    invitation_done (self, remote, code);
  else
    finish (self, code);
}
#endif

/* Starts the voice call of an accepted invitation. Returns FALSE when it
 * could not start (and says why). */
static gboolean
start_audio (RtmCallApp          *self,
             const char          *channel_id,
             const char          *peer_id,
             gboolean             caller,
             RtmRemoteInvitation *remote)
{
#ifdef HAVE_VOICE
  g_autoptr(RtmCallAudio) audio = NULL;
  g_autoptr(GError) error = NULL;

  if (channel_id == NULL || *channel_id == '\0')
    {
      rtm_call_printer_error (self->printer, "the invitation names no channel: no voice call");
      return FALSE;
    }

  audio = rtm_call_audio_new (self->client, self->printer, channel_id, peer_id, caller,
                              self->options->test_audio, self->options->duration);
  g_signal_connect (audio, "ended", G_CALLBACK (on_audio_ended), self);
  if (!rtm_call_audio_start (audio, &error))
    {
      g_signal_handlers_disconnect_by_data (audio, self);
      rtm_call_printer_error (self->printer, "cannot start the voice call: %s", error->message);
      return FALSE;
    }
  self->audio = G_OBJECT (g_steal_pointer (&audio));
  g_set_object (&self->audio_remote, remote);
  return TRUE;
#else
  rtm_call_printer_error (self->printer, "audio is not built into this rtm-call");
  return FALSE;
#endif
}

/* call / invite */

static void
on_cancel_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RtmCallApp) self = user_data;
  g_autoptr(GError) error = NULL;

  if (rtm_call_manager_cancel_local_invitation_finish (RTM_CALL_MANAGER (object), result, &error))
    return;

  /* The other outcome won the race; its event says which. */
  if (g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_ACCEPT) ||
      g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_END))
    return;

  rtm_call_printer_error (self->printer, "cannot cancel the invitation: %s", error->message);
  finish (self, RTM_CALL_EXIT_FAILED);
}

static void
cancel_invitation (RtmCallApp *self)
{
  RtmLocalInvitationState state;

  if (self->local == NULL)
    return;

  state = rtm_local_invitation_get_state (self->local);
  if (state == RTM_LOCAL_INVITATION_STATE_IDLE)
    {
      /* Still being sent: cancel once the server has it. */
      self->cancel_requested = TRUE;
      return;
    }
  if (local_is_final (self->local) || self->cancel_requested)
    return;

  self->cancel_requested = TRUE;
  rtm_call_manager_cancel_local_invitation_async (self->manager, self->local, NULL,
                                                  on_cancel_done, g_object_ref (self));
}

static gboolean
on_timeout_elapsed (gpointer user_data)
{
  RtmCallApp *self = user_data;
  g_autoptr(JsonObject) fields = local_fields (self->local);

  self->timeout_id = 0;
  json_object_set_double_member (fields, "timeout", self->options->timeout);
  rtm_call_printer_event (self->printer, "timeout", fields,
                          "no answer from %s after %g s, canceling",
                          rtm_local_invitation_get_callee_id (self->local),
                          self->options->timeout);
  cancel_invitation (self);
  return G_SOURCE_REMOVE;
}

/* "local-invitation-sent" comes first, whether the reply to the send or
 * the invitation's first event reaches us first. */
static void
print_sent (RtmCallApp *self)
{
  g_autoptr(JsonObject) fields = NULL;
  const char *content;
  const char *channel;

  if (self->sent_printed)
    return;
  self->sent_printed = TRUE;

  fields = local_fields (self->local);
  content = rtm_local_invitation_get_content (self->local);
  channel = rtm_local_invitation_get_channel_id (self->local);
  if (content != NULL)
    json_object_set_string_member (fields, "content", content);
  if (channel != NULL)
    json_object_set_string_member (fields, "channel", channel);
  rtm_call_printer_event (self->printer, "local-invitation-sent", fields,
                          "inviting %s (invitation %s)",
                          rtm_local_invitation_get_callee_id (self->local),
                          rtm_local_invitation_get_invitation_id (self->local));
}

static void
on_send_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RtmCallApp) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rtm_call_manager_send_local_invitation_finish (RTM_CALL_MANAGER (object), result, &error))
    {
      rtm_call_printer_error (self->printer, "cannot invite %s: %s",
                              self->options->peer, error->message);
      finish (self, RTM_CALL_EXIT_FAILED);
      return;
    }

  print_sent (self);
  if (self->quitting)
    return;

  if (self->cancel_requested)
    {
      self->cancel_requested = FALSE;
      cancel_invitation (self);
    }
}

static void
start_call (RtmCallApp *self)
{
  RtmCallOptions *options = self->options;
  g_autofree char *channel = NULL;

  self->local = rtm_call_manager_create_local_invitation (self->manager, options->peer);
  if (self->local == NULL)
    {
      rtm_call_printer_error (self->printer, "cannot make an invitation for %s", options->peer);
      finish (self, RTM_CALL_EXIT_FAILED);
      return;
    }

  /* A voice call needs a channel to meet in. */
  channel = g_strdup (options->channel);
  if (channel == NULL && options->audio)
    channel = random_channel_id ();

  if (options->content != NULL && !rtm_local_invitation_set_content (self->local, options->content))
    {
      rtm_call_printer_error (self->printer, "the content was not accepted");
      finish (self, RTM_CALL_EXIT_USAGE);
      return;
    }
  if (channel != NULL && !rtm_local_invitation_set_channel_id (self->local, channel))
    {
      rtm_call_printer_error (self->printer, "the channel \"%s\" was not accepted", channel);
      finish (self, RTM_CALL_EXIT_USAGE);
      return;
    }

  if (options->timeout > 0)
    self->timeout_id = g_timeout_add ((guint) (options->timeout * 1000), on_timeout_elapsed, self);

  rtm_call_manager_send_local_invitation_async (self->manager, self->local, NULL,
                                                on_send_done, g_object_ref (self));
}

static void
on_local_received_by_peer (RtmCallManager     *manager,
                           RtmLocalInvitation *invitation,
                           gpointer            user_data)
{
  RtmCallApp *self = user_data;
  g_autoptr(JsonObject) fields = NULL;

  if (invitation != self->local)
    return;

  print_sent (self);

  fields = local_fields (invitation);
  rtm_call_printer_event (self->printer, "local-invitation-received-by-peer", fields,
                          "%s's client is ringing", rtm_local_invitation_get_callee_id (invitation));
}

static void
on_local_accepted (RtmCallManager     *manager,
                   RtmLocalInvitation *invitation,
                   const char         *response,
                   gpointer            user_data)
{
  RtmCallApp *self = user_data;
  g_autoptr(JsonObject) fields = NULL;
  const char *peer;

  if (invitation != self->local)
    return;

  print_sent (self);

  peer = rtm_local_invitation_get_callee_id (invitation);
  fields = local_fields (invitation);
  json_object_set_string_member (fields, "response", response ? response : "");
  rtm_call_printer_event (self->printer, "local-invitation-accepted", fields,
                          "%s accepted%s%s%s", peer,
                          response && *response ? " (response \"" : "",
                          response && *response ? response : "",
                          response && *response ? "\")" : "");
  g_clear_handle_id (&self->timeout_id, g_source_remove);

  if (!self->options->audio || self->quitting)
    {
      finish (self, RTM_CALL_EXIT_OK);
      return;
    }

  if (!start_audio (self, rtm_local_invitation_get_channel_id (invitation), peer, TRUE, NULL))
    finish (self, RTM_CALL_EXIT_DROPPED);
}

static void
on_local_refused (RtmCallManager     *manager,
                  RtmLocalInvitation *invitation,
                  const char         *response,
                  gpointer            user_data)
{
  RtmCallApp *self = user_data;
  g_autoptr(JsonObject) fields = NULL;

  if (invitation != self->local)
    return;

  print_sent (self);

  fields = local_fields (invitation);
  json_object_set_string_member (fields, "response", response ? response : "");
  rtm_call_printer_event (self->printer, "local-invitation-refused", fields,
                          "%s refused%s%s%s", rtm_local_invitation_get_callee_id (invitation),
                          response && *response ? " (response \"" : "",
                          response && *response ? response : "",
                          response && *response ? "\")" : "");
  finish (self, RTM_CALL_EXIT_REFUSED);
}

static void
on_local_canceled (RtmCallManager     *manager,
                   RtmLocalInvitation *invitation,
                   gpointer            user_data)
{
  RtmCallApp *self = user_data;
  g_autoptr(JsonObject) fields = NULL;

  if (invitation != self->local)
    return;

  print_sent (self);

  fields = local_fields (invitation);
  rtm_call_printer_event (self->printer, "local-invitation-canceled", fields,
                          "canceled the invitation to %s",
                          rtm_local_invitation_get_callee_id (invitation));
  finish (self, RTM_CALL_EXIT_CANCELED);
}

static void
on_local_failure (RtmCallManager          *manager,
                  RtmLocalInvitation      *invitation,
                  RtmLocalInvitationError  code,
                  gpointer                 user_data)
{
  RtmCallApp *self = user_data;
  g_autoptr(JsonObject) fields = NULL;

  if (invitation != self->local)
    return;

  print_sent (self);

  fields = local_fields (invitation);
  json_object_set_string_member (fields, "code", local_error_to_string (code));
  rtm_call_printer_event (self->printer, "local-invitation-failure", fields,
                          "the invitation to %s failed: %s",
                          rtm_local_invitation_get_callee_id (invitation),
                          local_error_to_string (code));
  finish (self, RTM_CALL_EXIT_FAILED);
}

/* listen */

static void
on_answer_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RtmCallApp) self = user_data;
  g_autoptr(GError) error = NULL;
  RtmCallManager *manager = RTM_CALL_MANAGER (object);
  gboolean ok;

  if (g_async_result_is_tagged (result, rtm_call_manager_accept_remote_invitation_async))
    ok = rtm_call_manager_accept_remote_invitation_finish (manager, result, &error);
  else
    ok = rtm_call_manager_refuse_remote_invitation_finish (manager, result, &error);

  /* A cancel or expiry that won the race comes as its own event. */
  if (!ok && !g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_END) &&
      !g_error_matches (error, RTM_ERROR, RTM_ERROR_ALREADY_ACCEPT))
    rtm_call_printer_error (self->printer, "cannot answer the invitation: %s", error->message);
}

static void
answer (RtmCallApp          *self,
        RtmRemoteInvitation *invitation,
        gboolean             accept)
{
  if (self->options->response != NULL)
    rtm_remote_invitation_set_response (invitation, self->options->response);

  if (accept)
    rtm_call_manager_accept_remote_invitation_async (self->manager, invitation, NULL,
                                                     on_answer_done, g_object_ref (self));
  else
    rtm_call_manager_refuse_remote_invitation_async (self->manager, invitation, NULL,
                                                     on_answer_done, g_object_ref (self));
}

static void read_answer (RtmCallApp *self);

static void
show_next_prompt (RtmCallApp *self)
{
  RtmRemoteInvitation *invitation = g_queue_peek_head (&self->prompts);
  const char *content;

  if (invitation == NULL)
    return;

  content = rtm_remote_invitation_get_content (invitation);
  rtm_call_printer_prompt (self->printer, "%s is calling%s%s%s. [a]ccept, [r]efuse or [i]gnore? ",
                           rtm_remote_invitation_get_caller_id (invitation),
                           content && *content ? " (\"" : "",
                           content && *content ? content : "",
                           content && *content ? "\")" : "");
  read_answer (self);
}

static void
on_answer_line (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RtmCallApp) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(RtmRemoteInvitation) invitation = NULL;
  const char *word;

  self->reading = FALSE;
  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                    NULL, &error);
  if (line == NULL)
    {
      if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (error != NULL)
        rtm_call_printer_error (self->printer, "cannot read the answer: %s", error->message);
      else
        rtm_call_printer_prompt (self->printer, "\nend of input: invitations now ring unanswered\n");
      g_clear_object (&self->input);
      return;
    }

  if (g_queue_is_empty (&self->prompts))
    return;

  word = g_strstrip (line);
  if (g_ascii_strcasecmp (word, "a") == 0 || g_ascii_strcasecmp (word, "accept") == 0)
    {
      invitation = g_queue_pop_head (&self->prompts);
      answer (self, invitation, TRUE);
    }
  else if (g_ascii_strcasecmp (word, "r") == 0 || g_ascii_strcasecmp (word, "refuse") == 0)
    {
      invitation = g_queue_pop_head (&self->prompts);
      answer (self, invitation, FALSE);
    }
  else if (g_ascii_strcasecmp (word, "i") == 0 || g_ascii_strcasecmp (word, "ignore") == 0)
    {
      /* It rings on until the caller cancels or it expires. */
      invitation = g_queue_pop_head (&self->prompts);
    }
  else
    {
      rtm_call_printer_prompt (self->printer, "please answer a, r or i: ");
      read_answer (self);
      return;
    }

  show_next_prompt (self);
}

static void
read_answer (RtmCallApp *self)
{
  if (self->reading || self->quitting)
    return;

  if (self->input == NULL)
    return;

  self->reading = TRUE;
  g_data_input_stream_read_line_async (self->input, G_PRIORITY_DEFAULT, self->cancellable,
                                       on_answer_line, g_object_ref (self));
}

/* listen answers invitations itself; echo lets the echo service answer
 * and only prints them. */
static gboolean
listening (RtmCallApp *self)
{
  return (self->options->command == RTM_CALL_COMMAND_LISTEN ||
          self->options->command == RTM_CALL_COMMAND_ECHO) && !self->quitting;
}

static void
on_remote_received (RtmCallManager      *manager,
                    RtmRemoteInvitation *invitation,
                    gpointer             user_data)
{
  RtmCallApp *self = user_data;
  g_autoptr(JsonObject) fields = NULL;
  const char *content;
  const char *channel;

  if (!listening (self))
    return;

  fields = remote_fields (invitation);
  content = rtm_remote_invitation_get_content (invitation);
  channel = rtm_remote_invitation_get_channel_id (invitation);
  json_object_set_string_member (fields, "content", content ? content : "");
  if (channel != NULL)
    json_object_set_string_member (fields, "channel", channel);
  else
    json_object_set_null_member (fields, "channel");
  rtm_call_printer_event (self->printer, "remote-invitation-received", fields,
                          "%s is calling%s%s%s (invitation %s)",
                          rtm_remote_invitation_get_caller_id (invitation),
                          content && *content ? ": \"" : "",
                          content && *content ? content : "",
                          content && *content ? "\"" : "",
                          rtm_remote_invitation_get_invitation_id (invitation));

  g_hash_table_add (self->remotes, g_object_ref (invitation));

  switch (self->options->answer)
    {
    case RTM_CALL_ANSWER_ACCEPT:
      /* One voice call at a time: a second caller hears busy. */
      if (self->options->audio && self->audio != NULL)
        {
          rtm_remote_invitation_set_response (invitation, "busy");
          rtm_call_manager_refuse_remote_invitation_async (self->manager, invitation, NULL,
                                                           on_answer_done, g_object_ref (self));
        }
      else
        {
          answer (self, invitation, TRUE);
        }
      break;

    case RTM_CALL_ANSWER_REFUSE:
      answer (self, invitation, FALSE);
      break;

    case RTM_CALL_ANSWER_INTERACTIVE:
      g_queue_push_tail (&self->prompts, g_object_ref (invitation));
      if (g_queue_get_length (&self->prompts) == 1)
        show_next_prompt (self);
      break;

    case RTM_CALL_ANSWER_NONE:
    default:
      break;
    }
}

static void
on_remote_accepted (RtmCallManager      *manager,
                    RtmRemoteInvitation *invitation,
                    gpointer             user_data)
{
  RtmCallApp *self = user_data;
  g_autoptr(JsonObject) fields = NULL;
  const char *caller;
  const char *channel;

  if (!g_hash_table_contains (self->remotes, invitation))
    return;

  caller = rtm_remote_invitation_get_caller_id (invitation);
  fields = remote_fields (invitation);
  rtm_call_printer_event (self->printer, "remote-invitation-accepted", fields,
                          "accepted %s's invitation", caller);

  if (!self->options->audio || self->audio != NULL ||
      self->options->command == RTM_CALL_COMMAND_ECHO)
    {
      invitation_done (self, invitation, RTM_CALL_EXIT_OK);
      return;
    }

  channel = rtm_remote_invitation_get_channel_id (invitation);
  if (channel == NULL || *channel == '\0')
    {
      /* A signalling-only invitation (rtm-call invite): nowhere to talk. */
      g_autoptr(JsonObject) skipped = remote_fields (invitation);

      rtm_call_printer_event (self->printer, "voice-skipped", skipped,
                              "%s's invitation names no channel: no voice call", caller);
      invitation_done (self, invitation, RTM_CALL_EXIT_OK);
      return;
    }

  if (!start_audio (self, channel, caller, FALSE, invitation))
    invitation_done (self, invitation, RTM_CALL_EXIT_DROPPED);
}

static void
on_remote_refused (RtmCallManager      *manager,
                   RtmRemoteInvitation *invitation,
                   gpointer             user_data)
{
  RtmCallApp *self = user_data;
  g_autoptr(JsonObject) fields = NULL;

  if (!g_hash_table_contains (self->remotes, invitation))
    return;

  fields = remote_fields (invitation);
  rtm_call_printer_event (self->printer, "remote-invitation-refused", fields,
                          "refused %s's invitation",
                          rtm_remote_invitation_get_caller_id (invitation));
  invitation_done (self, invitation, RTM_CALL_EXIT_OK);
}

static void
on_remote_canceled (RtmCallManager      *manager,
                    RtmRemoteInvitation *invitation,
                    gpointer             user_data)
{
  RtmCallApp *self = user_data;
  g_autoptr(JsonObject) fields = NULL;

  if (!g_hash_table_contains (self->remotes, invitation))
    return;

  fields = remote_fields (invitation);
  rtm_call_printer_event (self->printer, "remote-invitation-canceled", fields,
                          "%s canceled the invitation",
                          rtm_remote_invitation_get_caller_id (invitation));
  invitation_done (self, invitation, RTM_CALL_EXIT_CANCELED);
}

static void
on_remote_failure (RtmCallManager           *manager,
                   RtmRemoteInvitation      *invitation,
                   RtmRemoteInvitationError  code,
                   gpointer                  user_data)
{
  RtmCallApp *self = user_data;
  g_autoptr(JsonObject) fields = NULL;

  if (!g_hash_table_contains (self->remotes, invitation))
    return;

  fields = remote_fields (invitation);
  json_object_set_string_member (fields, "code", remote_error_to_string (code));
  rtm_call_printer_event (self->printer, "remote-invitation-failure", fields,
                          "%s's invitation failed: %s",
                          rtm_remote_invitation_get_caller_id (invitation),
                          remote_error_to_string (code));
  invitation_done (self, invitation, RTM_CALL_EXIT_FAILED);
}

static void
start_listen (RtmCallApp *self)
{
  if (self->options->answer == RTM_CALL_ANSWER_INTERACTIVE)
    {
      g_autoptr(GInputStream) raw = g_unix_input_stream_new (STDIN_FILENO, FALSE);

      self->input = g_data_input_stream_new (raw);
    }
}

/* echo */

static void
start_echo (RtmCallApp *self)
{
#ifdef HAVE_ECHO_SERVICE
  g_autoptr(GError) error = NULL;

  self->echo = rtm_call_echo_start (self->client, self->printer,
                                    (guint) self->options->delay_ms, &error);
  if (self->echo == NULL)
    {
      rtm_call_printer_error (self->printer, "cannot start the echo service: %s", error->message);
      finish (self, RTM_CALL_EXIT_DROPPED);
    }
#else
  rtm_call_printer_error (self->printer, "the echo service is not built into this rtm-call");
  finish (self, RTM_CALL_EXIT_NOT_BUILT);
#endif
}

/* send, presence */

static void
on_message_sent (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RtmCallApp) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = NULL;

  if (!rtm_client_send_message_to_peer_finish (RTM_CLIENT (object), result, &error))
    {
      rtm_call_printer_error (self->printer, "cannot send to %s: %s",
                              self->options->peer, error->message);
      finish (self, RTM_CALL_EXIT_FAILED);
      return;
    }

  fields = json_object_new ();
  json_object_set_string_member (fields, "peer", self->options->peer);
  json_object_set_string_member (fields, "text", self->options->text);
  rtm_call_printer_event (self->printer, "message-sent", fields,
                          "sent to %s: %s", self->options->peer, self->options->text);
  finish (self, RTM_CALL_EXIT_OK);
}

static void
on_presence_queried (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(RtmCallApp) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) online = NULL;

  online = rtm_client_query_peers_online_status_finish (RTM_CLIENT (object), result, &error);
  if (online == NULL)
    {
      rtm_call_printer_error (self->printer, "cannot query presence: %s", error->message);
      finish (self, RTM_CALL_EXIT_FAILED);
      return;
    }

  for (guint i = 0; self->options->uids[i] != NULL; i++)
    {
      const char *uid = self->options->uids[i];
      gboolean is_online = GPOINTER_TO_INT (g_hash_table_lookup (online, uid));
      g_autoptr(JsonObject) fields = json_object_new ();

      json_object_set_string_member (fields, "uid", uid);
      json_object_set_boolean_member (fields, "online", is_online);
      rtm_call_printer_event (self->printer, "presence", fields,
                              "%s is %s", uid, is_online ? "online" : "offline");
    }
  finish (self, RTM_CALL_EXIT_OK);
}

/* Client */

static void
on_message_received (RtmClient  *client,
                     const char *peer_id,
                     const char *text,
                     gpointer    user_data)
{
  RtmCallApp *self = user_data;
  g_autoptr(JsonObject) fields = json_object_new ();

  json_object_set_string_member (fields, "peer", peer_id);
  json_object_set_string_member (fields, "text", text);
  rtm_call_printer_event (self->printer, "message-received", fields,
                          "message from %s: %s", peer_id, text);
}

static void
on_connection_state_changed (RtmClient                 *client,
                             RtmConnectionState         state,
                             RtmConnectionChangeReason  reason,
                             gpointer                   user_data)
{
  RtmCallApp *self = user_data;
  g_autoptr(JsonObject) fields = json_object_new ();

  json_object_set_string_member (fields, "state", connection_state_to_string (state));
  json_object_set_string_member (fields, "reason", connection_reason_to_string (reason));
  rtm_call_printer_event (self->printer, "connection-state-changed", fields,
                          "connection: %s (%s)", connection_state_to_string (state),
                          connection_reason_to_string (reason));

  /* Another login of this user, or the server banned us: nothing will
   * come back. */
  if (state == RTM_CONNECTION_STATE_ABORTED)
    {
      self->logged_in = FALSE;
      finish (self, self->audio != NULL ? RTM_CALL_EXIT_DROPPED : RTM_CALL_EXIT_CONNECTION);
    }
}

static void
on_login_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RtmCallApp) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = NULL;
  gboolean ok;

  ok = rtm_client_login_finish (RTM_CLIENT (object), result, &error);
  if (self->quitting)
    {
      /* Ctrl-C came during the login; the connection closes as we leave. */
      return;
    }
  if (!ok)
    {
      rtm_call_printer_error (self->printer, "cannot log in to %s as %s: %s",
                              self->options->server_uri, self->options->uid, error->message);
      finish (self, RTM_CALL_EXIT_CONNECTION);
      return;
    }

  self->logged_in = TRUE;

  fields = json_object_new ();
  json_object_set_string_member (fields, "uid", self->options->uid);
  json_object_set_string_member (fields, "server", self->options->server_uri);
  rtm_call_printer_event (self->printer, "logged-in", fields,
                          "logged in to %s as %s", self->options->server_uri, self->options->uid);

  switch (self->options->command)
    {
    case RTM_CALL_COMMAND_CALL:
    case RTM_CALL_COMMAND_INVITE:
      start_call (self);
      break;
    case RTM_CALL_COMMAND_LISTEN:
      start_listen (self);
      break;
    case RTM_CALL_COMMAND_ECHO:
      start_echo (self);
      break;
    case RTM_CALL_COMMAND_SEND:
      rtm_client_send_message_to_peer_async (self->client, self->options->peer,
                                             self->options->text, NULL,
                                             on_message_sent, g_object_ref (self));
      break;
    case RTM_CALL_COMMAND_PRESENCE:
      rtm_client_query_peers_online_status_async (self->client,
                                                  (const char * const *) self->options->uids,
                                                  NULL, on_presence_queried,
                                                  g_object_ref (self));
      break;
    case RTM_CALL_COMMAND_NONE:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
on_interrupt (gpointer user_data)
{
  RtmCallApp *self = user_data;

  if (self->quitting)
    {
      /* A second Ctrl-C: leave now. */
      quit (self);
      return G_SOURCE_CONTINUE;
    }

  rtm_call_printer_prompt (self->printer, "\n");

#ifdef HAVE_VOICE
  if (self->audio != NULL)
    {
      /* "ended" follows, and with it the exit. */
      rtm_call_audio_hangup (RTM_CALL_AUDIO (self->audio));
      if (self->options->command == RTM_CALL_COMMAND_LISTEN)
        finish (self, RTM_CALL_EXIT_OK);
      return G_SOURCE_CONTINUE;
    }
#endif

  switch (self->options->command)
    {
    case RTM_CALL_COMMAND_CALL:
    case RTM_CALL_COMMAND_INVITE:
      if (self->local != NULL && !local_is_final (self->local))
        {
          cancel_invitation (self);
          return G_SOURCE_CONTINUE;
        }
      finish (self, RTM_CALL_EXIT_CANCELED);
      break;

    case RTM_CALL_COMMAND_LISTEN:
    case RTM_CALL_COMMAND_ECHO:
      /* The normal way to stop listening. */
      finish (self, RTM_CALL_EXIT_OK);
      break;

    case RTM_CALL_COMMAND_SEND:
    case RTM_CALL_COMMAND_PRESENCE:
    case RTM_CALL_COMMAND_NONE:
    default:
      finish (self, RTM_CALL_EXIT_CANCELED);
      break;
    }

  return G_SOURCE_CONTINUE;
}

/* GObject */

static void
rtm_call_app_dispose (GObject *object)
{
  RtmCallApp *self = RTM_CALL_APP (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->sigint_id, g_source_remove);
  g_clear_handle_id (&self->sigterm_id, g_source_remove);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_handle_id (&self->grace_id, g_source_remove);

  if (self->audio != NULL)
    g_signal_handlers_disconnect_by_data (self->audio, self);
  g_clear_object (&self->audio);
  g_clear_object (&self->audio_remote);
  g_clear_object (&self->echo);
  g_queue_clear_full (&self->prompts, g_object_unref);
  g_clear_pointer (&self->remotes, g_hash_table_unref);
  g_clear_object (&self->local);
  g_clear_object (&self->input);

  if (self->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      if (self->manager != NULL)
        g_signal_handlers_disconnect_by_data (self->manager, self);
      self->manager = NULL;
      g_clear_object (&self->client);
    }

  g_clear_object (&self->printer);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (rtm_call_app_parent_class)->dispose (object);
}

static void
rtm_call_app_finalize (GObject *object)
{
  RtmCallApp *self = RTM_CALL_APP (object);

  g_clear_pointer (&self->options, rtm_call_options_free);

  G_OBJECT_CLASS (rtm_call_app_parent_class)->finalize (object);
}

static void
rtm_call_app_class_init (RtmCallAppClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rtm_call_app_dispose;
  object_class->finalize = rtm_call_app_finalize;
}

static void
rtm_call_app_init (RtmCallApp *self)
{
  self->cancellable = g_cancellable_new ();
  self->remotes = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  g_queue_init (&self->prompts);
  self->exit_code = RTM_CALL_EXIT_OK;
}

RtmCallApp *
rtm_call_app_new (RtmCallOptions *options,
                  RtmCallPrinter *printer)
{
  RtmCallApp *self;

  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (RTM_CALL_IS_PRINTER (printer), NULL);

  self = g_object_new (RTM_CALL_TYPE_APP, NULL);
  self->options = options;
  self->printer = g_object_ref (printer);
  return self;
}

int
rtm_call_app_run (RtmCallApp *self)
{
  RtmCallOptions *options;

  g_return_val_if_fail (RTM_CALL_IS_APP (self), RTM_CALL_EXIT_USAGE);
  g_return_val_if_fail (self->loop == NULL, RTM_CALL_EXIT_USAGE);

  options = self->options;

#ifndef HAVE_ECHO_SERVICE
  if (options->command == RTM_CALL_COMMAND_ECHO)
    {
      rtm_call_printer_error (self->printer, "the echo service is not built into this rtm-call");
      return RTM_CALL_EXIT_NOT_BUILT;
    }
#endif

#ifdef HAVE_VOICE
  /* Only a process that may take a call loads GStreamer: listen --refuse
   * stays light. */
  if (options->audio &&
      (options->command != RTM_CALL_COMMAND_LISTEN ||
       options->answer == RTM_CALL_ANSWER_ACCEPT ||
       options->answer == RTM_CALL_ANSWER_INTERACTIVE))
    {
      g_autoptr(GError) error = NULL;

      if (!rtm_call_audio_prepare (&error))
        {
          rtm_call_printer_error (self->printer, "audio is not available: %s (use --no-audio)",
                                  error->message);
          return RTM_CALL_EXIT_NOT_BUILT;
        }
    }
#endif

  self->loop = g_main_loop_new (NULL, FALSE);
  self->sigint_id = g_unix_signal_add (SIGINT, on_interrupt, self);
  self->sigterm_id = g_unix_signal_add (SIGTERM, on_interrupt, self);

  self->client = rtm_client_new (options->server_uri);
  if (self->client == NULL)
    {
      rtm_call_printer_error (self->printer, "cannot use the server URI %s", options->server_uri);
      return RTM_CALL_EXIT_USAGE;
    }
  self->manager = rtm_client_get_call_manager (self->client);

  g_signal_connect (self->client, "connection-state-changed",
                    G_CALLBACK (on_connection_state_changed), self);
  g_signal_connect (self->client, "message-received", G_CALLBACK (on_message_received), self);
  g_signal_connect (self->manager, "local-invitation-received-by-peer",
                    G_CALLBACK (on_local_received_by_peer), self);
  g_signal_connect (self->manager, "local-invitation-accepted",
                    G_CALLBACK (on_local_accepted), self);
  g_signal_connect (self->manager, "local-invitation-refused",
                    G_CALLBACK (on_local_refused), self);
  g_signal_connect (self->manager, "local-invitation-canceled",
                    G_CALLBACK (on_local_canceled), self);
  g_signal_connect (self->manager, "local-invitation-failure",
                    G_CALLBACK (on_local_failure), self);
  g_signal_connect (self->manager, "remote-invitation-received",
                    G_CALLBACK (on_remote_received), self);
  g_signal_connect (self->manager, "remote-invitation-accepted",
                    G_CALLBACK (on_remote_accepted), self);
  g_signal_connect (self->manager, "remote-invitation-refused",
                    G_CALLBACK (on_remote_refused), self);
  g_signal_connect (self->manager, "remote-invitation-canceled",
                    G_CALLBACK (on_remote_canceled), self);
  g_signal_connect (self->manager, "remote-invitation-failure",
                    G_CALLBACK (on_remote_failure), self);

  rtm_client_login_async (self->client, options->uid, options->token, self->cancellable,
                          on_login_done, g_object_ref (self));

  g_main_loop_run (self->loop);

  /* Let the cancelled reads and the logout's last callbacks run. */
  g_cancellable_cancel (self->cancellable);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  return self->exit_code;
}
