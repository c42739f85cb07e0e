/* kehu-pages.h: the modules of the sidebar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct _KehuPageInfo KehuPageInfo;

/* Makes the page of a module; NULL in the table means the module shows its
 * empty state (an AdwStatusPage with empty_title and empty_description). */
typedef GtkWidget *(*KehuPageCreateFunc) (const KehuPageInfo *info);

struct _KehuPageInfo
{
  const char *id;
  const char *title;              /* translatable, N_() */
  const char *icon_name;
  guint       group;              /* rows of one group sit together */
  const char *empty_title;        /* translatable, N_() */
  const char *empty_description;  /* translatable, N_() */
  KehuPageCreateFunc create;
};

GtkWidget          *kehu_pages_create     (const KehuPageInfo *info);

const KehuPageInfo *kehu_pages_get        (guint      *n_pages);
const KehuPageInfo *kehu_pages_lookup     (const char *id);

G_END_DECLS
