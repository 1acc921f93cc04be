#!/bin/sh
# scripts/lint.sh FILES... - clang-format check and cppcheck; prints what is wrong, exits 1 if anything is.
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh" lint
bad=0
for f in "$@"; do
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
        echo "lint: $f is not clang-formatted (make format fixes it)"
        bad=1
    fi
done
cppcheck --quiet --enable=warning,style,performance,portability --std=c11 -I. \
    --suppress=missingIncludeSystem --suppress=missingInclude --inline-suppr -U__ASSEMBLY__ \
    --error-exitcode=1 "$@" || bad=1
[ $bad -eq 0 ] && echo "lint: clean ($# files)"
exit $bad
