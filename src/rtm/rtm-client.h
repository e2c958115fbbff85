/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (RTM_INSIDE) && !defined (RTM_COMPILATION)
# error "Only <rtm.h> can be included directly."
#endif

#include <gio/gio.h>

#include "rtm-types.h"

G_BEGIN_DECLS

typedef struct _RtmCallManager RtmCallManager;
typedef struct _RtmChannel RtmChannel;

#define RTM_TYPE_CLIENT (rtm_client_get_type ())
G_DECLARE_FINAL_TYPE (RtmClient, rtm_client, RTM, CLIENT, GObject)

/*
 * Properties: "server-uri" (string, construct-only), "user-id" (string,
 * nullable, read-only: set by login), "connection-state"
 * (RtmConnectionState, read-only), "request-timeout" (uint milliseconds,
 * default 10000), "ice-servers" (GStrv, read-only, from the login reply),
 * "keepalive-interval" (uint milliseconds between pings, default 10000,
 * 0 for none), "tls-database" (GTlsDatabase for wss://, NULL: the system's).
 *
 * Signals:
 *   connection-state-changed (RtmConnectionState state, RtmConnectionChangeReason reason)
 *   message-received (const char *peer_id, const char *text)
 *   peer-online-status-changed (const char *peer_id, gboolean online)
 *
 * All signals are emitted in the thread-default main context the client
 * was created in.
 */

RtmClient          *rtm_client_new                          (const char           *server_uri);

const char         *rtm_client_get_server_uri               (RtmClient            *self);
const char         *rtm_client_get_user_id                  (RtmClient            *self);
RtmConnectionState  rtm_client_get_connection_state         (RtmClient            *self);
const char * const *rtm_client_get_ice_servers              (RtmClient            *self);
RtmCallManager     *rtm_client_get_call_manager             (RtmClient            *self);

void                rtm_client_login_async                  (RtmClient            *self,
                                                             const char           *user_id,
                                                             const char           *token,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean            rtm_client_login_finish                 (RtmClient            *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);
void                rtm_client_logout_async                 (RtmClient            *self,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean            rtm_client_logout_finish                (RtmClient            *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);

void                rtm_client_send_message_to_peer_async   (RtmClient            *self,
                                                             const char           *peer_id,
                                                             const char           *text,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean            rtm_client_send_message_to_peer_finish  (RtmClient            *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);

/* The finish functions return a hash table of peer id (utf8) to
 * GINT_TO_POINTER (online), (element-type utf8 gint): gboolean does not
 * survive bindings in a hash table. */
void                rtm_client_query_peers_online_status_async      (RtmClient            *self,
                                                                     const char * const   *peer_ids,
                                                                     GCancellable         *cancellable,
                                                                     GAsyncReadyCallback   callback,
                                                                     gpointer              user_data);
GHashTable         *rtm_client_query_peers_online_status_finish     (RtmClient            *self,
                                                                     GAsyncResult         *result,
                                                                     GError              **error);
void                rtm_client_subscribe_peers_online_status_async  (RtmClient            *self,
                                                                     const char * const   *peer_ids,
                                                                     GCancellable         *cancellable,
                                                                     GAsyncReadyCallback   callback,
                                                                     gpointer              user_data);
GHashTable         *rtm_client_subscribe_peers_online_status_finish (RtmClient            *self,
                                                                     GAsyncResult         *result,
                                                                     GError              **error);
void                rtm_client_unsubscribe_peers_online_status_async  (RtmClient            *self,
                                                                       const char * const   *peer_ids,
                                                                       GCancellable         *cancellable,
                                                                       GAsyncReadyCallback   callback,
                                                                       gpointer              user_data);
gboolean            rtm_client_unsubscribe_peers_online_status_finish (RtmClient            *self,
                                                                       GAsyncResult         *result,
                                                                       GError              **error);

/* Returns a new channel object (not joined) or NULL with RTM_ERROR_INVALID_ARGUMENT
 * for an invalid id; one object per id (a second call returns a new reference
 * to the same object while it lives). */
RtmChannel         *rtm_client_create_channel               (RtmClient            *self,
                                                             const char           *channel_id,
                                                             GError              **error);

G_END_DECLS
