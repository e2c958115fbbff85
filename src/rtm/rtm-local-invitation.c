/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "rtm"

#include "rtm-client-private.h"
#include "rtm-enum-types.h"

#include <string.h>

/**
 * RtmLocalInvitation:
 *
 * The caller's side of a call invitation.
 *
 * Make one with [method@Rtm.CallManager.create_local_invitation], set its
 * [property@Rtm.LocalInvitation:content] and
 * [property@Rtm.LocalInvitation:channel-id] if you like, and send it with
 * [method@Rtm.CallManager.send_local_invitation_async]. Its
 * [property@Rtm.LocalInvitation:state] then only moves forward, and the
 * call manager emits exactly one final signal for it (accepted, refused,
 * canceled or failure).
 *
 * An invitation object is sent once; to call again, create a new one.
 */

struct _RtmLocalInvitation
{
  GObject                  parent_instance;

  char                    *callee_id;
  char                    *content;
  char                    *channel_id;
  char                    *response;
  char                    *invitation_id;
  RtmLocalInvitationState  state;
  RtmLocalInvitationError  failure_code;
  /* set once the invitation was handed to the server */
  gboolean                 locked;
};

G_DEFINE_FINAL_TYPE (RtmLocalInvitation, rtm_local_invitation, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CALLEE_ID,
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
rtm_local_invitation_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  RtmLocalInvitation *self = RTM_LOCAL_INVITATION (object);

  switch (prop_id)
    {
    case PROP_CALLEE_ID:
      g_value_set_string (value, self->callee_id);
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
rtm_local_invitation_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  RtmLocalInvitation *self = RTM_LOCAL_INVITATION (object);

  switch (prop_id)
    {
    case PROP_CALLEE_ID:
      self->callee_id = g_value_dup_string (value);
      break;
    case PROP_CONTENT:
      rtm_local_invitation_set_content (self, g_value_get_string (value));
      break;
    case PROP_CHANNEL_ID:
      rtm_local_invitation_set_channel_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rtm_local_invitation_finalize (GObject *object)
{
  RtmLocalInvitation *self = RTM_LOCAL_INVITATION (object);

  g_clear_pointer (&self->callee_id, g_free);
  g_clear_pointer (&self->content, g_free);
  g_clear_pointer (&self->channel_id, g_free);
  g_clear_pointer (&self->response, g_free);
  g_clear_pointer (&self->invitation_id, g_free);

  G_OBJECT_CLASS (rtm_local_invitation_parent_class)->finalize (object);
}

static void
rtm_local_invitation_class_init (RtmLocalInvitationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rtm_local_invitation_get_property;
  object_class->set_property = rtm_local_invitation_set_property;
  object_class->finalize = rtm_local_invitation_finalize;

  /**
   * RtmLocalInvitation:callee-id:
   *
   * The user id of the callee.
   */
  properties[PROP_CALLEE_ID] =
    g_param_spec_string ("callee-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * RtmLocalInvitation:content:
   *
   * Free text for the callee (at most 8 KiB), for example the call type.
   * Settable until the invitation is sent.
   */
  properties[PROP_CONTENT] =
    g_param_spec_string ("content", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * RtmLocalInvitation:channel-id:
   *
   * The channel the call will use (a valid channel id). Settable until the
   * invitation is sent.
   */
  properties[PROP_CHANNEL_ID] =
    g_param_spec_string ("channel-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * RtmLocalInvitation:response:
   *
   * The callee's response, set when the callee accepts or refuses.
   */
  properties[PROP_RESPONSE] =
    g_param_spec_string ("response", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * RtmLocalInvitation:state:
   *
   * Where the invitation is; it only moves forward.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       RTM_TYPE_LOCAL_INVITATION_STATE,
                       RTM_LOCAL_INVITATION_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * RtmLocalInvitation:invitation-id:
   *
   * The id the server gave the invitation, or %NULL before it was sent.
   */
  properties[PROP_INVITATION_ID] =
    g_param_spec_string ("invitation-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * RtmLocalInvitation:failure-code:
   *
   * Why the invitation failed, once [property@Rtm.LocalInvitation:state]
   * is %RTM_LOCAL_INVITATION_STATE_FAILURE.
   */
  properties[PROP_FAILURE_CODE] =
    g_param_spec_enum ("failure-code", NULL, NULL,
                       RTM_TYPE_LOCAL_INVITATION_ERROR,
                       RTM_LOCAL_INVITATION_ERROR_OK,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rtm_local_invitation_init (RtmLocalInvitation *self)
{
}

RtmLocalInvitation *
rtm_local_invitation_new (const char *callee_id)
{
  return g_object_new (RTM_TYPE_LOCAL_INVITATION, "callee-id", callee_id, NULL);
}

/**
 * rtm_local_invitation_get_callee_id:
 * @self: a #RtmLocalInvitation
 *
 * Gets the callee's user id.
 *
 * Returns: (nullable): the callee's user id
 */
const char *
rtm_local_invitation_get_callee_id (RtmLocalInvitation *self)
{
  g_return_val_if_fail (RTM_IS_LOCAL_INVITATION (self), NULL);

  return self->callee_id;
}

/**
 * rtm_local_invitation_get_content:
 * @self: a #RtmLocalInvitation
 *
 * Gets the content sent to the callee.
 *
 * Returns: (nullable): the content sent to the callee
 */
const char *
rtm_local_invitation_get_content (RtmLocalInvitation *self)
{
  g_return_val_if_fail (RTM_IS_LOCAL_INVITATION (self), NULL);

  return self->content;
}

/**
 * rtm_local_invitation_set_content:
 * @self: a #RtmLocalInvitation
 * @content: (nullable): text for the callee, at most 8 KiB
 *
 * Sets the content. Fails once the invitation was sent or when @content is
 * over 8 KiB.
 *
 * Returns: whether the content was set
 */
gboolean
rtm_local_invitation_set_content (RtmLocalInvitation *self,
                                  const char         *content)
{
  g_return_val_if_fail (RTM_IS_LOCAL_INVITATION (self), FALSE);

  if (self->locked)
    return FALSE;
  if (content != NULL &&
      (strlen (content) > RTM_MAX_CONTENT_LENGTH || !g_utf8_validate (content, -1, NULL)))
    return FALSE;

  if (rtm_set_str (&self->content, content))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTENT]);
  return TRUE;
}

/**
 * rtm_local_invitation_get_channel_id:
 * @self: a #RtmLocalInvitation
 *
 * Gets the channel id sent to the callee.
 *
 * Returns: (nullable): the channel id sent to the callee
 */
const char *
rtm_local_invitation_get_channel_id (RtmLocalInvitation *self)
{
  g_return_val_if_fail (RTM_IS_LOCAL_INVITATION (self), NULL);

  return self->channel_id;
}

/**
 * rtm_local_invitation_set_channel_id:
 * @self: a #RtmLocalInvitation
 * @channel_id: (nullable): a channel id
 *
 * Sets the channel id. Fails once the invitation was sent or when
 * @channel_id is not a valid id.
 *
 * Returns: whether the channel id was set
 */
gboolean
rtm_local_invitation_set_channel_id (RtmLocalInvitation *self,
                                     const char         *channel_id)
{
  g_return_val_if_fail (RTM_IS_LOCAL_INVITATION (self), FALSE);

  if (self->locked)
    return FALSE;
  if (channel_id != NULL && !rtm_id_is_valid (channel_id))
    return FALSE;

  if (rtm_set_str (&self->channel_id, channel_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNEL_ID]);
  return TRUE;
}

/**
 * rtm_local_invitation_get_response:
 * @self: a #RtmLocalInvitation
 *
 * Gets the callee's response.
 *
 * Returns: (nullable): the callee's response
 */
const char *
rtm_local_invitation_get_response (RtmLocalInvitation *self)
{
  g_return_val_if_fail (RTM_IS_LOCAL_INVITATION (self), NULL);

  return self->response;
}

/**
 * rtm_local_invitation_get_state:
 * @self: a #RtmLocalInvitation
 *
 * Gets the invitation's state.
 *
 * Returns: the invitation's state
 */
RtmLocalInvitationState
rtm_local_invitation_get_state (RtmLocalInvitation *self)
{
  g_return_val_if_fail (RTM_IS_LOCAL_INVITATION (self), RTM_LOCAL_INVITATION_STATE_IDLE);

  return self->state;
}

/**
 * rtm_local_invitation_get_invitation_id:
 * @self: a #RtmLocalInvitation
 *
 * Gets the server's id for the invitation, %NULL until sent.
 *
 * Returns: (nullable): the server's id for the invitation, %NULL until sent
 */
const char *
rtm_local_invitation_get_invitation_id (RtmLocalInvitation *self)
{
  g_return_val_if_fail (RTM_IS_LOCAL_INVITATION (self), NULL);

  return self->invitation_id;
}

/**
 * rtm_local_invitation_get_failure_code:
 * @self: a #RtmLocalInvitation
 *
 * Gets why the invitation failed, or %RTM_LOCAL_INVITATION_ERROR_OK.
 *
 * Returns: why the invitation failed, or %RTM_LOCAL_INVITATION_ERROR_OK
 */
RtmLocalInvitationError
rtm_local_invitation_get_failure_code (RtmLocalInvitation *self)
{
  g_return_val_if_fail (RTM_IS_LOCAL_INVITATION (self), RTM_LOCAL_INVITATION_ERROR_OK);

  return self->failure_code;
}

gboolean
rtm_local_invitation_set_state (RtmLocalInvitation      *self,
                                RtmLocalInvitationState  state)
{
  g_assert (RTM_IS_LOCAL_INVITATION (self));

  /* Only forward, and nothing after a final state. */
  if (state <= self->state || rtm_local_invitation_is_final (self))
    return FALSE;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  return TRUE;
}

gboolean
rtm_local_invitation_is_final (RtmLocalInvitation *self)
{
  return self->state >= RTM_LOCAL_INVITATION_STATE_ACCEPTED_BY_REMOTE;
}

void
rtm_local_invitation_lock (RtmLocalInvitation *self)
{
  self->locked = TRUE;
}

gboolean
rtm_local_invitation_is_locked (RtmLocalInvitation *self)
{
  return self->locked;
}

void
rtm_local_invitation_set_invitation_id (RtmLocalInvitation *self,
                                        const char         *invitation_id)
{
  if (rtm_set_str (&self->invitation_id, invitation_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INVITATION_ID]);
}

void
rtm_local_invitation_set_remote_response (RtmLocalInvitation *self,
                                          const char         *response)
{
  if (rtm_set_str (&self->response, response))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESPONSE]);
}

void
rtm_local_invitation_set_failure_code (RtmLocalInvitation      *self,
                                       RtmLocalInvitationError  code)
{
  if (self->failure_code == code)
    return;
  self->failure_code = code;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURE_CODE]);
}
