/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * BeckonHistoryKind:
 * @BECKON_HISTORY_KIND_INCOMING: an incoming call we answered
 * @BECKON_HISTORY_KIND_OUTGOING: an outgoing call the peer answered
 * @BECKON_HISTORY_KIND_MISSED: an incoming call nobody answered
 * @BECKON_HISTORY_KIND_REFUSED: declined, by us or by the peer
 * @BECKON_HISTORY_KIND_CANCELLED: an outgoing call we cancelled
 * @BECKON_HISTORY_KIND_FAILED: it never got through (offline, no answer, error)
 */
typedef enum {
  BECKON_HISTORY_KIND_INCOMING,
  BECKON_HISTORY_KIND_OUTGOING,
  BECKON_HISTORY_KIND_MISSED,
  BECKON_HISTORY_KIND_REFUSED,
  BECKON_HISTORY_KIND_CANCELLED,
  BECKON_HISTORY_KIND_FAILED,
} BeckonHistoryKind;

#define BECKON_TYPE_HISTORY_ENTRY (beckon_history_entry_get_type ())
G_DECLARE_FINAL_TYPE (BeckonHistoryEntry, beckon_history_entry, BECKON, HISTORY_ENTRY, GObject)

/* Properties (construct-only): "peer-id", "kind", "outgoing", "time"
 * (GDateTime), "duration" (seconds), "detail" (the end in words). */

BeckonHistoryEntry *beckon_history_entry_new          (const char         *peer_id,
                                                       BeckonHistoryKind   kind,
                                                       gboolean            outgoing,
                                                       GDateTime          *time,
                                                       gint64              duration,
                                                       const char         *detail);
/* Returns NULL for an object that does not describe an entry. */
BeckonHistoryEntry *beckon_history_entry_new_from_json (JsonObject        *object);
JsonNode           *beckon_history_entry_to_json      (BeckonHistoryEntry *self);

const char         *beckon_history_entry_get_peer_id  (BeckonHistoryEntry *self);
BeckonHistoryKind   beckon_history_entry_get_kind     (BeckonHistoryEntry *self);
gboolean            beckon_history_entry_get_outgoing (BeckonHistoryEntry *self);
GDateTime          *beckon_history_entry_get_time     (BeckonHistoryEntry *self);
gint64              beckon_history_entry_get_duration (BeckonHistoryEntry *self);
const char         *beckon_history_entry_get_detail   (BeckonHistoryEntry *self);
/* The kind in words ("Missed call"), translated. */
const char         *beckon_history_kind_to_string     (BeckonHistoryKind   kind);
const char         *beckon_history_kind_to_icon_name  (BeckonHistoryKind   kind);

G_END_DECLS
