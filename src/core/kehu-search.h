/* kehu-search.h: quick search over the FTS5 indexes of migration 4
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_SEARCH_ERROR (kehu_search_error_quark ())

typedef enum
{
  KEHU_SEARCH_ERROR_UNKNOWN_MODULE,
  KEHU_SEARCH_ERROR_FAILED,
} KehuSearchError;

typedef struct
{
  char *module;     /* "customers", "contacts"… */
  char *id;
  char *title;
  char *subtitle;   /* maybe "" */
} KehuSearchHit;

GQuark          kehu_search_error_quark              (void);

int             kehu_search_register_functions       (sqlite3      *db);

gboolean        kehu_search_is_module_searchable     (const char   *module);
const char    **kehu_search_get_modules              (void);

char           *kehu_search_build_match              (const char   *query);
gboolean        kehu_search_condition                (const char   *module,
                                                      const char   *query,
                                                      const char   *rowid_column,
                                                      char        **sql,
                                                      GStrv        *params,
                                                      GError      **error);

GPtrArray      *kehu_search_global                   (KehuStore    *store,
                                                      const char   *query,
                                                      guint         limit_per_module,
                                                      GError      **error);
gboolean        kehu_search_rebuild                  (KehuStore    *store,
                                                      GError      **error);

void            kehu_search_hit_free                 (KehuSearchHit *hit);

/* What the index holds; exposed for tests and the SQL functions. */
char           *kehu_search_words_text               (const char * const *values,
                                                      guint               n_values);
char           *kehu_search_codes_text               (const char * const *values,
                                                      guint               n_values);
char           *kehu_search_pinyin_text              (const char * const *values,
                                                      guint               n_values);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KehuSearchHit, kehu_search_hit_free)

G_END_DECLS
