/* test-pinyin.c: pinyin keys of Chinese text, checked by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-pinyin.h"

typedef struct
{
  const char      *text;
  KehuPinyinFlags  flags;
  const char      *full;
  const char      *initials;
} Case;

static const Case cases[] = {
  { "北京大学", KEHU_PINYIN_DEFAULT, "beijingdaxue", "bjdx" },
  { "南京大学", KEHU_PINYIN_DEFAULT, "nanjingdaxue", "njdx" },
  { "重庆", KEHU_PINYIN_DEFAULT, "chongqing", "cq" },
  { "重庆", KEHU_PINYIN_NAME, "chongqing", "cq" },
  { "重要客户", KEHU_PINYIN_DEFAULT, "zhongyaokehu", "zykh" },
  { "长沙银行", KEHU_PINYIN_DEFAULT, "changshayinhang", "csyh" },
  { "招商银行深圳分行", KEHU_PINYIN_DEFAULT, "zhaoshangyinhangshenzhenfenhang", "zsyhszfh" },
  { "厦门大学", KEHU_PINYIN_DEFAULT, "xiamendaxue", "xmdx" },
  { "成都音乐学院", KEHU_PINYIN_DEFAULT, "chengduyinyuexueyuan", "cdyyxy" },
  { "董事长", KEHU_PINYIN_DEFAULT, "dongshizhang", "dsz" },
  { "吕布", KEHU_PINYIN_DEFAULT, "lvbu", "lb" },
  /* Surnames ICU reads wrong when it does not know the text is a name. */
  { "单雄信", KEHU_PINYIN_NAME, "shanxiongxin", "sxx" },
  { "单雄信", KEHU_PINYIN_DEFAULT, "danxiongxin", "dxx" },
  { "曾国藩", KEHU_PINYIN_NAME, "zengguofan", "zgf" },
  { "解缙", KEHU_PINYIN_NAME, "xiejin", "xj" },
  { "区志明", KEHU_PINYIN_NAME, "ouzhiming", "ozm" },
  { "仇英", KEHU_PINYIN_NAME, "qiuying", "qy" },
  { "朴智星", KEHU_PINYIN_NAME, "piaozhixing", "pzx" },
  { "查良镛", KEHU_PINYIN_NAME, "zhaliangyong", "zly" },
  { "乐嘉", KEHU_PINYIN_NAME, "yuejia", "yj" },
  { "重阳子", KEHU_PINYIN_DEFAULT, "chongyangzi", "cyz" },
  { "尉迟恭", KEHU_PINYIN_NAME, "yuchigong", "ycg" },
  { "翟志刚", KEHU_PINYIN_NAME, "zhaizhigang", "zzg" },
  /* A word reading beats the surname rule: a place, not a person. */
  { "乐山", KEHU_PINYIN_NAME, "leshan", "ls" },
  /* Only the first character is a surname. */
  { "王单", KEHU_PINYIN_NAME, "wangdan", "wd" },
  /* Mixed text: Latin and digits kept (lowercased), punctuation dropped. */
  { "ABC科技2号", KEHU_PINYIN_DEFAULT, "abckeji2hao", "abckj2h" },
  { "IBM（中国）有限公司", KEHU_PINYIN_DEFAULT, "ibmzhongguoyouxiangongsi", "ibmzgyxgs" },
  { "ＡＢＣ－１２３", KEHU_PINYIN_DEFAULT, "abc123", "abc123" },
  { "  Hello, World! ", KEHU_PINYIN_DEFAULT, "helloworld", "helloworld" },
  { "😀北京🎉", KEHU_PINYIN_DEFAULT, "beijing", "bj" },
  { "", KEHU_PINYIN_DEFAULT, "", "" },
  { "!!!—…", KEHU_PINYIN_DEFAULT, "", "" },
};

static void
test_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *full = kehu_pinyin_full (cases[i].text, cases[i].flags);
      g_autofree char *initials = kehu_pinyin_initials (cases[i].text, cases[i].flags);

      g_test_message ("%s (flags %d)", cases[i].text, cases[i].flags);
      g_assert_cmpstr (full, ==, cases[i].full);
      g_assert_cmpstr (initials, ==, cases[i].initials);
    }
}

static void
test_units (void)
{
  g_autoptr(GArray) from_han = g_array_new (FALSE, FALSE, sizeof (gboolean));
  g_autoptr(GPtrArray) units = kehu_pinyin_units ("IBM中国 x2", KEHU_PINYIN_DEFAULT, from_han);
  const char *expected[] = { "ibm", "zhong", "guo", "x2" };
  const gboolean expected_han[] = { FALSE, TRUE, TRUE, FALSE };

  g_assert_cmpuint (units->len, ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (from_han->len, ==, units->len);
  for (guint i = 0; i < units->len; i++)
    {
      g_assert_cmpstr (g_ptr_array_index (units, i), ==, expected[i]);
      g_assert_cmpint (g_array_index (from_han, gboolean, i), ==, expected_han[i]);
    }
}

static void
test_bad_input (void)
{
  g_autofree char *null_full = kehu_pinyin_full (NULL, KEHU_PINYIN_DEFAULT);
  g_autofree char *invalid_full = kehu_pinyin_full ("北京\xff\xfe", KEHU_PINYIN_DEFAULT);
  g_autofree char *invalid_initials = kehu_pinyin_initials ("\xc3", KEHU_PINYIN_NAME);

  g_assert_cmpstr (null_full, ==, "");
  g_assert_cmpstr (invalid_full, ==, "");
  g_assert_cmpstr (invalid_initials, ==, "");
  g_assert_true (kehu_pinyin_has_han ("abc北"));
  g_assert_false (kehu_pinyin_has_han ("abc 123 😀"));
  g_assert_false (kehu_pinyin_has_han (NULL));
}

/* Every thread opens its own transliterator and shares the cache. */
static gpointer
thread_func (gpointer data)
{
  const char *text = data;
  char *last = NULL;

  for (int i = 0; i < 200; i++)
    {
      g_free (last);
      last = kehu_pinyin_full (text, KEHU_PINYIN_DEFAULT);
    }

  return last;
}

static void
test_threads (void)
{
  /* Characters no other test reads, so the threads fill the cache. */
  const char *text = "鹦鹉螺蝴蝶蜻蜓蚂蚁";
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("pinyin", thread_func, (gpointer) text);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_autofree char *result = g_thread_join (threads[i]);
      g_assert_cmpstr (result, ==, "yingwuluohudieqingtingmayi");
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pinyin/table", test_table);
  g_test_add_func ("/pinyin/units", test_units);
  g_test_add_func ("/pinyin/bad-input", test_bad_input);
  g_test_add_func ("/pinyin/threads", test_threads);

  return g_test_run ();
}
