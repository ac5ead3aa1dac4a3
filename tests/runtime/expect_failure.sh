#!/usr/bin/env bash
# expect_failure.sh PATTERN COMMAND...: COMMAND must fail (exit status != 0,
# no crash) and print a line matching the grep pattern PATTERN.
pattern=$1
shift
out=$("$@" 2>&1)
rc=$?
echo "$out"
if [[ $rc -eq 0 || $rc -ge 128 ]]; then
  echo "expected a clean failure, got exit status $rc"; exit 1
fi
grep -q -- "$pattern" <<<"$out" || { echo "no line matches: $pattern"; exit 1; }
