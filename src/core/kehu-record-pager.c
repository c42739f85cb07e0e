/* kehu-record-pager.c: random access by position over a query, a page at a time
 *
 * What a GListModel over a big table needs: get_n_items() and
 * get_item(position) for any position the view asks for, without ever
 * loading the table. The pager keeps:
 *
 * - the count, from one count(*) query, cached until reset();
 * - up to max_pages pages of page_size rows (LRU), keyed by page index;
 * - anchors: for every page boundary it has seen, the keyset cursor of the
 *   last row of page k (= where page k + 1 starts). Anchors are tiny (a sort
 *   key and an id) and kept for the pager's life.
 *
 * get_item(p) loads page k = p / page_size when it is not cached:
 * - k = 0, or the anchor of page k − 1 is known (scrolling down, or back to a
 *   page seen before): one keyset query, as cheap as the first page;
 * - otherwise (a jump with the scrollbar): it finds the row just before page
 *   k by counting in the sort index, either forward from the nearest known
 *   anchor below k or backward from the end of the list, whichever is fewer
 *   rows ("SELECT id … ORDER BY … LIMIT 1 OFFSET d" on the index, never on
 *   the rows), records that anchor, then fetches the page by keyset. The
 *   cost of a jump is proportional to its distance d from known ground
 *   (≈ 10–30 ms per 100 000 index entries); afterwards neighbouring pages
 *   are cheap again. OFFSET is never used to fetch rows.
 *
 * Opening a list therefore costs one count and one page query. A caller
 * that counts elsewhere (in a thread, for a big table) hands the count in
 * with set_count(); until then get_item() reads pages without it, and jumps
 * count from known anchors only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-pager"

#include "config.h"

#include "kehu-record-pager.h"

struct _KehuRecordPager
{
  GObject     parent_instance;

  KehuQuery  *query;
  guint       page_size;
  guint       max_pages;
  gint64      count;        /* -1: unknown */
  GHashTable *pages;        /* page index → JsonArray */
  GQueue      lru;          /* page indices, most recent first */
  GTree      *anchors;      /* page index k → cursor after page k */
  guint       n_queries;
};

G_DEFINE_FINAL_TYPE (KehuRecordPager, kehu_record_pager, G_TYPE_OBJECT)

static int
compare_index (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  guint x = GPOINTER_TO_UINT (a), y = GPOINTER_TO_UINT (b);
  return x < y ? -1 : x > y;
}

static void
kehu_record_pager_finalize (GObject *object)
{
  KehuRecordPager *self = (KehuRecordPager *)object;

  g_clear_object (&self->query);
  g_hash_table_unref (self->pages);
  g_queue_clear (&self->lru);
  g_tree_unref (self->anchors);

  G_OBJECT_CLASS (kehu_record_pager_parent_class)->finalize (object);
}

static void
kehu_record_pager_class_init (KehuRecordPagerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kehu_record_pager_finalize;
}

static void
kehu_record_pager_init (KehuRecordPager *self)
{
  self->count = -1;
  self->max_pages = 16;
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) json_array_unref);
  g_queue_init (&self->lru);
  self->anchors = g_tree_new_full (compare_index, NULL, NULL, g_free);
}

/**
 * kehu_record_pager_new:
 * @query: the list's query; the pager keeps a reference, do not change it
 *   afterwards without kehu_record_pager_reset()
 * @page_size: rows per page (e.g. 100)
 */
KehuRecordPager *
kehu_record_pager_new (KehuQuery *query,
                       guint      page_size)
{
  KehuRecordPager *self = g_object_new (KEHU_TYPE_RECORD_PAGER, NULL);

  self->query = g_object_ref (query);
  self->page_size = MAX (page_size, 1);
  return self;
}

KehuQuery *
kehu_record_pager_get_query (KehuRecordPager *self)
{
  return self->query;
}

guint
kehu_record_pager_get_page_size (KehuRecordPager *self)
{
  return self->page_size;
}

void
kehu_record_pager_set_max_pages (KehuRecordPager *self,
                                 guint            max_pages)
{
  self->max_pages = MAX (max_pages, 1);
}

guint
kehu_record_pager_get_n_cached_pages (KehuRecordPager *self)
{
  return g_hash_table_size (self->pages);
}

/* Queries run so far: tests and benchmarks check the costs above with it. */
guint
kehu_record_pager_get_n_queries (KehuRecordPager *self)
{
  return self->n_queries;
}

/* Drops every cached row, anchor and the count (the data changed). */
void
kehu_record_pager_reset (KehuRecordPager *self)
{
  self->count = -1;
  g_hash_table_remove_all (self->pages);
  g_queue_clear (&self->lru);
  g_tree_destroy (self->anchors);
  self->anchors = g_tree_new_full (compare_index, NULL, NULL, g_free);
}

/**
 * kehu_record_pager_set_count:
 * @count: the number of rows of the query, or -1 for unknown
 *
 * Hands in a count made elsewhere; get_n_items() then does not count.
 */
void
kehu_record_pager_set_count (KehuRecordPager *self,
                             gint64           count)
{
  self->count = count < 0 ? -1 : count;
}

/* The count if known, -1 if not (never runs a query). */
gint64
kehu_record_pager_get_count (KehuRecordPager *self)
{
  return self->count;
}

guint
kehu_record_pager_get_n_items (KehuRecordPager *self)
{
  if (self->count < 0)
    {
      g_autoptr(GError) error = NULL;

      self->n_queries++;
      self->count = kehu_query_count (self->query, &error);
      if (self->count < 0)
        {
          g_warning ("Could not count the list: %s", error ? error->message : "?");
          self->count = 0;
        }
    }
  return (guint) MIN (self->count, G_MAXUINT);
}

static const char *
anchor (KehuRecordPager *self,
        guint            page)
{
  return g_tree_lookup (self->anchors, GUINT_TO_POINTER (page));
}

static void
set_anchor (KehuRecordPager *self,
            guint            page,
            char            *cursor)
{
  if (cursor)
    g_tree_insert (self->anchors, GUINT_TO_POINTER (page), cursor);
}

/* The cursor of the row just before page @k (k ≥ 1), found by counting. */
static char *
locate (KehuRecordPager *self,
        guint            k)
{
  g_autoptr(GError) error = NULL;
  gint64 target = (gint64) k * self->page_size - 1;   /* row position of the anchor */
  GTreeNode *node = g_tree_upper_bound (self->anchors, GUINT_TO_POINTER (k - 1));
  gint64 from_anchor, from_end;
  const char *base = NULL;
  char *cursor;

  node = node ? g_tree_node_previous (node) : g_tree_node_last (self->anchors);
  if (node)
    {
      guint j = GPOINTER_TO_UINT (g_tree_node_key (node));
      base = g_tree_node_value (node);
      from_anchor = target - ((gint64) (j + 1) * self->page_size - 1) - 1;
    }
  else
    from_anchor = target;
  /* From the end only when the count is known: never count for a jump. */
  from_end = self->count >= 0 ? self->count - 1 - target : -1;

  self->n_queries++;
  if (from_end >= 0 && from_end < from_anchor)
    cursor = kehu_query_cursor_at (self->query, NULL, from_end, TRUE, &error);
  else
    cursor = kehu_query_cursor_at (self->query, base, from_anchor, FALSE, &error);
  if (error)
    g_warning ("Could not locate page %u: %s", k, error->message);
  return cursor;
}

static JsonArray *
load_page (KehuRecordPager *self,
           guint            k)
{
  g_autoptr(GError) error = NULL;
  const char *after = NULL;
  char *next = NULL;
  JsonArray *rows;

  if (k > 0)
    {
      after = anchor (self, k - 1);
      if (after == NULL)
        {
          char *cursor = locate (self, k);
          if (cursor == NULL)
            return NULL;
          set_anchor (self, k - 1, cursor);
          after = cursor;
        }
    }

  self->n_queries++;
  rows = kehu_query_fetch (self->query, after, self->page_size, &next, &error);
  if (rows == NULL)
    {
      g_warning ("Could not load page %u: %s", k, error ? error->message : "?");
      return NULL;
    }
  set_anchor (self, k, next);

  g_hash_table_insert (self->pages, GUINT_TO_POINTER (k), rows);
  g_queue_push_head (&self->lru, GUINT_TO_POINTER (k));
  while (g_queue_get_length (&self->lru) > self->max_pages)
    g_hash_table_remove (self->pages, g_queue_pop_tail (&self->lru));
  return rows;
}

/**
 * kehu_record_pager_get_item:
 *
 * Returns: (transfer full) (nullable): the record at @position, or %NULL
 *   past the end
 */
JsonObject *
kehu_record_pager_get_item (KehuRecordPager *self,
                            guint            position)
{
  guint k = position / self->page_size;
  guint i = position % self->page_size;
  JsonArray *rows;

  if (self->count >= 0 && position >= self->count)
    return NULL;

  rows = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (k));
  if (rows)
    {
      /* Most recently used first. */
      g_queue_remove (&self->lru, GUINT_TO_POINTER (k));
      g_queue_push_head (&self->lru, GUINT_TO_POINTER (k));
    }
  else if (!(rows = load_page (self, k)))
    return NULL;

  if (i >= json_array_get_length (rows))
    return NULL;
  return json_object_ref (json_array_get_object_element (rows, i));
}
