#!/bin/bash
# Tests smp_pass.so: instrumentation and naming on testdata/shared.c at -O0
# and -O2 against a fake runtime, and every refused construct.
# Usage: pass_test.sh path/to/smp_pass.so
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 path/to/smp_pass.so" >&2
  exit 2
fi
plugin="$(realpath "$1")"
testdata="$(cd "$(dirname "$0")" && pwd)/testdata"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
# Compile from inside the work dir so the sites' file names are "shared.c".
cp "${testdata}"/*.c "${testdata}"/*.expected "${work}/"
cd "${work}"

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# The uninstrumented build gives the reference checksum.
clang-14 -O2 -o plain shared.c
want="$(./plain)"
clang-14 -O0 -c fake_runtime.c -o fake_runtime.o

for opt in -O0 -O2; do
  name="shared${opt}"
  if ! clang-14 -fpass-plugin="${plugin}" -g "${opt}" -ffreestanding \
      -c shared.c -o "${name}.o" 2> "${name}.err"; then
    cat "${name}.err"
    fail "${name}: compile"
    continue
  fi
  clang-14 "${name}.o" fake_runtime.o -o "${name}"
  ./"${name}" > "${name}.out"
  if [[ "$(grep '^checksum' "${name}.out")" == "${want}" ]]; then
    pass "${name}: checksum equals the uninstrumented build (${want})"
  else
    fail "${name}: checksum $(grep '^checksum' "${name}.out") != ${want}"
  fi
  # The whole trace is deterministic: every access, in order, with its
  # size, site, name, volatility and ordering.
  if diff -u shared.expected "${name}.out"; then
    pass "${name}: trace matches shared.expected"
  else
    fail "${name}: trace differs from shared.expected"
  fi
  # Spot checks that say what the golden file is for.
  for line in \
      'global counter 4 shared.c:20' \
      'global g_sc 40 shared.c:21' \
      'smp store 4 shared.c:53 counter' \
      'smp store 4 shared.c:54 g_sc.sc_txpending' \
      'smp load 4 shared.c:29 sc->sc_txpending' \
      'smp store 4 shared.c:30 sc->sc_csr volatile' \
      'smp store 2 shared.c:31 sc->sc_rx[].status' \
      'smp load 4 shared.c:32 sc->sc_next->sc_flags' \
      'smp store 8 shared.c:50 ring[]' \
      'smp load 2 shared.c:67 g_sc.sc_rx[3].status' \
      'smp memset 40 shared.c:47 g_sc' \
      'smp memcpy 4 shared.c:62 g_sc.sc_rx[1]' \
      'smp atomic_rmw 4 shared.c:56 counter' \
      'smp atomic_cas 4 shared.c:37 *p' \
      'smp atomic_load 4 shared.c:60 lock_word' \
      'smp fence 0 shared.c:57 -'; do
    if grep -qxF -- "${line}" "${name}.out"; then
      pass "${name}: has '${line}'"
    else
      fail "${name}: missing '${line}'"
    fi
  done
  # Locals (local, i, copy, expected) and the constant table stay plain.
  if grep -E '^smp .* (local|i|copy|expected|table(\[.*)?)( volatile)?$' \
      "${name}.out"; then
    fail "${name}: a local or constant access was instrumented"
  else
    pass "${name}: locals and constants are not instrumented"
  fi
  if grep -q '^global table' "${name}.out"; then
    fail "${name}: constant global registered"
  else
    pass "${name}: constant global not registered"
  fi
done

# Each refused construct: the compile fails, naming file:line and the way out.
check_refused() {
  local file="$1" message="$2" opt="$3"
  local line
  line="$(grep -n 'EXPECT-ERROR' "${file}" | cut -d: -f1)"
  if clang-14 -fpass-plugin="${plugin}" -g "${opt}" -ffreestanding \
      -c "${file}" -o /dev/null 2> "${file}${opt}.err"; then
    fail "${file} ${opt}: compiled, but must be refused"
    return
  fi
  if grep -q "${file}:${line}:.*error: .*${message}" "${file}${opt}.err" ||
     grep -q "error: ${file}:${line}: .*${message}" "${file}${opt}.err"; then
    pass "${file} ${opt}: refused at line ${line}"
  else
    cat "${file}${opt}.err"
    fail "${file} ${opt}: no '${file}:${line}' error with '${message}'"
  fi
  if [[ "$(grep -c 'error:' "${file}${opt}.err")" -ne 1 ]]; then
    cat "${file}${opt}.err"
    fail "${file} ${opt}: expected exactly one error"
  fi
}

asm_msg='inline assembly that touches memory is not visible to smpfuzz; use atomic_ops(3) / membar_ops(3)'
for opt in -O0 -O2; do
  check_refused refuse_asm.c "${asm_msg}" "${opt}"
  check_refused refuse_asm_clobber.c "${asm_msg}" "${opt}"
  check_refused refuse_tls.c \
      "thread_local is not supported in target code: per-CPU data lives in struct cpu_info (curcpu())" \
      "${opt}"
  check_refused refuse_pthread.c \
      "real threads are not available: use kthread_create" "${opt}"
  check_refused refuse_setjmp.c \
      "setjmp/longjmp cannot cross a scheduling point: restructure with return codes" \
      "${opt}"
  check_refused refuse_longjmp.c \
      "setjmp/longjmp cannot cross a scheduling point: restructure with return codes" \
      "${opt}"
  check_refused refuse_type.c \
      "smpfuzz cannot instrument an access of type 'i128'" "${opt}"
done

echo "${passed} passed, ${failed} failed"
[[ "${failed}" -eq 0 ]]
