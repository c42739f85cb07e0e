/* kehu-record-item.c: one row of a record list, made when it is shown
 *
 * Small on purpose: the row as core's query fetched it (a JsonObject shared
 * with the page it came from), its values as the text SQLite would give,
 * and the titles of the records its references point at. Formatting for
 * display is the view's business.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-list"

#include "config.h"

#include <json-glib/json-glib.h>

#include "kehu-record-item.h"

struct _KehuRecordItem
{
  GObject      parent_instance;

  const char  *module;     /* interned */
  JsonObject  *row;
  GHashTable  *texts;      /* field → text of a non-string value, made on demand */
};

G_DEFINE_FINAL_TYPE (KehuRecordItem, kehu_record_item, G_TYPE_OBJECT)

static void
kehu_record_item_finalize (GObject *object)
{
  KehuRecordItem *self = (KehuRecordItem *)object;

  g_clear_pointer (&self->row, json_object_unref);
  g_clear_pointer (&self->texts, g_hash_table_unref);

  G_OBJECT_CLASS (kehu_record_item_parent_class)->finalize (object);
}

static void
kehu_record_item_class_init (KehuRecordItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kehu_record_item_finalize;
}

static void
kehu_record_item_init (KehuRecordItem *self)
{
}

/**
 * kehu_record_item_new:
 * @row: a record as kehu_query_fetch() gives it (custom fields in "extra",
 *   the query's extra columns as "FIELD:label" and "sync:state")
 */
KehuRecordItem *
kehu_record_item_new (const char *module,
                      JsonObject *row)
{
  KehuRecordItem *self = g_object_new (KEHU_TYPE_RECORD_ITEM, NULL);

  self->module = g_intern_string (module);
  self->row = json_object_ref (row);
  return self;
}

const char *
kehu_record_item_get_module (KehuRecordItem *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_ITEM (self), NULL);
  return self->module;
}

const char *
kehu_record_item_get_id (KehuRecordItem *self)
{
  return kehu_record_item_get_value (self, "id");
}

/* What SQLite's text of the value would be: integers in decimal, booleans
 * 1 and 0, JSON columns as compact JSON. */
static char *
node_text (JsonNode *node)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!JSON_NODE_HOLDS_VALUE (node))
    return json_to_string (node, FALSE);
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "1" : "0");
    case G_TYPE_DOUBLE:
      return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.15g", json_node_get_double (node)));
    default:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    }
}

const char *
kehu_record_item_get_value (KehuRecordItem *self,
                            const char     *field)
{
  JsonNode *node;
  char *text;

  g_return_val_if_fail (KEHU_IS_RECORD_ITEM (self), NULL);

  node = json_object_get_member (self->row, field);
  if (node == NULL)
    {
      /* Custom fields live in the row's "extra" object. */
      JsonNode *extra = json_object_get_member (self->row, "extra");

      if (extra != NULL && JSON_NODE_HOLDS_OBJECT (extra))
        node = json_object_get_member (json_node_get_object (extra), field);
    }
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);

  if (self->texts == NULL)
    self->texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if ((text = g_hash_table_lookup (self->texts, field)) == NULL)
    {
      text = node_text (node);
      g_hash_table_insert (self->texts, g_strdup (field), text);
    }
  return text;
}

const char *
kehu_record_item_get_label (KehuRecordItem *self,
                            const char     *field)
{
  g_autofree char *key = g_strconcat (field, ":label", NULL);

  return kehu_record_item_get_value (self, key);
}

/**
 * kehu_record_item_get_sync_state:
 *
 * Returns: (nullable): "pending" while the record has changes the server
 *   has not acknowledged, "claim" while its claim from the pool waits for
 *   the server, %NULL when it is in sync
 */
const char *
kehu_record_item_get_sync_state (KehuRecordItem *self)
{
  return kehu_record_item_get_value (self, "sync:state");
}
