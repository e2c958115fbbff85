/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#define RTM_INSIDE
# include "rtm-types.h"
# include "rtm-enum-types.h"
# include "rtm-client.h"
# include "rtm-channel.h"
# include "rtm-local-invitation.h"
# include "rtm-remote-invitation.h"
# include "rtm-call-manager.h"
#undef RTM_INSIDE
