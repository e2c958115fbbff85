/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtm-server-user.h: a logged-in user and its connections. The protocol
 * allows one session per user today; the list is what will let every
 * device of a user ring later.
 */
#pragma once

#include "rtm-server-connection.h"

G_BEGIN_DECLS

typedef struct _RtmServerUser RtmServerUser;

struct _RtmServerUser
{
  char      *uid;
  GPtrArray *connections;   /* of RtmServerConnection, unowned */
};

RtmServerUser       *rtm_server_user_new             (const char          *uid);
void                 rtm_server_user_free            (RtmServerUser       *self);
/* The connection that rings, gets peer messages etc.; NULL if none. */
RtmServerConnection *rtm_server_user_get_primary     (RtmServerUser       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtmServerUser, rtm_server_user_free)

G_END_DECLS
