/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-history"

#include "config.h"

#include <errno.h>

#include <glib/gstdio.h>

#include "beckon-history.h"

/* Enough for months of calls; older entries drop off the end. */
#define MAX_ENTRIES 500

struct _BeckonHistory
{
  GObject    parent_instance;

  GPtrArray *entries;  /* BeckonHistoryEntry, newest first */
  char      *path;
  GError    *error;
};

enum {
  PROP_0,
  PROP_PATH,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BeckonHistory, beckon_history, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
set_error (BeckonHistory *self,
           GError        *error)
{
  g_clear_error (&self->error);
  self->error = error;
  if (error != NULL)
    g_message ("History %s: %s", self->path, error->message);
}

static void
load (BeckonHistory *self)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonArray *array;

  if (!json_parser_load_from_mapped_file (parser, self->path, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        set_error (self, g_steal_pointer (&error));
      return;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "calls") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "calls")))
    {
      set_error (self, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                    "not a call history"));
      return;
    }

  array = json_object_get_array_member (json_node_get_object (root), "calls");
  for (guint i = 0; i < json_array_get_length (array) && self->entries->len < MAX_ENTRIES; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      BeckonHistoryEntry *entry;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      entry = beckon_history_entry_new_from_json (json_node_get_object (node));
      if (entry != NULL)
        g_ptr_array_add (self->entries, entry);
    }
}

static void
save (BeckonHistory *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autofree char *data = NULL;
  gsize length;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "calls");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->entries->len; i++)
    json_builder_add_value (builder, beckon_history_entry_to_json (g_ptr_array_index (self->entries, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  data = json_generator_to_data (generator, &length);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      set_error (self, g_error_new (G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                                    "%s: %s", dir, g_strerror (saved_errno)));
      return;
    }

  /* Written to a temporary file and renamed over the old one, so a crash
   * leaves either the old history or the new one, never half of one. */
  if (!g_file_set_contents_full (self->path, data, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    {
      set_error (self, g_steal_pointer (&error));
      return;
    }

  set_error (self, NULL);
}

static GType
beckon_history_get_item_type (GListModel *model)
{
  return BECKON_TYPE_HISTORY_ENTRY;
}

static guint
beckon_history_get_n_items (GListModel *model)
{
  return BECKON_HISTORY (model)->entries->len;
}

static gpointer
beckon_history_get_item (GListModel *model,
                         guint       position)
{
  BeckonHistory *self = BECKON_HISTORY (model);

  if (position >= self->entries->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->entries, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = beckon_history_get_item_type;
  iface->get_n_items = beckon_history_get_n_items;
  iface->get_item = beckon_history_get_item;
}

static void
beckon_history_constructed (GObject *object)
{
  BeckonHistory *self = BECKON_HISTORY (object);

  G_OBJECT_CLASS (beckon_history_parent_class)->constructed (object);

  if (self->path == NULL)
    self->path = g_build_filename (g_get_user_data_dir (), "beckon", "history.json", NULL);

  load (self);
}

static void
beckon_history_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BeckonHistory *self = BECKON_HISTORY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->entries->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_history_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BeckonHistory *self = BECKON_HISTORY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beckon_history_finalize (GObject *object)
{
  BeckonHistory *self = BECKON_HISTORY (object);

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (beckon_history_parent_class)->finalize (object);
}

static void
beckon_history_class_init (BeckonHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = beckon_history_constructed;
  object_class->get_property = beckon_history_get_property;
  object_class->set_property = beckon_history_set_property;
  object_class->finalize = beckon_history_finalize;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beckon_history_init (BeckonHistory *self)
{
  self->entries = g_ptr_array_new_with_free_func (g_object_unref);
}

BeckonHistory *
beckon_history_new (const char *path)
{
  return g_object_new (BECKON_TYPE_HISTORY, "path", path, NULL);
}

const char *
beckon_history_get_path (BeckonHistory *self)
{
  g_return_val_if_fail (BECKON_IS_HISTORY (self), NULL);
  return self->path;
}

void
beckon_history_add (BeckonHistory      *self,
                    BeckonHistoryEntry *entry)
{
  guint removed = 0;

  g_return_if_fail (BECKON_IS_HISTORY (self));
  g_return_if_fail (BECKON_IS_HISTORY_ENTRY (entry));

  g_ptr_array_insert (self->entries, 0, g_object_ref (entry));
  if (self->entries->len > MAX_ENTRIES)
    {
      g_ptr_array_set_size (self->entries, MAX_ENTRIES);
      removed = 1;
    }

  save (self);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 1);
  if (removed == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

void
beckon_history_clear (BeckonHistory *self)
{
  guint n;

  g_return_if_fail (BECKON_IS_HISTORY (self));

  n = self->entries->len;
  g_ptr_array_set_size (self->entries, 0);
  save (self);

  if (n > 0)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
}

GStrv
beckon_history_dup_recent_peers (BeckonHistory *self,
                                 guint          max)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (BECKON_IS_HISTORY (self), NULL);

  for (guint i = 0; i < self->entries->len && g_hash_table_size (seen) < max; i++)
    {
      const char *peer = beckon_history_entry_get_peer_id (g_ptr_array_index (self->entries, i));

      if (g_hash_table_add (seen, (gpointer) peer))
        g_strv_builder_add (builder, peer);
    }

  return g_strv_builder_end (builder);
}

const GError *
beckon_history_get_error (BeckonHistory *self)
{
  g_return_val_if_fail (BECKON_IS_HISTORY (self), NULL);
  return self->error;
}
