/* kehu-test-ui.h: helpers for the widget tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Runs the main loop until nothing is pending and a few frames have passed. */
static inline void
kehu_test_ui_settle (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static inline const char *
kehu_test_ui_lang (void)
{
  const char *lang = g_getenv ("KEHU_TEST_LANG");
  return lang ? lang : "en";
}

/* Renders @widget as it is on screen to a PNG under
 * $KEHU_TEST_OUTPUT/screenshots/<lang>/<name>.png and returns the texture
 * for pixel checks. */
static inline GdkTexture *
kehu_test_ui_screenshot (GtkWidget  *widget,
                         const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  const char *out = g_getenv ("KEHU_TEST_OUTPUT");
  GskRenderer *renderer;
  GdkTexture *texture;
  int width = 0;
  int height = 0;

  /* A window that was just presented has no content to snapshot until its
   * first frame: give it up to two seconds. */
  for (guint tries = 0; tries < 40; tries++)
    {
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      if (gtk_widget_get_mapped (widget) && width > 0 && height > 0)
        {
          g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

          gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
          node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
          if (node != NULL)
            break;
        }
      kehu_test_ui_settle (50);
    }
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  dir = g_build_filename (out ? out : ".", "screenshots", kehu_test_ui_lang (), NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);

  return texture;
}

/* The number of distinct colours in a sample of the texture: a blank or
 * broken rendering has one or two. */
static inline guint
kehu_test_ui_count_colours (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guchar *data = g_malloc ((gsize) width * height * 4);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  gdk_texture_download (texture, data, (gsize) width * 4);
  for (int y = 0; y < height; y += 3)
    for (int x = 0; x < width; x += 3)
      {
        guint32 px;
        memcpy (&px, data + ((gsize) y * width + x) * 4, 4);
        g_hash_table_add (seen, GUINT_TO_POINTER (px | 1));
      }

  return g_hash_table_size (seen);
}

G_END_DECLS
