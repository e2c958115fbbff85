/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "rtm"

#include "rtm-client-private.h"
#include "rtm-enum-types.h"

#include <string.h>

/**
 * RtmRemoteInvitation:
 *
 * The callee's side of a call invitation.
 *
 * The call manager hands one out with
 * [signal@Rtm.CallManager::remote-invitation-received]. Set a
 * [property@Rtm.RemoteInvitation:response] if you like, then answer it with
 * [method@Rtm.CallManager.accept_remote_invitation_async] or
 * [method@Rtm.CallManager.refuse_remote_invitation_async]. Its
 * [property@Rtm.RemoteInvitation:state] only moves forward, and the call
 * manager emits exactly one final signal for it.
 */

struct _RtmRemoteInvitation
{
  GObject                   parent_instance;

  char                     *invitation_id;
  char                     *caller_id;
  char                     *content;
  char                     *channel_id;
  char                     *response;
  RtmRemoteInvitationState  state;
  RtmRemoteInvitationError  failure_code;
  /* set once an answer went to the server */
  gboolean                  locked;
};

G_DEFINE_FINAL_TYPE (RtmRemoteInvitation, rtm_remote_invitation, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CALLER_ID,
  PROP_CONTENT,
  PROP_CHANNEL_ID,
  PROP_RESPONSE,
  PROP_STATE,
  PROP_INVITATION_ID,
  PROP_FAILURE_CODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
rtm_remote_invitation_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  RtmRemoteInvitation *self = RTM_REMOTE_INVITATION (object);

  switch (prop_id)
    {
    case PROP_CALLER_ID:
      g_value_set_string (value, self->caller_id);
      break;
    case PROP_CONTENT:
      g_value_set_string (value, self->content);
      break;
    case PROP_CHANNEL_ID:
      g_value_set_string (value, self->channel_id);
      break;
    case PROP_RESPONSE:
      g_value_set_string (value, self->response);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_INVITATION_ID:
      g_value_set_string (value, self->invitation_id);
      break;
    case PROP_FAILURE_CODE:
      g_value_set_enum (value, self->failure_code);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rtm_remote_invitation_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  RtmRemoteInvitation *self = RTM_REMOTE_INVITATION (object);

  switch (prop_id)
    {
    case PROP_RESPONSE:
      rtm_remote_invitation_set_response (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rtm_remote_invitation_finalize (GObject *object)
{
  RtmRemoteInvitation *self = RTM_REMOTE_INVITATION (object);

  g_clear_pointer (&self->invitation_id, g_free);
  g_clear_pointer (&self->caller_id, g_free);
  g_clear_pointer (&self->content, g_free);
  g_clear_pointer (&self->channel_id, g_free);
  g_clear_pointer (&self->response, g_free);

  G_OBJECT_CLASS (rtm_remote_invitation_parent_class)->finalize (object);
}

static void
rtm_remote_invitation_class_init (RtmRemoteInvitationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rtm_remote_invitation_get_property;
  object_class->set_property = rtm_remote_invitation_set_property;
  object_class->finalize = rtm_remote_invitation_finalize;

  /**
   * RtmRemoteInvitation:caller-id:
   *
   * The user id of the caller.
   */
  properties[PROP_CALLER_ID] =
    g_param_spec_string ("caller-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * RtmRemoteInvitation:content:
   *
   * The caller's content.
   */
  properties[PROP_CONTENT] =
    g_param_spec_string ("content", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * RtmRemoteInvitation:channel-id:
   *
   * The channel the caller named for the call.
   */
  properties[PROP_CHANNEL_ID] =
    g_param_spec_string ("channel-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * RtmRemoteInvitation:response:
   *
   * The response sent to the caller with the answer (at most 8 KiB).
   * Settable until the invitation is answered or ends.
   */
  properties[PROP_RESPONSE] =
    g_param_spec_string ("response", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * RtmRemoteInvitation:state:
   *
   * Where the invitation is; it only moves forward.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       RTM_TYPE_REMOTE_INVITATION_STATE,
                       RTM_REMOTE_INVITATION_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * RtmRemoteInvitation:invitation-id:
   *
   * The id the server gave the invitation.
   */
  properties[PROP_INVITATION_ID] =
    g_param_spec_string ("invitation-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * RtmRemoteInvitation:failure-code:
   *
   * Why the invitation failed, once [property@Rtm.RemoteInvitation:state]
   * is %RTM_REMOTE_INVITATION_STATE_FAILURE.
   */
  properties[PROP_FAILURE_CODE] =
    g_param_spec_enum ("failure-code", NULL, NULL,
                       RTM_TYPE_REMOTE_INVITATION_ERROR,
                       RTM_REMOTE_INVITATION_ERROR_OK,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rtm_remote_invitation_init (RtmRemoteInvitation *self)
{
}

RtmRemoteInvitation *
rtm_remote_invitation_new (const char *invitation_id,
                           const char *caller_id,
                           const char *content,
                           const char *channel_id)
{
  RtmRemoteInvitation *self = g_object_new (RTM_TYPE_REMOTE_INVITATION, NULL);

  self->invitation_id = g_strdup (invitation_id);
  self->caller_id = g_strdup (caller_id);
  self->content = g_strdup (content);
  self->channel_id = g_strdup (channel_id);
  self->state = RTM_REMOTE_INVITATION_STATE_INVITATION_RECEIVED;
  return self;
}

/**
 * rtm_remote_invitation_get_caller_id:
 * @self: a #RtmRemoteInvitation
 *
 * Gets the caller's user id.
 *
 * Returns: the caller's user id
 */
const char *
rtm_remote_invitation_get_caller_id (RtmRemoteInvitation *self)
{
  g_return_val_if_fail (RTM_IS_REMOTE_INVITATION (self), NULL);

  return self->caller_id;
}

/**
 * rtm_remote_invitation_get_content:
 * @self: a #RtmRemoteInvitation
 *
 * Gets the caller's content.
 *
 * Returns: (nullable): the caller's content
 */
const char *
rtm_remote_invitation_get_content (RtmRemoteInvitation *self)
{
  g_return_val_if_fail (RTM_IS_REMOTE_INVITATION (self), NULL);

  return self->content;
}

/**
 * rtm_remote_invitation_get_channel_id:
 * @self: a #RtmRemoteInvitation
 *
 * Gets the channel the caller named.
 *
 * Returns: (nullable): the channel the caller named
 */
const char *
rtm_remote_invitation_get_channel_id (RtmRemoteInvitation *self)
{
  g_return_val_if_fail (RTM_IS_REMOTE_INVITATION (self), NULL);

  return self->channel_id;
}

/**
 * rtm_remote_invitation_get_response:
 * @self: a #RtmRemoteInvitation
 *
 * Gets the response for the caller.
 *
 * Returns: (nullable): the response for the caller
 */
const char *
rtm_remote_invitation_get_response (RtmRemoteInvitation *self)
{
  g_return_val_if_fail (RTM_IS_REMOTE_INVITATION (self), NULL);

  return self->response;
}

/**
 * rtm_remote_invitation_set_response:
 * @self: a #RtmRemoteInvitation
 * @response: (nullable): text for the caller, at most 8 KiB
 *
 * Sets the response sent with the answer. Fails once the invitation was
 * answered or has ended, or when @response is over 8 KiB.
 *
 * Returns: whether the response was set
 */
gboolean
rtm_remote_invitation_set_response (RtmRemoteInvitation *self,
                                    const char          *response)
{
  g_return_val_if_fail (RTM_IS_REMOTE_INVITATION (self), FALSE);

  if (self->locked || rtm_remote_invitation_is_final (self))
    return FALSE;
  if (response != NULL &&
      (strlen (response) > RTM_MAX_CONTENT_LENGTH || !g_utf8_validate (response, -1, NULL)))
    return FALSE;

  if (rtm_set_str (&self->response, response))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESPONSE]);
  return TRUE;
}

/**
 * rtm_remote_invitation_get_state:
 * @self: a #RtmRemoteInvitation
 *
 * Gets the invitation's state.
 *
 * Returns: the invitation's state
 */
RtmRemoteInvitationState
rtm_remote_invitation_get_state (RtmRemoteInvitation *self)
{
  g_return_val_if_fail (RTM_IS_REMOTE_INVITATION (self), RTM_REMOTE_INVITATION_STATE_IDLE);

  return self->state;
}

/**
 * rtm_remote_invitation_get_invitation_id:
 * @self: a #RtmRemoteInvitation
 *
 * Gets the server's id for the invitation.
 *
 * Returns: the server's id for the invitation
 */
const char *
rtm_remote_invitation_get_invitation_id (RtmRemoteInvitation *self)
{
  g_return_val_if_fail (RTM_IS_REMOTE_INVITATION (self), NULL);

  return self->invitation_id;
}

/**
 * rtm_remote_invitation_get_failure_code:
 * @self: a #RtmRemoteInvitation
 *
 * Gets why the invitation failed, or %RTM_REMOTE_INVITATION_ERROR_OK.
 *
 * Returns: why the invitation failed, or %RTM_REMOTE_INVITATION_ERROR_OK
 */
RtmRemoteInvitationError
rtm_remote_invitation_get_failure_code (RtmRemoteInvitation *self)
{
  g_return_val_if_fail (RTM_IS_REMOTE_INVITATION (self), RTM_REMOTE_INVITATION_ERROR_OK);

  return self->failure_code;
}

gboolean
rtm_remote_invitation_set_state (RtmRemoteInvitation      *self,
                                 RtmRemoteInvitationState  state)
{
  g_assert (RTM_IS_REMOTE_INVITATION (self));

  if (state <= self->state || rtm_remote_invitation_is_final (self))
    return FALSE;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  return TRUE;
}

gboolean
rtm_remote_invitation_is_final (RtmRemoteInvitation *self)
{
  return self->state >= RTM_REMOTE_INVITATION_STATE_REFUSED;
}

void
rtm_remote_invitation_lock (RtmRemoteInvitation *self)
{
  self->locked = TRUE;
}

gboolean
rtm_remote_invitation_is_locked (RtmRemoteInvitation *self)
{
  return self->locked;
}

void
rtm_remote_invitation_set_failure_code (RtmRemoteInvitation      *self,
                                        RtmRemoteInvitationError  code)
{
  if (self->failure_code == code)
    return;
  self->failure_code = code;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURE_CODE]);
}
