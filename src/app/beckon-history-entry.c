/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-history"

#include "config.h"

#include <glib/gi18n.h>

#include "beckon-app-enums.h"
#include "beckon-history-entry.h"

struct _BeckonHistoryEntry
{
  GObject            parent_instance;

  char              *peer_id;
  char              *detail;
  GDateTime         *time;
  gint64             duration;
  BeckonHistoryKind  kind;
  gboolean           outgoing;
};

enum {
  PROP_0,
  PROP_PEER_ID,
  PROP_KIND,
  PROP_OUTGOING,
  PROP_TIME,
  PROP_DURATION,
  PROP_DETAIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BeckonHistoryEntry, beckon_history_entry, G_TYPE_OBJECT)

/* Stable names for the file; the enum's order may change. */
static const char * const kind_names[] = {
  [BECKON_HISTORY_KIND_INCOMING] = "incoming",
  [BECKON_HISTORY_KIND_OUTGOING] = "outgoing",
  [BECKON_HISTORY_KIND_MISSED] = "missed",
  [BECKON_HISTORY_KIND_REFUSED] = "refused",
  [BECKON_HISTORY_KIND_CANCELLED] = "cancelled",
  [BECKON_HISTORY_KIND_FAILED] = "failed",
};

static void
beckon_history_entry_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  BeckonHistoryEntry *self = BECKON_HISTORY_ENTRY (object);

  switch (prop_id)
    {
    case PROP_PEER_ID:
      g_value_set_string (value, self->peer_id);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_OUTGOING:
      g_value_set_boolean (value, self->outgoing);
      break;
    case PROP_TIME:
      g_value_set_boxed (value, self->time);
      break;
    case PROP_DURATION:
      g_value_set_int64 (value, self->duration);
      break;
    case PROP_DETAIL:
      g_value_set_string (value, self->detail);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_history_entry_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  BeckonHistoryEntry *self = BECKON_HISTORY_ENTRY (object);

  switch (prop_id)
    {
    case PROP_PEER_ID:
      self->peer_id = g_value_dup_string (value);
      break;
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    case PROP_OUTGOING:
      self->outgoing = g_value_get_boolean (value);
      break;
    case PROP_TIME:
      self->time = g_value_dup_boxed (value);
      break;
    case PROP_DURATION:
      self->duration = g_value_get_int64 (value);
      break;
    case PROP_DETAIL:
      self->detail = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_history_entry_finalize (GObject *object)
{
  BeckonHistoryEntry *self = BECKON_HISTORY_ENTRY (object);

  g_free (self->peer_id);
  g_free (self->detail);
  g_clear_pointer (&self->time, g_date_time_unref);

  G_OBJECT_CLASS (beckon_history_entry_parent_class)->finalize (object);
}

static void
beckon_history_entry_class_init (BeckonHistoryEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = beckon_history_entry_get_property;
  object_class->set_property = beckon_history_entry_set_property;
  object_class->finalize = beckon_history_entry_finalize;

#define CO (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS)
  properties[PROP_PEER_ID] = g_param_spec_string ("peer-id", NULL, NULL, NULL, CO);
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, BECKON_TYPE_HISTORY_KIND,
                       BECKON_HISTORY_KIND_FAILED, CO);
  properties[PROP_OUTGOING] = g_param_spec_boolean ("outgoing", NULL, NULL, FALSE, CO);
  properties[PROP_TIME] = g_param_spec_boxed ("time", NULL, NULL, G_TYPE_DATE_TIME, CO);
  properties[PROP_DURATION] = g_param_spec_int64 ("duration", NULL, NULL, 0, G_MAXINT64, 0, CO);
  properties[PROP_DETAIL] = g_param_spec_string ("detail", NULL, NULL, NULL, CO);
#undef CO

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beckon_history_entry_init (BeckonHistoryEntry *self)
{
}

BeckonHistoryEntry *
beckon_history_entry_new (const char        *peer_id,
                          BeckonHistoryKind  kind,
                          gboolean           outgoing,
                          GDateTime         *time,
                          gint64             duration,
                          const char        *detail)
{
  g_autoptr(GDateTime) now = NULL;

  g_return_val_if_fail (peer_id != NULL, NULL);
  g_return_val_if_fail (kind <= BECKON_HISTORY_KIND_FAILED, NULL);

  if (time == NULL)
    time = now = g_date_time_new_now_local ();

  return g_object_new (BECKON_TYPE_HISTORY_ENTRY,
                       "peer-id", peer_id,
                       "kind", kind,
                       "outgoing", outgoing,
                       "time", time,
                       "duration", MAX (duration, 0),
                       "detail", detail,
                       NULL);
}

BeckonHistoryEntry *
beckon_history_entry_new_from_json (JsonObject *object)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) time = NULL;
  const char *peer_id;
  const char *kind_name;
  int kind = -1;

  g_return_val_if_fail (object != NULL, NULL);

  /* The file may be hand-edited or from a later version: check, never trust. */
  peer_id = json_object_get_string_member_with_default (object, "peer", NULL);
  kind_name = json_object_get_string_member_with_default (object, "kind", NULL);
  if (peer_id == NULL || *peer_id == '\0' || kind_name == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_str_equal (kind_name, kind_names[i]))
      kind = i;
  if (kind < 0)
    return NULL;

  utc = g_date_time_new_from_unix_utc (json_object_get_int_member_with_default (object, "time", 0));
  if (utc == NULL)
    return NULL;
  time = g_date_time_to_local (utc);

  return beckon_history_entry_new (peer_id, kind,
                                   json_object_get_boolean_member_with_default (object, "outgoing", FALSE),
                                   time,
                                   json_object_get_int_member_with_default (object, "duration", 0),
                                   json_object_get_string_member_with_default (object, "detail", NULL));
}

JsonNode *
beckon_history_entry_to_json (BeckonHistoryEntry *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (BECKON_IS_HISTORY_ENTRY (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "peer");
  json_builder_add_string_value (builder, self->peer_id);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind_names[self->kind]);
  json_builder_set_member_name (builder, "outgoing");
  json_builder_add_boolean_value (builder, self->outgoing);
  json_builder_set_member_name (builder, "time");
  json_builder_add_int_value (builder, g_date_time_to_unix (self->time));
  json_builder_set_member_name (builder, "duration");
  json_builder_add_int_value (builder, self->duration);
  if (self->detail != NULL)
    {
      json_builder_set_member_name (builder, "detail");
      json_builder_add_string_value (builder, self->detail);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

const char *
beckon_history_entry_get_peer_id (BeckonHistoryEntry *self)
{
  g_return_val_if_fail (BECKON_IS_HISTORY_ENTRY (self), NULL);
  return self->peer_id;
}

BeckonHistoryKind
beckon_history_entry_get_kind (BeckonHistoryEntry *self)
{
  g_return_val_if_fail (BECKON_IS_HISTORY_ENTRY (self), 0);
  return self->kind;
}

gboolean
beckon_history_entry_get_outgoing (BeckonHistoryEntry *self)
{
  g_return_val_if_fail (BECKON_IS_HISTORY_ENTRY (self), FALSE);
  return self->outgoing;
}

GDateTime *
beckon_history_entry_get_time (BeckonHistoryEntry *self)
{
  g_return_val_if_fail (BECKON_IS_HISTORY_ENTRY (self), NULL);
  return self->time;
}

gint64
beckon_history_entry_get_duration (BeckonHistoryEntry *self)
{
  g_return_val_if_fail (BECKON_IS_HISTORY_ENTRY (self), 0);
  return self->duration;
}

const char *
beckon_history_entry_get_detail (BeckonHistoryEntry *self)
{
  g_return_val_if_fail (BECKON_IS_HISTORY_ENTRY (self), NULL);
  return self->detail;
}

const char *
beckon_history_kind_to_string (BeckonHistoryKind kind)
{
  switch (kind)
    {
    case BECKON_HISTORY_KIND_INCOMING:
      return _("Incoming call");
    case BECKON_HISTORY_KIND_OUTGOING:
      return _("Outgoing call");
    case BECKON_HISTORY_KIND_MISSED:
      return _("Missed call");
    case BECKON_HISTORY_KIND_REFUSED:
      return _("Declined");
    case BECKON_HISTORY_KIND_CANCELLED:
      return _("Cancelled");
    case BECKON_HISTORY_KIND_FAILED:
    default:
      return _("Failed");
    }
}

const char *
beckon_history_kind_to_icon_name (BeckonHistoryKind kind)
{
  switch (kind)
    {
    case BECKON_HISTORY_KIND_INCOMING:
      return "call-incoming-symbolic";
    case BECKON_HISTORY_KIND_OUTGOING:
      return "call-outgoing-symbolic";
    case BECKON_HISTORY_KIND_MISSED:
      return "call-missed-symbolic";
    case BECKON_HISTORY_KIND_REFUSED:
    case BECKON_HISTORY_KIND_CANCELLED:
    case BECKON_HISTORY_KIND_FAILED:
    default:
      return "call-stop-symbolic";
    }
}
