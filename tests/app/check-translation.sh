#!/bin/sh
# Fails when po/zh_CN.po misses or fuzzes a string the sources have.
# Usage: check-translation.sh SOURCE_ROOT
set -eu
top=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$top"
xgettext --from-code=UTF-8 --add-comments=Translators --keyword=_ --keyword=N_ \
  --keyword=C_:1c,2 --keyword=NC_:1c,2 --package-name=beckon \
  -o "$tmp/beckon.pot" -f po/POTFILES
for lang in $(cat po/LINGUAS); do
  msgmerge --quiet --no-fuzzy-matching -o "$tmp/$lang.po" "po/$lang.po" "$tmp/beckon.pot"
  msgfmt -c -o /dev/null "$tmp/$lang.po"
  untranslated=$(msgattrib --untranslated --no-obsolete "$tmp/$lang.po" | grep -c '^msgid ' || true)
  fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$tmp/$lang.po" | grep -c '^msgid ' || true)
  # msgattrib prints the header entry too when anything is left.
  if [ "$untranslated" -gt 0 ] || [ "$fuzzy" -gt 0 ]; then
    echo "$lang: untranslated or fuzzy strings:" >&2
    msgattrib --untranslated --no-obsolete "$tmp/$lang.po" >&2
    exit 1
  fi
  echo "$lang: complete"
done
