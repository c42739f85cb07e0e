#!/bin/sh
# Fails when a translatable string of POTFILES.in has no translation in
# po/LANG.po, or has only a fuzzy one: every string must be translated in
# the change that adds it.
set -eu
top=$1
lang=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$top"
grep -v '^#' po/POTFILES.in | sed '/^$/d' > "$tmp/files"
# The desktop file and metainfo go through itstool rules in xgettext.
xgettext --files-from="$tmp/files" --from-code=UTF-8 \
  --add-comments=Translators --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
  --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
  --flag=g_strdup_printf:1:c-format --flag=g_set_error:4:c-format \
  --output="$tmp/kehu.pot" 2> "$tmp/xgettext.log" || { cat "$tmp/xgettext.log"; exit 1; }

msgmerge --quiet --no-fuzzy-matching "po/$lang.po" "$tmp/kehu.pot" -o "$tmp/merged.po"
untranslated=$(msgattrib --untranslated --no-obsolete "$tmp/merged.po" | grep -c '^msgid ' || true)
fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$tmp/merged.po" | grep -c '^msgid ' || true)
obsolete=$(msgattrib --only-obsolete "$tmp/merged.po" | grep -c '^#~ msgid ' || true)

# msgattrib prints the header entry too when anything is listed.
[ "$untranslated" -gt 0 ] && untranslated=$((untranslated - 1))
[ "$fuzzy" -gt 0 ] && fuzzy=$((fuzzy - 1)) || true

if [ "$untranslated" -ne 0 ] || [ "$fuzzy" -ne 0 ]; then
  echo "po/$lang.po: $untranslated untranslated, $fuzzy fuzzy:" >&2
  msgattrib --untranslated --no-obsolete "$tmp/merged.po" | grep -A1 '^msgid ' >&2 || true
  msgattrib --only-fuzzy --no-obsolete "$tmp/merged.po" | grep -A1 '^msgid ' >&2 || true
  exit 1
fi
echo "po/$lang.po: complete ($obsolete obsolete entries)"
