/* kehu-field-sorter.c: the sorter of one list column, sorted by SQL
 *
 * The lists never sort in memory: a column's sorter only says which field
 * it stands for, and the view turns the column view's choice into ORDER BY.
 * GTK 4.8 has no getter for the column view sorter's primary column
 * (gtk_column_view_sorter_get_primary_sort_column is 4.10), so it is found
 * by asking the view sorter to compare two probes: it consults the primary
 * column first, which records itself, and inverts the answer when that
 * column sorts descending.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-list"

#include "config.h"

#include "kehu-field-sorter.h"

struct _KehuFieldSorter
{
  GtkSorter  parent_instance;

  char      *field;
};

G_DEFINE_FINAL_TYPE (KehuFieldSorter, kehu_field_sorter, GTK_TYPE_SORTER)

static KehuFieldSorter *probed;

static GtkOrdering
kehu_field_sorter_compare (GtkSorter *sorter,
                           gpointer   item1,
                           gpointer   item2)
{
  if (probed == NULL)
    probed = KEHU_FIELD_SORTER (sorter);
  return GTK_ORDERING_SMALLER;
}

static GtkSorterOrder
kehu_field_sorter_get_order (GtkSorter *sorter)
{
  return GTK_SORTER_ORDER_PARTIAL;
}

static void
kehu_field_sorter_finalize (GObject *object)
{
  g_free (KEHU_FIELD_SORTER (object)->field);
  G_OBJECT_CLASS (kehu_field_sorter_parent_class)->finalize (object);
}

static void
kehu_field_sorter_class_init (KehuFieldSorterClass *klass)
{
  GtkSorterClass *sorter_class = GTK_SORTER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = kehu_field_sorter_finalize;
  sorter_class->compare = kehu_field_sorter_compare;
  sorter_class->get_order = kehu_field_sorter_get_order;
}

static void
kehu_field_sorter_init (KehuFieldSorter *self)
{
}

GtkSorter *
kehu_field_sorter_new (const char *field)
{
  KehuFieldSorter *self = g_object_new (KEHU_TYPE_FIELD_SORTER, NULL);

  self->field = g_strdup (field);
  return GTK_SORTER (self);
}

const char *
kehu_field_sorter_get_field (KehuFieldSorter *self)
{
  g_return_val_if_fail (KEHU_IS_FIELD_SORTER (self), NULL);
  return self->field;
}

gboolean
kehu_field_sorter_get_primary (GtkSorter   *view_sorter,
                               const char **field,
                               gboolean    *descending)
{
  g_autoptr(GObject) a = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GObject) b = g_object_new (G_TYPE_OBJECT, NULL);
  GtkOrdering order;

  probed = NULL;
  order = gtk_sorter_compare (view_sorter, a, b);
  if (probed == NULL || order == GTK_ORDERING_EQUAL)
    {
      probed = NULL;
      return FALSE;
    }
  *field = probed->field;
  *descending = order == GTK_ORDERING_LARGER;
  probed = NULL;
  return TRUE;
}
