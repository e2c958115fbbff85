/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "beckon-voice"

#include "beckon-voice-pipeline.h"
#include "beckon-voice-types.h"

#define GST_USE_UNSTABLE_API
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <nice.h>
#include <math.h>
#include <string.h>

/* Opus: mono, 48 kHz, 20 ms frames, in-band FEC. */
#define OPUS_PT 111
#define RTP_CAPS "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000," \
                 "payload=(int)111,useinbandfec=(string)1,stereo=(string)0,sprop-stereo=(string)0"
#define FRAME_DURATION (20 * GST_MSECOND)
#define LEVEL_INTERVAL (100 * GST_MSECOND)
#define SILENCE_DB (-100.0)

enum {
  SIGNAL_LOCAL_DESCRIPTION,
  SIGNAL_LOCAL_CANDIDATE,
  SIGNAL_MEDIA_FLOWING,
  SIGNAL_FIRST_AUDIO,
  SIGNAL_CONNECTED,
  SIGNAL_ICE_FAILED,
  SIGNAL_FAILED,
  SIGNAL_LEVELS,
  SIGNAL_STATISTICS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _BeckonVoicePipeline
{
  GObject       parent_instance;

  /* Streaming threads reach the object only through this, and only to
   * queue work on @context (see run_on_main()). */
  GWeakRef      weak_self;
  GMainContext *context;

  /* Configuration, fixed at construction */
  gboolean      offerer;
  guint         latency_ms;
  gboolean      echo_cancel;
  GStrv         ice_servers;
  char         *probe_name;

  /* Owned; touched on the main context only */
  GstElement   *pipeline;
  GstElement   *webrtc;
  GstElement   *source;
  GstElement   *sink;
  GstElement   *volume;
  GstElement   *input_level;
  GstElement   *output_level;
  GstElement   *receive_head;     /* rtpopusdepay */
  GstElement   *receive_tail;     /* the last element before the sink */
  GSource      *bus_source;
  GSource      *stats_source;
  GPtrArray    *pending_candidates;  /* "MLINE\tcandidate", until the remote description is set */
  gboolean      started;
  gboolean      stopped;
  gboolean      remote_set;
  gboolean      remote_pending;
  gboolean      muted;
  double        input_db;
  double        output_db;
  guint64       last_bytes;
  gint64        last_bytes_time;

  /* Written by streaming threads */
  gint64        epoch;             /* monotonic µs at construction, constant */
  gint          last_media_ms;     /* atomic: ms after epoch, plus one */
  gint          receive_linked;    /* atomic */
  gint          media_seen;        /* atomic */
  gint          audio_seen;        /* atomic */
};

G_DEFINE_FINAL_TYPE (BeckonVoicePipeline, beckon_voice_pipeline, G_TYPE_OBJECT)

G_DEFINE_QUARK (beckon-voice-error-quark, beckon_voice_error)

static guint probe_counter;

/* Cross-thread plumbing. webrtcbin, its promises and pad probes call us on
 * GStreamer threads. They take a strong reference through the weak one and
 * hand it to an idle source on the main context, so the last reference is
 * always dropped there: disposing, which stops the pipeline, from a
 * streaming thread would deadlock. */

typedef void (*MainFunc) (BeckonVoicePipeline *self,
                          gpointer             data);

typedef struct {
  BeckonVoicePipeline *self;
  MainFunc             func;
  gpointer             data;
  GDestroyNotify       destroy;
} MainCall;

static gboolean
main_call_dispatch (gpointer user_data)
{
  MainCall *call = user_data;

  if (!call->self->stopped)
    call->func (call->self, call->data);
  return G_SOURCE_REMOVE;
}

static void
main_call_free (gpointer user_data)
{
  MainCall *call = user_data;

  if (call->destroy != NULL && call->data != NULL)
    call->destroy (call->data);
  g_object_unref (call->self);
  g_free (call);
}

static void
run_on_main (GWeakRef       *weak,
             MainFunc        func,
             gpointer        data,
             GDestroyNotify  destroy)
{
  BeckonVoicePipeline *self = g_weak_ref_get (weak);
  MainCall *call;
  GSource *source;

  if (self == NULL)
    {
      if (destroy != NULL && data != NULL)
        destroy (data);
      return;
    }

  call = g_new0 (MainCall, 1);
  call->self = self;  /* owned by the call from here */
  call->func = func;
  call->data = data;
  call->destroy = destroy;

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "[beckon-voice] main call");
  g_source_set_callback (source, main_call_dispatch, call, main_call_free);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* A heap weak reference for promises, which may outlive the object. */
static GWeakRef *
weak_new (BeckonVoicePipeline *self)
{
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  g_weak_ref_init (weak, self);
  return weak;
}

static void
weak_free (gpointer data)
{
  GWeakRef *weak = data;

  g_weak_ref_clear (weak);
  g_free (weak);
}

static void
fail (BeckonVoicePipeline *self,
      GError              *error)
{
  if (self->stopped)
    return;
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
}

static GstElement *
make_element (const char  *factory,
              const char  *name,
              GError     **error)
{
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL)
    g_set_error (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_MISSING_ELEMENT,
                 "The GStreamer element “%s” is not installed", factory);
  return element;
}

gboolean
beckon_voice_have_echo_cancel (void)
{
  g_autoptr(GstElementFactory) dsp = gst_element_factory_find ("webrtcdsp");
  g_autoptr(GstElementFactory) probe = gst_element_factory_find ("webrtcechoprobe");

  return dsp != NULL && probe != NULL;
}

/* Validation of what the peer sends. webrtcbin and libnice take almost
 * anything and then warn or misbehave, so the session checks first. */

static gboolean
is_number (const char *s,
           guint64     max)
{
  guint64 value;

  return s != NULL && g_ascii_string_to_unsigned (s, 10, 0, max, &value, NULL);
}

static gboolean
is_address (const char *s)
{
  g_autoptr(GInetAddress) address = NULL;

  if (s == NULL || *s == '\0' || strlen (s) > 253)
    return FALSE;
  address = g_inet_address_new_from_string (s);
  if (address != NULL)
    return TRUE;
  /* mDNS host names (uuid.local) as browsers send them */
  for (const char *p = s; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return g_str_has_suffix (s, ".local");
}

gboolean
beckon_voice_candidate_is_valid (const char *candidate)
{
  g_auto(GStrv) fields = NULL;
  const char *line = candidate;

  if (line == NULL)
    return FALSE;
  if (g_str_has_prefix (line, "a="))
    line += 2;
  if (!g_str_has_prefix (line, "candidate:") || strlen (line) > 1024)
    return FALSE;

  /* candidate:FOUNDATION COMPONENT TRANSPORT PRIORITY ADDRESS PORT typ TYPE ... */
  fields = g_strsplit (line + strlen ("candidate:"), " ", 0);
  if (g_strv_length (fields) < 8)
    return FALSE;
  if (*fields[0] == '\0' || strlen (fields[0]) > 32)
    return FALSE;
  if (!is_number (fields[1], 256) || g_str_equal (fields[1], "0"))
    return FALSE;
  if (g_ascii_strcasecmp (fields[2], "udp") != 0 && g_ascii_strcasecmp (fields[2], "tcp") != 0)
    return FALSE;
  if (!is_number (fields[3], G_MAXUINT32))
    return FALSE;
  if (!is_address (fields[4]))
    return FALSE;
  if (!is_number (fields[5], 65535))
    return FALSE;
  if (!g_str_equal (fields[6], "typ"))
    return FALSE;
  return g_str_equal (fields[7], "host") || g_str_equal (fields[7], "srflx") ||
         g_str_equal (fields[7], "prflx") || g_str_equal (fields[7], "relay");
}

static gboolean
sdp_is_usable (const GstSDPMessage  *sdp,
               GError              **error)
{
  guint n_media = gst_sdp_message_medias_len (sdp);
  gboolean have_audio = FALSE;

  if (gst_sdp_message_get_version (sdp) == NULL || n_media == 0)
    {
      g_set_error_literal (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_BAD_SDP,
                           "The peer's description has no media");
      return FALSE;
    }

  for (guint i = 0; i < n_media; i++)
    {
      const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);
      const char *ufrag = gst_sdp_media_get_attribute_val (media, "ice-ufrag");
      const char *fingerprint = gst_sdp_media_get_attribute_val (media, "fingerprint");

      if (ufrag == NULL)
        ufrag = gst_sdp_message_get_attribute_val (sdp, "ice-ufrag");
      if (fingerprint == NULL)
        fingerprint = gst_sdp_message_get_attribute_val (sdp, "fingerprint");
      if (g_strcmp0 (gst_sdp_media_get_media (media), "audio") == 0 &&
          gst_sdp_media_formats_len (media) > 0 && ufrag != NULL && fingerprint != NULL)
        have_audio = TRUE;
    }

  if (!have_audio)
    {
      g_set_error_literal (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_BAD_SDP,
                           "The peer's description has no usable audio stream");
      return FALSE;
    }
  return TRUE;
}

/* Levels and statistics */

/* level posts "rms" as a GValueArray, deprecated but still what 1.22 sends. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static double
level_from_message (const GstStructure *s)
{
  const GValue *rms = gst_structure_get_value (s, "rms");
  GValueArray *array;
  double db;

  if (rms == NULL || !G_VALUE_HOLDS (rms, g_value_array_get_type ()))
    return SILENCE_DB;
  array = g_value_get_boxed (rms);
  if (array == NULL || array->n_values == 0)
    return SILENCE_DB;
  db = g_value_get_double (g_value_array_get_nth (array, 0));
  if (!isfinite (db) || db < SILENCE_DB)
    return SILENCE_DB;
  return db;
}
G_GNUC_END_IGNORE_DEPRECATIONS

typedef struct {
  double  rtt_ms;
  double  jitter_ms;
  gint64  lost;
  guint64 bytes_received;
} Stats;

static gboolean
get_number (const GstStructure *s,
            const char         *field,
            double             *out)
{
  const GValue *value = gst_structure_get_value (s, field);
  GValue as_double = G_VALUE_INIT;

  if (value == NULL)
    return FALSE;
  g_value_init (&as_double, G_TYPE_DOUBLE);
  if (!g_value_type_transformable (G_VALUE_TYPE (value), G_TYPE_DOUBLE) ||
      !g_value_transform (value, &as_double))
    {
      g_value_unset (&as_double);
      return FALSE;
    }
  *out = g_value_get_double (&as_double);
  g_value_unset (&as_double);
  return TRUE;
}

static gboolean
collect_stats (GQuark        field_id,
               const GValue *value,
               gpointer      user_data)
{
  Stats *stats = user_data;
  const GstStructure *s;
  GstWebRTCStatsType type;
  double number;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;
  s = gst_value_get_structure (value);
  if (!gst_structure_get_enum (s, "type", GST_TYPE_WEBRTC_STATS_TYPE, (gint *) &type))
    return TRUE;

  switch (type)
    {
    case GST_WEBRTC_STATS_INBOUND_RTP:
      if (get_number (s, "jitter", &number))
        stats->jitter_ms = MAX (number, 0.0) * 1000.0;
      if (get_number (s, "packets-lost", &number))
        stats->lost = MAX (stats->lost, (gint64) number);
      if (get_number (s, "bytes-received", &number))
        stats->bytes_received += (guint64) number;
      break;
    case GST_WEBRTC_STATS_REMOTE_INBOUND_RTP:
      if (get_number (s, "round-trip-time", &number) && number > 0)
        stats->rtt_ms = number * 1000.0;
      break;
    case GST_WEBRTC_STATS_CODEC:
    case GST_WEBRTC_STATS_OUTBOUND_RTP:
    case GST_WEBRTC_STATS_REMOTE_OUTBOUND_RTP:
    case GST_WEBRTC_STATS_CSRC:
    case GST_WEBRTC_STATS_PEER_CONNECTION:
    case GST_WEBRTC_STATS_DATA_CHANNEL:
    case GST_WEBRTC_STATS_STREAM:
    case GST_WEBRTC_STATS_TRANSPORT:
    case GST_WEBRTC_STATS_CANDIDATE_PAIR:
    case GST_WEBRTC_STATS_LOCAL_CANDIDATE:
    case GST_WEBRTC_STATS_REMOTE_CANDIDATE:
    case GST_WEBRTC_STATS_CERTIFICATE:
    default:
      break;
    }
  return TRUE;
}

static void
on_stats_main (BeckonVoicePipeline *self,
               gpointer             data)
{
  Stats *stats = data;
  gint64 now = g_get_monotonic_time ();
  double kbps = 0.0;

  /* The first rate is averaged since start(). */
  if (now > self->last_bytes_time && stats->bytes_received >= self->last_bytes)
    kbps = (double) (stats->bytes_received - self->last_bytes) * 8.0 * 1000.0 /
           (double) (now - self->last_bytes_time);
  g_debug ("stats: %" G_GUINT64_FORMAT " bytes received, %.1f kb/s, rtt %.1f ms",
           stats->bytes_received, kbps, stats->rtt_ms);
  self->last_bytes = stats->bytes_received;
  self->last_bytes_time = now;

  g_signal_emit (self, signals[SIGNAL_STATISTICS], 0,
                 stats->rtt_ms, stats->jitter_ms, stats->lost, kbps);
}

static void
on_stats_reply (GstPromise *promise,
                gpointer    user_data)
{
  const GstStructure *reply;
  Stats *stats;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED)
    return;
  reply = gst_promise_get_reply (promise);
  if (reply == NULL)
    return;

  stats = g_new0 (Stats, 1);
  gst_structure_foreach (reply, collect_stats, stats);
  run_on_main (user_data, on_stats_main, stats, g_free);
}

static gboolean
on_stats_tick (gpointer user_data)
{
  BeckonVoicePipeline *self = user_data;
  GstPromise *promise;

  promise = gst_promise_new_with_change_func (on_stats_reply, weak_new (self), weak_free);
  g_signal_emit_by_name (self->webrtc, "get-stats", NULL, promise);
  gst_promise_unref (promise);
  return G_SOURCE_CONTINUE;
}

/* Bus, on the main context */

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  BeckonVoicePipeline *self = user_data;

  if (self->stopped)
    return G_SOURCE_CONTINUE;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ELEMENT:
      {
        const GstStructure *s = gst_message_get_structure (message);

        if (s == NULL || !gst_structure_has_name (s, "level"))
          break;
        if (GST_MESSAGE_SRC (message) == GST_OBJECT (self->output_level))
          {
            self->output_db = level_from_message (s);
          }
        else if (GST_MESSAGE_SRC (message) == GST_OBJECT (self->input_level))
          {
            self->input_db = self->muted ? SILENCE_DB : level_from_message (s);
            /* The output meter decays when the peer's audio stops. */
            if (!g_atomic_int_get (&self->receive_linked))
              self->output_db = SILENCE_DB;
            g_signal_emit (self, signals[SIGNAL_LEVELS], 0, self->input_db, self->output_db);
          }
      }
      break;

    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) gst_error = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;
        GstObject *origin = GST_MESSAGE_SRC (message);

        gst_message_parse_error (message, &gst_error, &debug);
        g_debug ("error from %s: %s (%s)", GST_OBJECT_NAME (origin),
                 gst_error->message, debug ? debug : "");

        if (self->source != NULL && (origin == GST_OBJECT (self->source) ||
                                     gst_object_has_as_ancestor (origin, GST_OBJECT (self->source))))
          error = g_error_new (BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_DEVICE,
                               "The microphone could not be opened (is a sound server running?): %s",
                               gst_error->message);
        else if (self->sink != NULL && (origin == GST_OBJECT (self->sink) ||
                                        gst_object_has_as_ancestor (origin, GST_OBJECT (self->sink))))
          error = g_error_new (BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_DEVICE,
                               "The speaker could not be opened (is a sound server running?): %s",
                               gst_error->message);
        else
          error = g_error_new (BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_FAILED,
                               "%s: %s", GST_OBJECT_NAME (origin), gst_error->message);
        fail (self, error);
      }
      break;

    case GST_MESSAGE_WARNING:
      {
        g_autoptr(GError) warning = NULL;

        gst_message_parse_warning (message, &warning, NULL);
        g_debug ("warning from %s: %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
                 warning->message);
      }
      break;

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

/* Negotiation. Promise callbacks run on webrtcbin's thread: they only copy
 * the result and move to the main context. */

typedef struct {
  GstWebRTCSessionDescription *description;
  GError                      *error;
} DescriptionResult;

static void
description_result_free (gpointer data)
{
  DescriptionResult *result = data;

  g_clear_pointer (&result->description, gst_webrtc_session_description_free);
  g_clear_error (&result->error);
  g_free (result);
}

static DescriptionResult *
description_result_from_promise (GstPromise *promise,
                                 const char *field)
{
  DescriptionResult *result = g_new0 (DescriptionResult, 1);
  GstPromiseResult state = gst_promise_wait (promise);
  const GstStructure *reply = state == GST_PROMISE_RESULT_REPLIED ? gst_promise_get_reply (promise) : NULL;
  GError *error = NULL;

  if (reply != NULL && gst_structure_has_field (reply, "error"))
    {
      gst_structure_get (reply, "error", G_TYPE_ERROR, &error, NULL);
      result->error = error != NULL ? error :
        g_error_new_literal (BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_FAILED, "webrtcbin failed");
    }
  else if (field != NULL)
    {
      if (reply != NULL)
        gst_structure_get (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                           &result->description, NULL);
      if (result->description == NULL)
        result->error = g_error_new (BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_FAILED,
                                     "webrtcbin made no %s", field);
    }
  else if (state != GST_PROMISE_RESULT_REPLIED)
    {
      result->error = g_error_new_literal (BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_FAILED,
                                           "webrtcbin did not answer");
    }
  return result;
}

static void
on_local_description_main (BeckonVoicePipeline *self,
                           gpointer             data)
{
  DescriptionResult *result = data;
  g_autofree char *text = NULL;

  if (result->error != NULL)
    {
      fail (self, result->error);
      return;
    }

  g_signal_emit_by_name (self->webrtc, "set-local-description", result->description, NULL);
  text = gst_sdp_message_as_text (result->description->sdp);
  g_signal_emit (self, signals[SIGNAL_LOCAL_DESCRIPTION], 0,
                 result->description->type == GST_WEBRTC_SDP_TYPE_OFFER ? "offer" : "answer",
                 text);
}

static void
on_offer_created (GstPromise *promise,
                  gpointer    user_data)
{
  run_on_main (user_data, on_local_description_main,
               description_result_from_promise (promise, "offer"), description_result_free);
}

static void
on_answer_created (GstPromise *promise,
                   gpointer    user_data)
{
  run_on_main (user_data, on_local_description_main,
               description_result_from_promise (promise, "answer"), description_result_free);
}

static void
add_candidate_now (BeckonVoicePipeline *self,
                   guint                mline,
                   const char          *candidate)
{
  g_signal_emit_by_name (self->webrtc, "add-ice-candidate", mline, candidate);
}

static void
on_remote_description_set_main (BeckonVoicePipeline *self,
                                gpointer             data)
{
  DescriptionResult *result = data;

  self->remote_pending = FALSE;
  if (result->error != NULL)
    {
      g_autoptr(GError) error = g_error_new (BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_BAD_SDP,
                                             "The peer's description was refused: %s",
                                             result->error->message);
      fail (self, error);
      return;
    }

  self->remote_set = TRUE;
  for (guint i = 0; i < self->pending_candidates->len; i++)
    {
      const char *entry = g_ptr_array_index (self->pending_candidates, i);
      const char *tab = strchr (entry, '\t');

      add_candidate_now (self, (guint) g_ascii_strtoull (entry, NULL, 10), tab + 1);
    }
  g_ptr_array_set_size (self->pending_candidates, 0);

  if (!self->offerer)
    {
      GstPromise *promise = gst_promise_new_with_change_func (on_answer_created,
                                                              weak_new (self), weak_free);

      g_signal_emit_by_name (self->webrtc, "create-answer", NULL, promise);
      gst_promise_unref (promise);
    }
}

static void
on_remote_description_set (GstPromise *promise,
                           gpointer    user_data)
{
  run_on_main (user_data, on_remote_description_set_main,
               description_result_from_promise (promise, NULL), description_result_free);
}

/* webrtcbin signals, on its threads */

typedef struct {
  guint  mline;
  char  *candidate;
} Candidate;

static void
candidate_free (gpointer data)
{
  Candidate *c = data;

  g_free (c->candidate);
  g_free (c);
}

static void
on_local_candidate_main (BeckonVoicePipeline *self,
                         gpointer             data)
{
  Candidate *c = data;

  g_signal_emit (self, signals[SIGNAL_LOCAL_CANDIDATE], 0, c->mline, c->candidate);
}

static void
on_ice_candidate (GstElement *webrtc,
                  guint       mline,
                  const char *candidate,
                  gpointer    user_data)
{
  BeckonVoicePipeline *self = user_data;
  Candidate *c = g_new0 (Candidate, 1);

  c->mline = mline;
  c->candidate = g_strdup (candidate);
  run_on_main (&self->weak_self, on_local_candidate_main, c, candidate_free);
}

static void
on_connection_state_main (BeckonVoicePipeline *self,
                          gpointer             data)
{
  GstWebRTCPeerConnectionState pc_state;
  GstWebRTCICEConnectionState ice_state;

  g_object_get (self->webrtc,
                "connection-state", &pc_state,
                "ice-connection-state", &ice_state,
                NULL);
  g_debug ("connection state %d, ICE %d", pc_state, ice_state);

  if (pc_state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
    g_signal_emit (self, signals[SIGNAL_CONNECTED], 0);
  else if (ice_state == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED ||
           pc_state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED)
    g_signal_emit (self, signals[SIGNAL_ICE_FAILED], 0);
}

static void
on_connection_state_notify (GObject    *object,
                            GParamSpec *pspec,
                            gpointer    user_data)
{
  BeckonVoicePipeline *self = user_data;

  run_on_main (&self->weak_self, on_connection_state_main, NULL, NULL);
}

static void
on_media_flowing_main (BeckonVoicePipeline *self,
                       gpointer             data)
{
  g_signal_emit (self, signals[SIGNAL_MEDIA_FLOWING], 0);
}

static void
on_first_audio_main (BeckonVoicePipeline *self,
                     gpointer             data)
{
  g_signal_emit (self, signals[SIGNAL_FIRST_AUDIO], 0);
}

static GstPadProbeReturn
on_media_probe (GstPad          *pad,
                GstPadProbeInfo *info,
                gpointer         user_data)
{
  BeckonVoicePipeline *self = user_data;

  /* Lost packets arrive as events and concealment makes audio of them,
   * so only real packets here count as the peer being alive. */
  g_atomic_int_set (&self->last_media_ms,
                    (gint) ((g_get_monotonic_time () - self->epoch) / 1000) + 1);
  if (g_atomic_int_compare_and_exchange (&self->media_seen, FALSE, TRUE))
    run_on_main (&self->weak_self, on_media_flowing_main, NULL, NULL);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_audio_probe (GstPad          *pad,
                GstPadProbeInfo *info,
                gpointer         user_data)
{
  BeckonVoicePipeline *self = user_data;

  if (g_atomic_int_compare_and_exchange (&self->audio_seen, FALSE, TRUE))
    run_on_main (&self->weak_self, on_first_audio_main, NULL, NULL);
  return GST_PAD_PROBE_REMOVE;
}

/* opusdec with use-inband-fec reports 120 ms of latency, the longest
 * Opus frame it might have to hold back to decode FEC. Our frames are
 * 20 ms, so that is all it holds; left alone, a synced speaker plays
 * everything 100 ms late (measured: mouth-to-ear 209 → 109 ms). */
static GstPadProbeReturn
on_decoder_latency (GstPad          *pad,
                    GstPadProbeInfo *info,
                    gpointer         user_data)
{
  GstQuery *query = GST_PAD_PROBE_INFO_QUERY (info);
  g_autoptr(GstPad) decoder_sink = NULL;
  GstQuery *upstream;
  GstClockTime min, max, upstream_min, upstream_max;
  gboolean live, upstream_live;

  if (GST_QUERY_TYPE (query) != GST_QUERY_LATENCY)
    return GST_PAD_PROBE_OK;

  gst_query_parse_latency (query, &live, &min, &max);
  decoder_sink = gst_element_get_static_pad (GST_ELEMENT (GST_PAD_PARENT (pad)), "sink");
  upstream = gst_query_new_latency ();
  if (decoder_sink != NULL && gst_pad_peer_query (decoder_sink, upstream))
    {
      gst_query_parse_latency (upstream, &upstream_live, &upstream_min, &upstream_max);
      if (GST_CLOCK_TIME_IS_VALID (min) && GST_CLOCK_TIME_IS_VALID (upstream_min) &&
          min > upstream_min + FRAME_DURATION)
        gst_query_set_latency (query, live, upstream_min + FRAME_DURATION, max);
    }
  gst_query_unref (upstream);
  return GST_PAD_PROBE_OK;
}

static void
on_pad_added (GstElement *webrtc,
              GstPad     *pad,
              gpointer    user_data)
{
  BeckonVoicePipeline *self = user_data;
  g_autoptr(GstPad) sink_pad = NULL;
  GstPadLinkReturn ret;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  /* One audio stream; a second one (the peer renegotiating) is not played. */
  if (!g_atomic_int_compare_and_exchange (&self->receive_linked, FALSE, TRUE))
    return;

  /* The sink joins only now: a sink without data would hold the pipeline
   * in PAUSED. Adding from this thread is how webrtcbin is meant to be used. */
  gst_bin_add (GST_BIN (self->pipeline), gst_object_ref (self->sink));
  if (!gst_element_link (self->receive_tail, self->sink))
    GST_ELEMENT_ERROR (self->pipeline, CORE, NEGOTIATION, ("Cannot link the speaker"), (NULL));
  gst_element_sync_state_with_parent (self->sink);

  sink_pad = gst_element_get_static_pad (self->receive_head, "sink");
  ret = gst_pad_link (pad, sink_pad);
  if (GST_PAD_LINK_FAILED (ret))
    GST_ELEMENT_ERROR (self->pipeline, CORE, NEGOTIATION,
                       ("Cannot play the peer's stream (%s)", gst_pad_link_get_name (ret)), (NULL));
}

/* Construction of the pipeline */

static void
configure_ice (BeckonVoicePipeline *self)
{
  g_autoptr(GObject) ice = NULL;
  g_autoptr(GObject) agent = NULL;

  g_object_get (self->webrtc, "ice-agent", &ice, NULL);
  if (ice == NULL || g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") == NULL)
    return;
  g_object_get (ice, "agent", &agent, NULL);
  if (agent == NULL)
    return;

  /* UPnP multicasts discovery, adds ~200 ms to gathering and leaks. */
  g_object_set (agent, "upnp", FALSE, NULL);

  /* libnice skips loopback: on a machine (or network namespace) with
   * nothing else, it would gather no candidate at all and say nothing.
   * Adding an address replaces discovery, so only do it then. */
  {
    GList *ips = nice_interfaces_get_local_ips (FALSE);

    if (ips == NULL)
      {
        NiceAddress address;

        nice_address_init (&address);
        if (nice_address_set_from_string (&address, "127.0.0.1"))
          nice_agent_add_local_address (NICE_AGENT (agent), &address);
      }
    g_list_free_full (ips, g_free);
  }

  for (guint i = 0; self->ice_servers != NULL && self->ice_servers[i] != NULL; i++)
    {
      const char *uri = self->ice_servers[i];
      gboolean added = FALSE;

      if (g_str_has_prefix (uri, "stun://"))
        g_object_set (self->webrtc, "stun-server", uri, NULL);
      else if (g_str_has_prefix (uri, "turn://") || g_str_has_prefix (uri, "turns://"))
        g_signal_emit_by_name (self->webrtc, "add-turn-server", uri, &added);
    }
}

static gboolean
build (BeckonVoicePipeline  *self,
       GError              **error)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstCaps) raw_caps = NULL;
  g_autoptr(GstCaps) rtp_caps = NULL;
  g_autoptr(GstPad) probe_pad = NULL;
  GstElement *webrtc, *convert, *resample, *raw_filter, *dsp = NULL, *volume, *in_level;
  GstElement *encoder, *payloader, *rtp_filter;
  GstElement *depay, *decoder, *out_convert, *out_resample, *out_level, *echo_probe = NULL;
  g_autoptr(GstBus) bus = NULL;

  pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));

  /* Every element goes into the bin as soon as it exists, so an early
   * return frees it with the pipeline. */
#define MAKE_NAMED(var, factory, name) \
  G_STMT_START { \
    if ((var = make_element (factory, name, error)) == NULL) \
      return FALSE; \
    gst_bin_add (GST_BIN (pipeline), var); \
  } G_STMT_END
#define MAKE(var, factory) MAKE_NAMED (var, factory, NULL)

  MAKE (webrtc, "webrtcbin");
  MAKE (convert, "audioconvert");
  MAKE (resample, "audioresample");
  MAKE (raw_filter, "capsfilter");
  if (self->echo_cancel)
    {
      MAKE (dsp, "webrtcdsp");
      /* webrtcdsp finds its probe by name, process-wide */
      MAKE_NAMED (echo_probe, "webrtcechoprobe", self->probe_name);
    }
  MAKE (volume, "volume");
  MAKE (in_level, "level");
  MAKE (encoder, "opusenc");
  MAKE (payloader, "rtpopuspay");
  MAKE (rtp_filter, "capsfilter");
  MAKE (depay, "rtpopusdepay");
  MAKE (decoder, "opusdec");
  MAKE (out_convert, "audioconvert");
  MAKE (out_resample, "audioresample");
  MAKE (out_level, "level");
#undef MAKE
#undef MAKE_NAMED

  gst_bin_add (GST_BIN (pipeline), gst_object_ref (self->source));

  g_object_set (webrtc,
                "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE,
                "latency", self->latency_ms,
                NULL);
  raw_caps = gst_caps_from_string ("audio/x-raw,format=S16LE,rate=48000,channels=1,layout=interleaved");
  g_object_set (raw_filter, "caps", raw_caps, NULL);
  if (dsp != NULL)
    {
      g_object_set (dsp, "probe", self->probe_name, NULL);
    }
  g_object_set (volume, "mute", self->muted, NULL);
  g_object_set (in_level, "interval", (guint64) LEVEL_INTERVAL, "post-messages", TRUE, NULL);
  g_object_set (out_level, "interval", (guint64) LEVEL_INTERVAL, "post-messages", TRUE, NULL);
  gst_util_set_object_arg (G_OBJECT (encoder), "audio-type", "voice");
  g_object_set (encoder,
                "bitrate", 32000,
                "frame-size", 20,
                "inband-fec", TRUE,
                "packet-loss-percentage", 5,
                NULL);
  g_object_set (payloader, "pt", OPUS_PT, NULL);
  rtp_caps = gst_caps_from_string (RTP_CAPS);
  g_object_set (rtp_filter, "caps", rtp_caps, NULL);
  g_object_set (decoder, "use-inband-fec", TRUE, "plc", TRUE, NULL);

  /* source ! convert ! resample ! 48k mono [! webrtcdsp] ! volume ! level ! opusenc ! pay ! webrtcbin */
  if (!gst_element_link_many (self->source, convert, resample, raw_filter, NULL) ||
      (dsp != NULL && !gst_element_link_many (raw_filter, dsp, volume, NULL)) ||
      (dsp == NULL && !gst_element_link (raw_filter, volume)) ||
      !gst_element_link_many (volume, in_level, encoder, payloader, rtp_filter, NULL) ||
      !gst_element_link_pads (rtp_filter, "src", webrtc, "sink_%u"))
    {
      g_set_error_literal (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_DEVICE,
                           "The microphone's output cannot be made into 48 kHz mono audio");
      return FALSE;
    }

  /* webrtcbin's src ! depay ! opusdec ! convert ! resample ! level [! echoprobe] ! sink,
   * all but the sink made now: webrtcdsp looks its probe up when it starts. */
  if (!gst_element_link_many (depay, decoder, out_convert, out_resample, out_level, NULL) ||
      (echo_probe != NULL && !gst_element_link (out_level, echo_probe)))
    {
      g_set_error_literal (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_FAILED,
                           "Cannot link the receiving chain");
      return FALSE;
    }

  probe_pad = gst_element_get_static_pad (depay, "src");
  gst_pad_add_probe (probe_pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     on_media_probe, self, NULL);
  gst_clear_object (&probe_pad);
  probe_pad = gst_element_get_static_pad (decoder, "src");
  gst_pad_add_probe (probe_pad, GST_PAD_PROBE_TYPE_BUFFER, on_audio_probe, self, NULL);
  gst_pad_add_probe (probe_pad, GST_PAD_PROBE_TYPE_QUERY_UPSTREAM | GST_PAD_PROBE_TYPE_PULL,
                     on_decoder_latency, NULL, NULL);

  g_signal_connect (webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate), self);
  g_signal_connect (webrtc, "pad-added", G_CALLBACK (on_pad_added), self);
  g_signal_connect (webrtc, "notify::connection-state", G_CALLBACK (on_connection_state_notify), self);
  g_signal_connect (webrtc, "notify::ice-connection-state", G_CALLBACK (on_connection_state_notify), self);

  bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  self->bus_source = gst_bus_create_watch (bus);
  g_source_set_callback (self->bus_source, (GSourceFunc) G_CALLBACK (on_bus_message), self, NULL);
  g_source_attach (self->bus_source, self->context);

  self->webrtc = webrtc;
  self->volume = volume;
  self->input_level = in_level;
  self->output_level = out_level;
  self->receive_head = depay;
  self->receive_tail = echo_probe != NULL ? echo_probe : out_level;
  self->pipeline = g_steal_pointer (&pipeline);

  configure_ice (self);
  return TRUE;
}

static void
beckon_voice_pipeline_dispose (GObject *object)
{
  BeckonVoicePipeline *self = (BeckonVoicePipeline *) object;

  beckon_voice_pipeline_stop (self);

  G_OBJECT_CLASS (beckon_voice_pipeline_parent_class)->dispose (object);
}

static void
beckon_voice_pipeline_finalize (GObject *object)
{
  BeckonVoicePipeline *self = (BeckonVoicePipeline *) object;

  g_weak_ref_clear (&self->weak_self);
  g_clear_pointer (&self->pending_candidates, g_ptr_array_unref);
  g_clear_pointer (&self->ice_servers, g_strfreev);
  g_clear_pointer (&self->probe_name, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (beckon_voice_pipeline_parent_class)->finalize (object);
}

static void
beckon_voice_pipeline_class_init (BeckonVoicePipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = beckon_voice_pipeline_dispose;
  object_class->finalize = beckon_voice_pipeline_finalize;

  signals[SIGNAL_LOCAL_DESCRIPTION] =
    g_signal_new ("local-description", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_LOCAL_CANDIDATE] =
    g_signal_new ("local-candidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  signals[SIGNAL_MEDIA_FLOWING] =
    g_signal_new ("media-flowing", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_FIRST_AUDIO] =
    g_signal_new ("first-audio", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_ICE_FAILED] =
    g_signal_new ("ice-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_LEVELS] =
    g_signal_new ("levels", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  signals[SIGNAL_STATISTICS] =
    g_signal_new ("statistics", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_DOUBLE, G_TYPE_DOUBLE, G_TYPE_INT64, G_TYPE_DOUBLE);
}

static void
beckon_voice_pipeline_init (BeckonVoicePipeline *self)
{
  g_weak_ref_init (&self->weak_self, self);
  self->context = g_main_context_ref_thread_default ();
  self->epoch = g_get_monotonic_time ();
  self->pending_candidates = g_ptr_array_new_with_free_func (g_free);
  self->probe_name = g_strdup_printf ("beckon-echo-probe-%u", g_atomic_int_add (&probe_counter, 1));
  self->input_db = SILENCE_DB;
  self->output_db = SILENCE_DB;
}

BeckonVoicePipeline *
beckon_voice_pipeline_new (gboolean            offerer,
                           GstElement         *source,
                           GstElement         *sink,
                           guint               latency_ms,
                           gboolean            echo_cancel,
                           const char * const *ice_servers)
{
  BeckonVoicePipeline *self;

  g_return_val_if_fail (GST_IS_ELEMENT (source), NULL);
  g_return_val_if_fail (GST_IS_ELEMENT (sink), NULL);

  self = g_object_new (BECKON_TYPE_VOICE_PIPELINE, NULL);
  self->offerer = offerer;
  self->source = gst_object_ref_sink (source);
  self->sink = gst_object_ref_sink (sink);
  self->latency_ms = latency_ms;
  self->echo_cancel = echo_cancel && beckon_voice_have_echo_cancel ();
  self->ice_servers = g_strdupv ((GStrv) ice_servers);
  return self;
}

gboolean
beckon_voice_pipeline_start (BeckonVoicePipeline  *self,
                             GError              **error)
{
  GstStateChangeReturn ret;

  g_return_val_if_fail (BECKON_IS_VOICE_PIPELINE (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  self->started = TRUE;
  if (!build (self, error))
    {
      self->stopped = TRUE;
      return FALSE;
    }

  ret = gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
  if (ret == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error_literal (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_DEVICE,
                           "The audio devices could not be opened (is a sound server running?)");
      beckon_voice_pipeline_stop (self);
      return FALSE;
    }

  self->last_bytes_time = g_get_monotonic_time ();
  self->stats_source = g_timeout_source_new (1000);
  g_source_set_static_name (self->stats_source, "[beckon-voice] statistics");
  g_source_set_callback (self->stats_source, on_stats_tick, self, NULL);
  g_source_attach (self->stats_source, self->context);

  if (self->offerer)
    {
      GstPromise *promise = gst_promise_new_with_change_func (on_offer_created,
                                                              weak_new (self), weak_free);

      g_signal_emit_by_name (self->webrtc, "create-offer", NULL, promise);
      gst_promise_unref (promise);
    }
  return TRUE;
}

void
beckon_voice_pipeline_stop (BeckonVoicePipeline *self)
{
  g_return_if_fail (BECKON_IS_VOICE_PIPELINE (self));

  self->stopped = TRUE;
  if (self->stats_source != NULL)
    {
      g_source_destroy (self->stats_source);
      g_clear_pointer (&self->stats_source, g_source_unref);
    }
  if (self->bus_source != NULL)
    {
      g_source_destroy (self->bus_source);
      g_clear_pointer (&self->bus_source, g_source_unref);
    }
  if (self->pipeline != NULL)
    {
      gint64 start = g_get_monotonic_time ();

      /* On the main context, never inside a webrtcbin callback. */
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_debug ("pipeline to NULL in %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
      g_signal_handlers_disconnect_by_data (self->webrtc, self);
      self->webrtc = NULL;
      self->volume = NULL;
      self->input_level = NULL;
      self->output_level = NULL;
      self->receive_head = NULL;
      self->receive_tail = NULL;
      gst_clear_object (&self->pipeline);
    }
  gst_clear_object (&self->source);
  gst_clear_object (&self->sink);
}

gboolean
beckon_voice_pipeline_set_remote_description (BeckonVoicePipeline  *self,
                                              const char           *type,
                                              const char           *sdp_text,
                                              GError              **error)
{
  g_autoptr(GstSDPMessage) sdp = NULL;
  GstWebRTCSessionDescription *description;
  GstWebRTCSDPType sdp_type;
  GstPromise *promise;

  g_return_val_if_fail (BECKON_IS_VOICE_PIPELINE (self), FALSE);

  if (self->stopped || !self->started)
    {
      g_set_error_literal (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_STATE,
                           "The call is not running");
      return FALSE;
    }
  if (g_strcmp0 (type, self->offerer ? "answer" : "offer") != 0)
    {
      g_set_error (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_BAD_SDP,
                   "Expected an %s from the peer", self->offerer ? "answer" : "offer");
      return FALSE;
    }
  if (self->remote_set || self->remote_pending)
    {
      g_set_error_literal (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_BAD_SDP,
                           "The peer sent a second description");
      return FALSE;
    }
  if (sdp_text == NULL || gst_sdp_message_new_from_text (sdp_text, &sdp) != GST_SDP_OK || sdp == NULL)
    {
      g_set_error_literal (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_BAD_SDP,
                           "The peer's description is not SDP");
      return FALSE;
    }
  if (!sdp_is_usable (sdp, error))
    return FALSE;

  sdp_type = self->offerer ? GST_WEBRTC_SDP_TYPE_ANSWER : GST_WEBRTC_SDP_TYPE_OFFER;
  description = gst_webrtc_session_description_new (sdp_type, g_steal_pointer (&sdp));
  promise = gst_promise_new_with_change_func (on_remote_description_set, weak_new (self), weak_free);
  self->remote_pending = TRUE;
  g_signal_emit_by_name (self->webrtc, "set-remote-description", description, promise);
  gst_promise_unref (promise);
  gst_webrtc_session_description_free (description);
  return TRUE;
}

gboolean
beckon_voice_pipeline_add_remote_candidate (BeckonVoicePipeline  *self,
                                            guint                 mline,
                                            const char           *candidate,
                                            GError              **error)
{
  g_return_val_if_fail (BECKON_IS_VOICE_PIPELINE (self), FALSE);

  if (self->stopped || !self->started)
    return TRUE;
  /* An empty candidate marks the end of the peer's candidates. */
  if (candidate != NULL && *candidate == '\0')
    return TRUE;
  if (!beckon_voice_candidate_is_valid (candidate) || mline > 0)
    {
      g_set_error_literal (error, BECKON_VOICE_ERROR, BECKON_VOICE_ERROR_BAD_SDP,
                           "The peer sent a malformed ICE candidate");
      return FALSE;
    }

  if (!self->remote_set)
    g_ptr_array_add (self->pending_candidates, g_strdup_printf ("%u\t%s", mline, candidate));
  else
    add_candidate_now (self, mline, candidate);
  return TRUE;
}

void
beckon_voice_pipeline_set_muted (BeckonVoicePipeline *self,
                                 gboolean             muted)
{
  g_return_if_fail (BECKON_IS_VOICE_PIPELINE (self));

  self->muted = !!muted;
  /* Silence keeps flowing: the peer's media watchdog must not fire. */
  if (self->volume != NULL)
    g_object_set (self->volume, "mute", self->muted, NULL);
}

gint64
beckon_voice_pipeline_get_last_media_time (BeckonVoicePipeline *self)
{
  g_return_val_if_fail (BECKON_IS_VOICE_PIPELINE (self), 0);

  gint ms = g_atomic_int_get (&self->last_media_ms);

  return ms == 0 ? 0 : self->epoch + (gint64) (ms - 1) * 1000;
}

GstElement *
beckon_voice_pipeline_get_pipeline (BeckonVoicePipeline *self)
{
  g_return_val_if_fail (BECKON_IS_VOICE_PIPELINE (self), NULL);

  return self->pipeline;
}
