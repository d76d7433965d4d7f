#!/bin/bash
# Fails on a dependency cycle between packages (issue 20).
#
# $1: `bazel query --output=graph` of the deps of smpfuzz, the fuzzer main
# and the corpus test main (the genquery :package_graph), i.e. every
# non-test library. An edge //a:x -> //b:y is an edge between packages a
# and b; tsort fails on a loop. External repositories are left out.
# Tests may reach across packages either way (core's tests use
# schedulers); libraries may not.
set -u

# Package edges "a b" of a graph on stdin.
package_edges() {
  sed -n 's/^ *"\(\/\/[^"]*\)" -> "\(\/\/[^"]*\)"$/\1 \2/p' |
    awk '{ a = $1; b = $2; sub(/:.*/, "", a); sub(/:.*/, "", b);
           if (a != b) print a, b }' | sort -u
}

# Succeeds iff the graph on stdin has no cycle between packages.
acyclic() {
  local edges
  edges=$(package_edges)
  if ! printf '%s\n' "$edges" | tsort >/dev/null 2>"$TEST_TMPDIR/tsort.err"; then
    cat "$TEST_TMPDIR/tsort.err" >&2
    return 1
  fi
}

TEST_TMPDIR=${TEST_TMPDIR:-$(mktemp -d)}
graph=$1

# The check itself must see a cycle: fuzz -> repro -> fuzz, the one this
# test was written after.
cyclic='  "//fuzz:harness" -> "//repro:findings"
  "//repro:findings" -> "//core:trace"
  "//repro:cli" -> "//fuzz:input"'
if printf '%s\n' "$cyclic" | acyclic 2>/dev/null; then
  echo "FAIL: the check missed the cycle fuzz -> repro -> fuzz" >&2
  exit 1
fi
if [ "$(package_edges < "$graph" | wc -l)" -lt 10 ]; then
  echo "FAIL: $graph holds almost no package edges; is it a query graph?" >&2
  exit 1
fi

if ! acyclic < "$graph"; then
  echo "FAIL: the packages above depend on each other in a cycle" >&2
  echo "(package edges of the libraries:)" >&2
  package_edges < "$graph" >&2
  exit 1
fi
echo "PASS: $(package_edges < "$graph" | wc -l) package edges, no cycle"
