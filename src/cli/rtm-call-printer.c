/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rtm-call"

#include "rtm-call-printer.h"

enum {
  PROP_0,
  PROP_JSON,
  N_PROPS
};

struct _RtmCallPrinter
{
  GObject   parent_instance;

  /* not owned: stdout and stderr live as long as the process */
  FILE     *out;
  FILE     *err;

  gboolean  json;
};

G_DEFINE_FINAL_TYPE (RtmCallPrinter, rtm_call_printer, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
rtm_call_printer_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RtmCallPrinter *self = RTM_CALL_PRINTER (object);

  switch (prop_id)
    {
    case PROP_JSON:
      g_value_set_boolean (value, self->json);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rtm_call_printer_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  RtmCallPrinter *self = RTM_CALL_PRINTER (object);

  switch (prop_id)
    {
    case PROP_JSON:
      self->json = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rtm_call_printer_class_init (RtmCallPrinterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rtm_call_printer_get_property;
  object_class->set_property = rtm_call_printer_set_property;

  properties[PROP_JSON] =
    g_param_spec_boolean ("json", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rtm_call_printer_init (RtmCallPrinter *self)
{
  self->out = stdout;
  self->err = stderr;
}

RtmCallPrinter *
rtm_call_printer_new (FILE     *out,
                      FILE     *err,
                      gboolean  json)
{
  RtmCallPrinter *self;

  g_return_val_if_fail (out != NULL, NULL);
  g_return_val_if_fail (err != NULL, NULL);

  self = g_object_new (RTM_CALL_TYPE_PRINTER, "json", json, NULL);
  self->out = out;
  self->err = err;
  return self;
}

gboolean
rtm_call_printer_get_json (RtmCallPrinter *self)
{
  g_return_val_if_fail (RTM_CALL_IS_PRINTER (self), FALSE);

  return self->json;
}

static void
print_json (RtmCallPrinter *self,
            const char     *name,
            JsonObject     *fields)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *line = NULL;

  json_object_set_string_member (object, "event", name);
  json_object_set_double_member (object, "time", g_get_real_time () / (double) G_USEC_PER_SEC);
  if (fields != NULL)
    {
      JsonObjectIter iter;
      const char *member;
      JsonNode *value;

      json_object_iter_init (&iter, fields);
      while (json_object_iter_next (&iter, &member, &value))
        json_object_set_member (object, member, json_node_copy (value));
    }

  json_node_set_object (node, object);
  line = json_to_string (node, FALSE);
  fprintf (self->out, "%s\n", line);
  fflush (self->out);
}

void
rtm_call_printer_event (RtmCallPrinter *self,
                        const char     *name,
                        JsonObject     *fields,
                        const char     *format,
                        ...)
{
  g_return_if_fail (RTM_CALL_IS_PRINTER (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (format != NULL);

  if (self->json)
    {
      print_json (self, name, fields);
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S");
      g_autofree char *text = NULL;
      va_list args;

      va_start (args, format);
      text = g_strdup_vprintf (format, args);
      va_end (args);

      fprintf (self->out, "%s.%03d  %s\n", stamp,
               g_date_time_get_microsecond (now) / 1000, text);
      fflush (self->out);
    }
}

void
rtm_call_printer_error (RtmCallPrinter *self,
                        const char     *format,
                        ...)
{
  g_autofree char *text = NULL;
  va_list args;

  g_return_if_fail (RTM_CALL_IS_PRINTER (self));
  g_return_if_fail (format != NULL);

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  if (self->json)
    {
      g_autoptr(JsonObject) fields = json_object_new ();

      json_object_set_string_member (fields, "message", text);
      print_json (self, "error", fields);
    }

  /* People read errors on stderr in both modes. */
  fprintf (self->err, "rtm-call: %s\n", text);
  fflush (self->err);
}

void
rtm_call_printer_prompt (RtmCallPrinter *self,
                         const char     *format,
                         ...)
{
  g_autofree char *text = NULL;
  va_list args;

  g_return_if_fail (RTM_CALL_IS_PRINTER (self));
  g_return_if_fail (format != NULL);

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  fputs (text, self->err);
  fflush (self->err);
}
