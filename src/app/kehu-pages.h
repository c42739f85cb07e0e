/* kehu-pages.h: the modules of the sidebar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *id;
  const char *title;              /* translatable, N_() */
  const char *icon_name;
  guint       group;              /* rows of one group sit together */
  const char *empty_title;        /* translatable, N_() */
  const char *empty_description;  /* translatable, N_() */
} KehuPageInfo;

const KehuPageInfo *kehu_pages_get        (guint      *n_pages);
const KehuPageInfo *kehu_pages_lookup     (const char *id);

G_END_DECLS
