/* kehu-pinyin.h: Chinese text to toneless pinyin keys for search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  KEHU_PINYIN_DEFAULT = 0,
  /* The text is a person's name: its first character is read as a
   * surname (单 shan, 曾 zeng, 解 xie…) unless a word reading applies. */
  KEHU_PINYIN_NAME    = 1 << 0,
} KehuPinyinFlags;

GPtrArray *kehu_pinyin_units     (const char      *text,
                                  KehuPinyinFlags  flags,
                                  GArray          *from_han);
char      *kehu_pinyin_full      (const char      *text,
                                  KehuPinyinFlags  flags);
char      *kehu_pinyin_initials  (const char      *text,
                                  KehuPinyinFlags  flags);
gboolean   kehu_pinyin_has_han   (const char      *text);

G_END_DECLS
