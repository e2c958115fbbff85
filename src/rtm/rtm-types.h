/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (RTM_INSIDE) && !defined (RTM_COMPILATION)
# error "Only <rtm.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * RtmConnectionState:
 * @RTM_CONNECTION_STATE_DISCONNECTED: not connected; the initial state and the state after logout
 * @RTM_CONNECTION_STATE_CONNECTING: connecting and logging in
 * @RTM_CONNECTION_STATE_CONNECTED: logged in
 * @RTM_CONNECTION_STATE_RECONNECTING: the connection dropped; reconnecting with backoff
 * @RTM_CONNECTION_STATE_ABORTED: the server ended the session (another login, banned); no reconnect
 *
 * The client's connection state, with the Agora/anyRTC SDKs' values.
 */
typedef enum {
  RTM_CONNECTION_STATE_DISCONNECTED = 1,
  RTM_CONNECTION_STATE_CONNECTING = 2,
  RTM_CONNECTION_STATE_CONNECTED = 3,
  RTM_CONNECTION_STATE_RECONNECTING = 4,
  RTM_CONNECTION_STATE_ABORTED = 5,
} RtmConnectionState;

/**
 * RtmConnectionChangeReason:
 * @RTM_CONNECTION_CHANGE_REASON_LOGIN: a login started
 * @RTM_CONNECTION_CHANGE_REASON_LOGIN_SUCCESS: the login succeeded
 * @RTM_CONNECTION_CHANGE_REASON_LOGIN_FAILURE: the login failed
 * @RTM_CONNECTION_CHANGE_REASON_LOGIN_TIMEOUT: the login timed out
 * @RTM_CONNECTION_CHANGE_REASON_INTERRUPTED: the connection was interrupted
 * @RTM_CONNECTION_CHANGE_REASON_LOGOUT: the user logged out
 * @RTM_CONNECTION_CHANGE_REASON_BANNED_BY_SERVER: the server closed the session
 * @RTM_CONNECTION_CHANGE_REASON_REMOTE_LOGIN: the same user id logged in elsewhere
 * @RTM_CONNECTION_CHANGE_REASON_TOKEN_EXPIRED: the token expired
 *
 * Why the connection state changed.
 */
typedef enum {
  RTM_CONNECTION_CHANGE_REASON_LOGIN = 1,
  RTM_CONNECTION_CHANGE_REASON_LOGIN_SUCCESS = 2,
  RTM_CONNECTION_CHANGE_REASON_LOGIN_FAILURE = 3,
  RTM_CONNECTION_CHANGE_REASON_LOGIN_TIMEOUT = 4,
  RTM_CONNECTION_CHANGE_REASON_INTERRUPTED = 5,
  RTM_CONNECTION_CHANGE_REASON_LOGOUT = 6,
  RTM_CONNECTION_CHANGE_REASON_BANNED_BY_SERVER = 7,
  RTM_CONNECTION_CHANGE_REASON_REMOTE_LOGIN = 8,
  RTM_CONNECTION_CHANGE_REASON_TOKEN_EXPIRED = 9,
} RtmConnectionChangeReason;

/**
 * RtmLocalInvitationState:
 * @RTM_LOCAL_INVITATION_STATE_IDLE: created, not sent
 * @RTM_LOCAL_INVITATION_STATE_SENT_TO_REMOTE: sent; the server took it
 * @RTM_LOCAL_INVITATION_STATE_RECEIVED_BY_REMOTE: the callee's client has it (ringing)
 * @RTM_LOCAL_INVITATION_STATE_ACCEPTED_BY_REMOTE: the callee accepted
 * @RTM_LOCAL_INVITATION_STATE_REFUSED_BY_REMOTE: the callee refused
 * @RTM_LOCAL_INVITATION_STATE_CANCELED: the caller canceled
 * @RTM_LOCAL_INVITATION_STATE_FAILURE: it failed; see #RtmLocalInvitationError
 *
 * The caller's invitation state. It only moves forward.
 */
typedef enum {
  RTM_LOCAL_INVITATION_STATE_IDLE = 0,
  RTM_LOCAL_INVITATION_STATE_SENT_TO_REMOTE = 1,
  RTM_LOCAL_INVITATION_STATE_RECEIVED_BY_REMOTE = 2,
  RTM_LOCAL_INVITATION_STATE_ACCEPTED_BY_REMOTE = 3,
  RTM_LOCAL_INVITATION_STATE_REFUSED_BY_REMOTE = 4,
  RTM_LOCAL_INVITATION_STATE_CANCELED = 5,
  RTM_LOCAL_INVITATION_STATE_FAILURE = 6,
} RtmLocalInvitationState;

/**
 * RtmRemoteInvitationState:
 * @RTM_REMOTE_INVITATION_STATE_IDLE: not yet received
 * @RTM_REMOTE_INVITATION_STATE_INVITATION_RECEIVED: received; ringing
 * @RTM_REMOTE_INVITATION_STATE_ACCEPT_SENT_TO_LOCAL: accepted here; waiting for the server to confirm
 * @RTM_REMOTE_INVITATION_STATE_REFUSED: refused here
 * @RTM_REMOTE_INVITATION_STATE_ACCEPTED: accepted and confirmed
 * @RTM_REMOTE_INVITATION_STATE_CANCELED: the caller canceled
 * @RTM_REMOTE_INVITATION_STATE_FAILURE: it failed; see #RtmRemoteInvitationError
 *
 * The callee's invitation state. It only moves forward.
 */
typedef enum {
  RTM_REMOTE_INVITATION_STATE_IDLE = 0,
  RTM_REMOTE_INVITATION_STATE_INVITATION_RECEIVED = 1,
  RTM_REMOTE_INVITATION_STATE_ACCEPT_SENT_TO_LOCAL = 2,
  RTM_REMOTE_INVITATION_STATE_REFUSED = 3,
  RTM_REMOTE_INVITATION_STATE_ACCEPTED = 4,
  RTM_REMOTE_INVITATION_STATE_CANCELED = 5,
  RTM_REMOTE_INVITATION_STATE_FAILURE = 6,
} RtmRemoteInvitationState;

/**
 * RtmLocalInvitationError:
 * @RTM_LOCAL_INVITATION_ERROR_OK: no failure
 * @RTM_LOCAL_INVITATION_ERROR_PEER_OFFLINE: the callee is offline, or went offline while ringing
 * @RTM_LOCAL_INVITATION_ERROR_PEER_NO_RESPONSE: the callee's client never acknowledged the invitation
 * @RTM_LOCAL_INVITATION_ERROR_INVITATION_EXPIRE: the invitation rang out its lifetime
 * @RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN: the caller is not, or no longer, logged in
 *
 * The failure codes of #RtmCallManager::local-invitation-failure.
 */
typedef enum {
  RTM_LOCAL_INVITATION_ERROR_OK = 0,
  RTM_LOCAL_INVITATION_ERROR_PEER_OFFLINE = 1,
  RTM_LOCAL_INVITATION_ERROR_PEER_NO_RESPONSE = 2,
  RTM_LOCAL_INVITATION_ERROR_INVITATION_EXPIRE = 3,
  RTM_LOCAL_INVITATION_ERROR_NOT_LOGGEDIN = 4,
} RtmLocalInvitationError;

/**
 * RtmRemoteInvitationError:
 * @RTM_REMOTE_INVITATION_ERROR_OK: no failure
 * @RTM_REMOTE_INVITATION_ERROR_PEER_OFFLINE: the caller went offline while ringing
 * @RTM_REMOTE_INVITATION_ERROR_ACCEPT_FAILURE: the acceptance could not be confirmed
 * @RTM_REMOTE_INVITATION_ERROR_INVITATION_EXPIRE: the invitation rang out its lifetime
 * @RTM_REMOTE_INVITATION_ERROR_NOT_LOGGEDIN: this client is no longer logged in (a Beckon extension)
 *
 * The failure codes of #RtmCallManager::remote-invitation-failure.
 */
typedef enum {
  RTM_REMOTE_INVITATION_ERROR_OK = 0,
  RTM_REMOTE_INVITATION_ERROR_PEER_OFFLINE = 1,
  RTM_REMOTE_INVITATION_ERROR_ACCEPT_FAILURE = 2,
  RTM_REMOTE_INVITATION_ERROR_INVITATION_EXPIRE = 3,
  RTM_REMOTE_INVITATION_ERROR_NOT_LOGGEDIN = 4,
} RtmRemoteInvitationError;

/**
 * RtmError:
 * @RTM_ERROR_INVALID_ARGUMENT: an argument is invalid (bad id, content too long)
 * @RTM_ERROR_NOT_STARTED: the invitation was not sent yet
 * @RTM_ERROR_ALREADY_END: the invitation has ended (refused, canceled, failed, unknown)
 * @RTM_ERROR_ALREADY_ACCEPT: the invitation was accepted
 * @RTM_ERROR_ALREADY_SENT: the invitation was sent already
 * @RTM_ERROR_NOT_LOGGED_IN: the client is not logged in
 * @RTM_ERROR_TIMEOUT: the server did not answer in time
 * @RTM_ERROR_TOO_OFTEN: over the server's rate limit
 * @RTM_ERROR_NOT_PERMITTED: not this user's to do (answer someone else's invitation)
 * @RTM_ERROR_PEER_OFFLINE: the peer is not logged in
 * @RTM_ERROR_INVALID_TOKEN: the token is malformed, wrongly signed or another user's
 * @RTM_ERROR_TOKEN_EXPIRED: the token has expired
 * @RTM_ERROR_ALREADY_LOGGED_IN: login while logged in or logging in
 * @RTM_ERROR_CONNECTION_FAILED: the server could not be reached
 * @RTM_ERROR_PROTOCOL: the server and client disagree on the protocol
 * @RTM_ERROR_ALREADY_JOINED: the channel was joined already
 * @RTM_ERROR_NOT_IN_CHANNEL: the channel was not joined
 * @RTM_ERROR_FAILED: any other failure
 *
 * Errors of librtm's API calls, in the #RTM_ERROR domain. The first five
 * keep the values of the SDKs' INVITATION_API_CALL_ERR codes.
 */
typedef enum {
  RTM_ERROR_INVALID_ARGUMENT = 1,
  RTM_ERROR_NOT_STARTED = 2,
  RTM_ERROR_ALREADY_END = 3,
  RTM_ERROR_ALREADY_ACCEPT = 4,
  RTM_ERROR_ALREADY_SENT = 5,
  RTM_ERROR_NOT_LOGGED_IN = 6,
  RTM_ERROR_TIMEOUT = 7,
  RTM_ERROR_TOO_OFTEN = 8,
  RTM_ERROR_NOT_PERMITTED = 9,
  RTM_ERROR_PEER_OFFLINE = 10,
  RTM_ERROR_INVALID_TOKEN = 11,
  RTM_ERROR_TOKEN_EXPIRED = 12,
  RTM_ERROR_ALREADY_LOGGED_IN = 13,
  RTM_ERROR_CONNECTION_FAILED = 14,
  RTM_ERROR_PROTOCOL = 15,
  RTM_ERROR_ALREADY_JOINED = 16,
  RTM_ERROR_NOT_IN_CHANNEL = 17,
  RTM_ERROR_FAILED = 18,
} RtmError;

/**
 * RTM_ERROR:
 *
 * The error domain of librtm's API calls; codes are #RtmError.
 */
#define RTM_ERROR (rtm_error_quark ())
GQuark rtm_error_quark (void);

G_END_DECLS
