/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-ringer"

#include "config.h"

#include <gst/gst.h>

#include "beckon-app-enums.h"
#include "beckon-ringer.h"

typedef struct
{
  double      frequency;
  double      volume;
  const guint *cadence;  /* on, off, on, off… milliseconds, 0-terminated */
} Tone;

static const guint ring_cadence[] = { 400, 200, 400, 2000, 0 };
static const guint soft_cadence[] = { 200, 2800, 0 };
static const guint ringback_cadence[] = { 1000, 3000, 0 };

static const Tone tones[] = {
  [BECKON_RINGER_SILENT] = { 0, 0, NULL },
  [BECKON_RINGER_RINGING] = { 480, 0.4, ring_cadence },
  [BECKON_RINGER_RINGING_SOFTLY] = { 440, 0.08, soft_cadence },
  [BECKON_RINGER_RINGBACK] = { 425, 0.2, ringback_cadence },
};

struct _BeckonRinger
{
  GObject            parent_instance;

  BeckonCallList    *call_list;
  GstElement        *pipeline;
  GstElement        *source;
  char              *sink_description;
  guint              cadence_id;
  guint              step;

  BeckonRingerState  state;
};

enum {
  PROP_0,
  PROP_CALL_LIST,
  PROP_STATE,
  PROP_SINK_DESCRIPTION,
  PROP_PLAYING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BeckonRinger, beckon_ringer, G_TYPE_OBJECT)

static BeckonRingerState
decide (BeckonCallList *call_list)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (call_list));
  gboolean incoming = FALSE;
  gboolean alerting = FALSE;
  gboolean live = FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BeckonCall) call = g_list_model_get_item (G_LIST_MODEL (call_list), i);

      switch (beckon_call_get_state (call))
        {
        case BECKON_CALL_STATE_INCOMING:
          incoming = TRUE;
          break;
        case BECKON_CALL_STATE_ALERTING:
          alerting = TRUE;
          break;
        case BECKON_CALL_STATE_CONNECTING:
        case BECKON_CALL_STATE_ACTIVE:
          live = TRUE;
          break;
        case BECKON_CALL_STATE_DIALING:
        case BECKON_CALL_STATE_ENDED:
        default:
          break;
        }
    }

  /* Never drown a conversation: a second caller only taps softly. */
  if (incoming)
    return live ? BECKON_RINGER_RINGING_SOFTLY : BECKON_RINGER_RINGING;
  if (alerting && !live)
    return BECKON_RINGER_RINGBACK;

  return BECKON_RINGER_SILENT;
}

static void
stop (BeckonRinger *self)
{
  gboolean was_playing = self->pipeline != NULL;

  g_clear_handle_id (&self->cadence_id, g_source_remove);
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_clear_object (&self->source);
  g_clear_object (&self->pipeline);

  if (was_playing)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

static gboolean
on_cadence (gpointer user_data)
{
  BeckonRinger *self = user_data;
  const Tone *tone = &tones[self->state];
  guint next;

  self->step++;
  if (tone->cadence[self->step] == 0)
    self->step = 0;

  /* Even steps sound, odd steps are the pauses. */
  g_object_set (self->source, "volume", self->step % 2 == 0 ? tone->volume : 0.0, NULL);

  next = tone->cadence[self->step];
  self->cadence_id = g_timeout_add (next, on_cadence, self);

  return G_SOURCE_REMOVE;
}

static void
play (BeckonRinger *self)
{
  const Tone *tone = &tones[self->state];
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;

  if (tone->cadence == NULL)
    return;

  description = g_strdup_printf ("audiotestsrc name=tone is-live=true wave=sine freq=%g volume=%g "
                                 "! audioconvert ! audioresample ! %s",
                                 tone->frequency, tone->volume,
                                 self->sink_description ? self->sink_description : "autoaudiosink");
  self->pipeline = gst_parse_launch (description, &error);
  if (self->pipeline == NULL || error != NULL)
    {
      /* The decision stands even when nothing can sound. */
      g_message ("Cannot play the %s tone: %s", tones[self->state].cadence == ring_cadence
                 ? "ring" : "call", error ? error->message : "unknown error");
      g_clear_object (&self->pipeline);
      return;
    }

  self->source = gst_bin_get_by_name (GST_BIN (self->pipeline), "tone");
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_message ("Cannot play the tone: the audio output failed");
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_clear_object (&self->source);
      g_clear_object (&self->pipeline);
      return;
    }

  self->step = 0;
  self->cadence_id = g_timeout_add (tone->cadence[0], on_cadence, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

static void
update (BeckonRinger *self)
{
  BeckonRingerState state = decide (self->call_list);

  if (state == self->state)
    return;

  stop (self);
  self->state = state;
  play (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
on_call_state_changed (BeckonRinger *self)
{
  update (self);
}

static void
on_call_added (BeckonRinger   *self,
               BeckonCall     *call,
               BeckonCallList *call_list)
{
  g_signal_connect_object (call, "state-changed",
                           G_CALLBACK (on_call_state_changed), self, G_CONNECT_SWAPPED);
  update (self);
}

static void
on_call_removed (BeckonRinger   *self,
                 BeckonCall     *call,
                 BeckonCallList *call_list)
{
  g_signal_handlers_disconnect_by_data (call, self);
  update (self);
}

static void
beckon_ringer_constructed (GObject *object)
{
  BeckonRinger *self = BECKON_RINGER (object);
  guint n;

  G_OBJECT_CLASS (beckon_ringer_parent_class)->constructed (object);

  g_signal_connect_object (self->call_list, "call-added",
                           G_CALLBACK (on_call_added), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->call_list, "call-removed",
                           G_CALLBACK (on_call_removed), self, G_CONNECT_SWAPPED);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->call_list));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BeckonCall) call = g_list_model_get_item (G_LIST_MODEL (self->call_list), i);
      g_signal_connect_object (call, "state-changed",
                               G_CALLBACK (on_call_state_changed), self, G_CONNECT_SWAPPED);
    }

  update (self);
}

static void
beckon_ringer_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  BeckonRinger *self = BECKON_RINGER (object);

  switch (prop_id)
    {
    case PROP_CALL_LIST:
      g_value_set_object (value, self->call_list);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_SINK_DESCRIPTION:
      g_value_set_string (value, self->sink_description);
      break;
    case PROP_PLAYING:
      g_value_set_boolean (value, self->pipeline != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_ringer_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  BeckonRinger *self = BECKON_RINGER (object);

  switch (prop_id)
    {
    case PROP_CALL_LIST:
      self->call_list = g_value_dup_object (value);
      break;
    case PROP_SINK_DESCRIPTION:
      beckon_ringer_set_sink_description (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_ringer_dispose (GObject *object)
{
  BeckonRinger *self = BECKON_RINGER (object);

  stop (self);
  g_clear_object (&self->call_list);

  G_OBJECT_CLASS (beckon_ringer_parent_class)->dispose (object);
}

static void
beckon_ringer_finalize (GObject *object)
{
  BeckonRinger *self = BECKON_RINGER (object);

  g_free (self->sink_description);

  G_OBJECT_CLASS (beckon_ringer_parent_class)->finalize (object);
}

static void
beckon_ringer_class_init (BeckonRingerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = beckon_ringer_constructed;
  object_class->get_property = beckon_ringer_get_property;
  object_class->set_property = beckon_ringer_set_property;
  object_class->dispose = beckon_ringer_dispose;
  object_class->finalize = beckon_ringer_finalize;

  properties[PROP_CALL_LIST] =
    g_param_spec_object ("call-list", NULL, NULL, BECKON_TYPE_CALL_LIST,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, BECKON_TYPE_RINGER_STATE, BECKON_RINGER_SILENT,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SINK_DESCRIPTION] =
    g_param_spec_string ("sink-description", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PLAYING] =
    g_param_spec_boolean ("playing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beckon_ringer_init (BeckonRinger *self)
{
}

BeckonRinger *
beckon_ringer_new (BeckonCallList *call_list)
{
  g_return_val_if_fail (BECKON_IS_CALL_LIST (call_list), NULL);

  return g_object_new (BECKON_TYPE_RINGER, "call-list", call_list, NULL);
}

BeckonRingerState
beckon_ringer_get_state (BeckonRinger *self)
{
  g_return_val_if_fail (BECKON_IS_RINGER (self), BECKON_RINGER_SILENT);
  return self->state;
}

gboolean
beckon_ringer_get_playing (BeckonRinger *self)
{
  g_return_val_if_fail (BECKON_IS_RINGER (self), FALSE);
  return self->pipeline != NULL;
}

void
beckon_ringer_set_sink_description (BeckonRinger *self,
                                    const char   *description)
{
  g_return_if_fail (BECKON_IS_RINGER (self));

  if (g_strcmp0 (self->sink_description, description) == 0)
    return;

  g_free (self->sink_description);
  self->sink_description = g_strdup (description);

  /* Move a tone that already plays to the new output. */
  if (self->pipeline != NULL)
    {
      stop (self);
      play (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SINK_DESCRIPTION]);
}
