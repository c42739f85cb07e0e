/* kehu-record-item.c: one row of a record list, made when it is shown
 *
 * Small on purpose: the raw values of one row as SQLite gave them, and the
 * titles of the records its references point at. Formatting for display is
 * the view's business.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-list"

#include "config.h"

#include "kehu-record-item.h"

struct _KehuRecordItem
{
  GObject      parent_instance;

  const char  *module;     /* interned */
  GHashTable  *columns;    /* name → index + 1 */
  char       **values;
  guint        n_values;
};

G_DEFINE_FINAL_TYPE (KehuRecordItem, kehu_record_item, G_TYPE_OBJECT)

static void
kehu_record_item_finalize (GObject *object)
{
  KehuRecordItem *self = (KehuRecordItem *)object;

  for (guint i = 0; i < self->n_values; i++)
    g_free (self->values[i]);
  g_free (self->values);
  g_clear_pointer (&self->columns, g_hash_table_unref);

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

KehuRecordItem *
kehu_record_item_new (const char  *module,
                      GHashTable  *columns,
                      char       **values,
                      guint        n_values)
{
  KehuRecordItem *self = g_object_new (KEHU_TYPE_RECORD_ITEM, NULL);

  self->module = g_intern_string (module);
  self->columns = g_hash_table_ref (columns);
  self->values = values;
  self->n_values = n_values;
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

const char *
kehu_record_item_get_value (KehuRecordItem *self,
                            const char     *field)
{
  guint index;

  g_return_val_if_fail (KEHU_IS_RECORD_ITEM (self), NULL);

  index = GPOINTER_TO_UINT (g_hash_table_lookup (self->columns, field));
  return index ? self->values[index - 1] : NULL;
}

const char *
kehu_record_item_get_label (KehuRecordItem *self,
                            const char     *field)
{
  g_autofree char *key = g_strconcat (field, ":label", NULL);

  return kehu_record_item_get_value (self, key);
}
