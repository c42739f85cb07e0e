/* kehu-pinyin.c: Chinese text to toneless pinyin keys for search
 *
 * Each Han character is read with ICU's "Han-Latin" transliterator, one
 * character at a time, and the answer is cached for the life of the process
 * (per-character lookups are then an array read, fast enough to index a
 * million records). ICU gives one reading per character, the most frequent
 * one, which is wrong for some polyphonic characters, so three small tables
 * take precedence, in this order:
 *
 *  1. words: place names and common words of company names whose reading
 *     differs from the per-character one (银行 yinhang, 重庆 chongqing,
 *     厦门 xiamen, 音乐 yinyue, 长沙 changsha…), longest match first;
 *  2. surnames: with KEHU_PINYIN_NAME, the first character of the text is
 *     read as a surname (单 shan, 曾 zeng, 解 xie, 区 ou, 仇 qiu, 朴 piao,
 *     查 zha, 乐 yue, 重 chong…; 尉迟 yuchi, 长孙 zhangsun);
 *  3. characters: a few characters whose reading in names of companies
 *     and places differs from ICU's pick (长 chang, 都 du).
 *
 * ü is written "v", the way pinyin input methods type it (吕 lv, 女 nv).
 * Latin letters and digits are kept, lowercased (after NFKC, so full-width
 * ＡＢＣ is abc); everything else (punctuation, symbols, emoji) is dropped.
 *
 * Changing what these functions return changes the search index keys: the
 * search index stores no copy of its text, so such a change needs a
 * migration that calls kehu_search_rebuild() (see kehu-search.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-search"

#include "config.h"

#include <string.h>

#include <unicode/utrans.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "kehu-pinyin.h"

typedef struct
{
  const char *word;
  const char *syllables;   /* space-separated, one per character */
} WordReading;

typedef struct
{
  const char *chars;
  const char *syllables;
} SurnameReading;

static const WordReading words[] = {
  /* Places */
  { "长沙", "chang sha" }, { "长春", "chang chun" }, { "长治", "chang zhi" },
  { "长安", "chang an" }, { "长江", "chang jiang" }, { "长城", "chang cheng" },
  { "重庆", "chong qing" }, { "厦门", "xia men" }, { "蚌埠", "beng bu" },
  { "六安", "lu an" }, { "番禺", "pan yu" }, { "乐清", "yue qing" },
  { "乐山", "le shan" }, { "乐亭", "lao ting" }, { "单县", "shan xian" },
  { "东阿", "dong e" }, { "洞庭", "dong ting" }, { "大厦", "da sha" },
  { "西藏", "xi zang" }, { "亳州", "bo zhou" }, { "莘县", "shen xian" },
  { "铅山", "yan shan" }, { "黄陂", "huang pi" }, { "荥阳", "xing yang" },
  { "涡阳", "guo yang" }, { "浚县", "xun xian" }, { "会稽", "kuai ji" },
  { "枞阳", "zong yang" }, { "台州", "tai zhou" }, { "天台", "tian tai" },
  /* Words of company names and titles */
  { "银行", "yin hang" }, { "行业", "hang ye" }, { "商行", "shang hang" },
  { "车行", "che hang" }, { "琴行", "qin hang" }, { "同行", "tong hang" },
  { "排行", "pai hang" }, { "投行", "tou hang" }, { "央行", "yang hang" },
  { "支行", "zhi hang" }, { "分行", "fen hang" }, { "总行", "zong hang" },
  { "行情", "hang qing" }, { "行长", "hang zhang" }, { "车行道", "che xing dao" },
  { "董事长", "dong shi zhang" }, { "校长", "xiao zhang" }, { "院长", "yuan zhang" },
  { "厂长", "chang zhang" }, { "部长", "bu zhang" }, { "市长", "shi zhang" },
  { "县长", "xian zhang" }, { "局长", "ju zhang" }, { "科长", "ke zhang" },
  { "处长", "chu zhang" }, { "班长", "ban zhang" }, { "家长", "jia zhang" },
  { "成长", "cheng zhang" }, { "增长", "zeng zhang" }, { "生长", "sheng zhang" },
  { "会计", "kuai ji" }, { "音乐", "yin yue" }, { "乐器", "yue qi" },
  { "乐队", "yue dui" }, { "乐团", "yue tuan" }, { "声乐", "sheng yue" },
  { "器乐", "qi yue" }, { "快乐", "kuai le" }, { "重要", "zhong yao" },
  { "重工", "zhong gong" }, { "重型", "zhong xing" }, { "重新", "chong xin" },
  { "重复", "chong fu" }, { "重阳", "chong yang" }, { "重组", "chong zu" },
  { "解放", "jie fang" }, { "解决", "jie jue" }, { "区域", "qu yu" },
  { "查询", "cha xun" }, { "调查", "diao cha" }, { "检查", "jian cha" },
  { "单位", "dan wei" }, { "单元", "dan yuan" }, { "曾经", "ceng jing" },
  { "朴素", "pu su" }, { "仇恨", "chou hen" }, { "藏族", "zang zu" },
  { "宝藏", "bao zang" }, { "传记", "zhuan ji" }, { "都是", "dou shi" },
  { "还原", "huan yuan" }, { "归还", "gui huan" }, { "数据", "shu ju" },
  { "薄荷", "bo he" }, { "便宜", "pian yi" }, { "地质", "di zhi" },
  { "供应", "gong ying" }, { "应用", "ying yong" }, { "参与", "can yu" },
  { "人参", "ren shen" }, { "省长", "sheng zhang" }, { "长大", "zhang da" },
};

static const SurnameReading surnames[] = {
  /* Two-character surnames first: they win over their first character. */
  { "尉迟", "yu chi" }, { "万俟", "mo qi" }, { "长孙", "zhang sun" },
  { "单于", "chan yu" }, { "澹台", "tan tai" }, { "令狐", "ling hu" },
  { "单", "shan" }, { "曾", "zeng" }, { "解", "xie" }, { "区", "ou" },
  { "仇", "qiu" }, { "朴", "piao" }, { "查", "zha" }, { "乐", "yue" },
  { "重", "chong" }, { "盖", "ge" }, { "缪", "miao" }, { "翟", "zhai" },
  { "覃", "qin" }, { "秘", "bi" }, { "卜", "bu" }, { "召", "shao" },
  { "员", "yun" }, { "繁", "po" }, { "隗", "wei" }, { "种", "chong" },
  { "折", "she" }, { "句", "gou" }, { "黑", "he" }, { "能", "nai" },
  { "华", "hua" }, { "燕", "yan" }, { "牟", "mou" }, { "尉", "wei" },
  { "宁", "ning" }, { "过", "guo" }, { "洗", "xian" }, { "冼", "xian" },
  { "訾", "zi" }, { "厍", "she" }, { "阚", "kan" }, { "眭", "sui" },
  { "晟", "cheng" }, { "蕃", "pi" }, { "谌", "chen" }, { "都", "du" },
  { "长", "chang" }, { "沈", "shen" }, { "石", "shi" }, { "薄", "bo" },
  { "藏", "zang" }, { "蔺", "lin" }, { "郇", "xun" }, { "褚", "chu" },
};

/* Characters whose ICU reading is the rarer one in company and place names. */
static const char *
char_override (gunichar c)
{
  switch (c)
    {
    case 0x957F: /* 长 */ return "chang";
    case 0x90FD: /* 都 */ return "du";
    case 0x5395: /* 厦 */ return "sha";
    default:     return NULL;
    }
}

/* One transliterator per thread: UTransliterator is not thread-safe, and
 * opening one compiles its rules, which is far too slow to do per call. */
static void
close_transliterator (gpointer data)
{
  utrans_close (data);
}

static GPrivate thread_transliterator = G_PRIVATE_INIT (close_transliterator);

static UTransliterator *
get_transliterator (void)
{
  UTransliterator *trans = g_private_get (&thread_transliterator);

  if (trans == NULL)
    {
      UErrorCode status = U_ZERO_ERROR;
      UChar id[] = { 'H', 'a', 'n', '-', 'L', 'a', 't', 'i', 'n', 0 };

      trans = utrans_openU (id, -1, UTRANS_FORWARD, NULL, 0, NULL, &status);
      if (U_FAILURE (status))
        {
          g_critical ("Could not open the ICU Han-Latin transliterator: %s", u_errorName (status));
          return NULL;
        }
      g_private_set (&thread_transliterator, trans);
    }

  return trans;
}

/* ICU gives tone marks ("běi", "lǜ"): fold them to plain ASCII, ü to v. */
static char *
fold_syllable (const UChar *text,
               int32_t      len)
{
  GString *out = g_string_new (NULL);

  for (int32_t i = 0; i < len;)
    {
      UChar32 c;
      gunichar decomposed[4];
      gsize n;

      U16_NEXT (text, i, len, c);
      n = g_unichar_fully_decompose (g_unichar_tolower (c), FALSE, decomposed, G_N_ELEMENTS (decomposed));
      if (n == 0 || decomposed[0] > 0x7f || !g_ascii_isalpha (decomposed[0]))
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      if (decomposed[0] == 'u' && n > 1 && decomposed[1] == 0x0308)
        g_string_append_c (out, 'v');
      else
        g_string_append_c (out, decomposed[0]);
    }

  return g_string_free (out, out->len == 0);
}

static const char *
icu_syllable (gunichar c)
{
  UTransliterator *trans = get_transliterator ();
  UErrorCode status = U_ZERO_ERROR;
  UChar buf[32];
  int32_t len = 0;
  int32_t limit;
  g_autofree char *folded = NULL;

  if (trans == NULL)
    return NULL;

  U16_APPEND_UNSAFE (buf, len, c);
  limit = len;
  utrans_transUChars (trans, buf, &len, G_N_ELEMENTS (buf), 0, &limit, &status);
  if (U_FAILURE (status) || len <= 0 || len >= (int32_t) G_N_ELEMENTS (buf))
    return NULL;

  folded = fold_syllable (buf, len);
  return folded ? g_intern_string (folded) : NULL;
}

#define CACHE_FIRST 0x3400   /* CJK Extension A… */
#define CACHE_LAST  0x9FFF   /* …to the end of the Unified Ideographs */

/* Interned syllables; (gpointer) 1 marks a character ICU cannot read. */
static gpointer syllable_cache[CACHE_LAST - CACHE_FIRST + 1];

static gboolean
is_han (gunichar c)
{
  return g_unichar_get_script (c) == G_UNICODE_SCRIPT_HAN && g_unichar_isalpha (c);
}

static const char *
han_syllable (gunichar c)
{
  const char *syllable;
  gpointer cached;

  if ((syllable = char_override (c)) != NULL)
    return syllable;

  if (c < CACHE_FIRST || c > CACHE_LAST)
    return icu_syllable (c);

  cached = g_atomic_pointer_get (&syllable_cache[c - CACHE_FIRST]);
  if (cached == NULL)
    {
      syllable = icu_syllable (c);
      cached = syllable ? (gpointer) syllable : GINT_TO_POINTER (1);
      /* Interned strings never move: a race only writes the same value. */
      g_atomic_pointer_set (&syllable_cache[c - CACHE_FIRST], cached);
    }

  return cached == GINT_TO_POINTER (1) ? NULL : cached;
}

typedef struct
{
  GHashTable *words_by_first;   /* first character → GPtrArray of WordReading, longest first */
} Tables;

static int
compare_word_length (gconstpointer a,
                     gconstpointer b)
{
  const WordReading *wa = *(const WordReading **) a;
  const WordReading *wb = *(const WordReading **) b;

  return (int) g_utf8_strlen (wb->word, -1) - (int) g_utf8_strlen (wa->word, -1);
}

static const Tables *
get_tables (void)
{
  static Tables tables;
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      tables.words_by_first = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
      for (guint i = 0; i < G_N_ELEMENTS (words); i++)
        {
          gpointer key = GUINT_TO_POINTER (g_utf8_get_char (words[i].word));
          GPtrArray *list = g_hash_table_lookup (tables.words_by_first, key);

          if (list == NULL)
            {
              list = g_ptr_array_new ();
              g_hash_table_insert (tables.words_by_first, key, list);
            }
          g_ptr_array_add (list, (gpointer) &words[i]);
        }

      {
        GHashTableIter iter;
        gpointer value;

        g_hash_table_iter_init (&iter, tables.words_by_first);
        while (g_hash_table_iter_next (&iter, NULL, &value))
          g_ptr_array_sort (value, compare_word_length);
      }

      g_once_init_leave (&initialized, 1);
    }

  return &tables;
}

static void
add_unit (GPtrArray *units,
          GArray    *from_han,
          char      *unit,
          gboolean   han)
{
  g_ptr_array_add (units, unit);
  if (from_han != NULL)
    g_array_append_val (from_han, han);
}

/* Adds the syllables of a reading and returns how many characters it read. */
static guint
add_reading (GPtrArray  *units,
             GArray     *from_han,
             const char *syllables)
{
  g_auto(GStrv) parts = g_strsplit (syllables, " ", -1);
  guint n = 0;

  for (; parts[n] != NULL; n++)
    add_unit (units, from_han, g_strdup (parts[n]), TRUE);

  return n;
}

static const char *
match_word (const char *p)
{
  const Tables *tables = get_tables ();
  GPtrArray *list = g_hash_table_lookup (tables->words_by_first,
                                         GUINT_TO_POINTER (g_utf8_get_char (p)));

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      const WordReading *w = g_ptr_array_index (list, i);

      if (strncmp (p, w->word, strlen (w->word)) == 0)
        return w->syllables;
    }

  return NULL;
}

static const char *
match_surname (const char *p)
{
  for (guint i = 0; i < G_N_ELEMENTS (surnames); i++)
    if (strncmp (p, surnames[i].chars, strlen (surnames[i].chars)) == 0)
      return surnames[i].syllables;

  return NULL;
}

/**
 * kehu_pinyin_units:
 * @text: (nullable): UTF-8 text
 * @flags: how to read @text
 * @from_han: (nullable) (element-type gboolean): gets one value per unit,
 *   whether it is the syllable of a Han character
 *
 * Splits @text into search units: one toneless pinyin syllable per Han
 * character, and one lowercase unit per run of Latin letters and digits.
 * Other characters separate runs and are dropped.
 *
 * Returns: (transfer full) (element-type utf8): the units, maybe empty
 */
GPtrArray *
kehu_pinyin_units (const char      *text,
                   KehuPinyinFlags  flags,
                   GArray          *from_han)
{
  GPtrArray *units = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *norm = NULL;
  GString *run = g_string_new (NULL);
  gboolean first_han = TRUE;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    goto out;

  norm = g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);
  if (norm == NULL)
    goto out;

  for (const char *p = norm; *p;)
    {
      gunichar c = g_utf8_get_char (p);

      if (is_han (c))
        {
          const char *reading = NULL;
          guint n;

          if (run->len > 0)
            add_unit (units, from_han, g_strndup (run->str, run->len), FALSE);
          g_string_truncate (run, 0);

          reading = match_word (p);
          if (reading == NULL && first_han && (flags & KEHU_PINYIN_NAME) != 0)
            reading = match_surname (p);

          if (reading != NULL)
            {
              n = add_reading (units, from_han, reading);
              for (guint i = 0; i < n; i++)
                p = g_utf8_next_char (p);
            }
          else
            {
              const char *syllable = han_syllable (c);

              if (syllable != NULL)
                add_unit (units, from_han, g_strdup (syllable), TRUE);
              p = g_utf8_next_char (p);
            }
          first_han = FALSE;
          continue;
        }

      if (c < 0x80 && g_ascii_isalnum (c))
        g_string_append_c (run, g_ascii_tolower (c));
      else if (run->len > 0)
        {
          add_unit (units, from_han, g_strndup (run->str, run->len), FALSE);
          g_string_truncate (run, 0);
        }
      p = g_utf8_next_char (p);
    }

  if (run->len > 0)
    add_unit (units, from_han, g_strndup (run->str, run->len), FALSE);

out:
  g_string_free (run, TRUE);
  return units;
}

/**
 * kehu_pinyin_full:
 * @text: (nullable): UTF-8 text
 * @flags: how to read @text
 *
 * Returns: (transfer full): the full spelling, "北京大学" → "beijingdaxue"
 */
char *
kehu_pinyin_full (const char      *text,
                  KehuPinyinFlags  flags)
{
  g_autoptr(GPtrArray) units = kehu_pinyin_units (text, flags, NULL);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < units->len; i++)
    g_string_append (out, g_ptr_array_index (units, i));

  return g_string_free (out, FALSE);
}

/**
 * kehu_pinyin_initials:
 * @text: (nullable): UTF-8 text
 * @flags: how to read @text
 *
 * Han syllables give their first letter; runs of Latin letters and digits
 * are kept whole ("ABC科技2号" → "abckj2h").
 *
 * Returns: (transfer full): the initials, "北京大学" → "bjdx"
 */
char *
kehu_pinyin_initials (const char      *text,
                      KehuPinyinFlags  flags)
{
  g_autoptr(GArray) from_han = g_array_new (FALSE, FALSE, sizeof (gboolean));
  g_autoptr(GPtrArray) units = kehu_pinyin_units (text, flags, from_han);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < units->len; i++)
    {
      const char *unit = g_ptr_array_index (units, i);

      if (g_array_index (from_han, gboolean, i))
        g_string_append_c (out, unit[0]);
      else
        g_string_append (out, unit);
    }

  return g_string_free (out, FALSE);
}

/**
 * kehu_pinyin_has_han:
 * @text: (nullable): UTF-8 text
 *
 * Returns: whether @text holds a Han character, i.e. has pinyin keys
 */
gboolean
kehu_pinyin_has_han (const char *text)
{
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return FALSE;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (is_han (g_utf8_get_char (p)))
      return TRUE;

  return FALSE;
}
