#!/bin/bash
# A bounded proof as a Slurm job array, for real: installs Debian's Slurm
# and MUNGE (apt-get, as tools/setup does), starts a one-node cluster of
# this machine (munged, slurmctld, slurmd on a private key, socket, ports
# and spool under a temporary folder; nothing of /etc is changed), submits
# demo/intr_masked's proof as an array of 4 (tools/cluster/
# slurm-proof.sbatch), merges it and checks the certificate against the
# unsharded run's; then loses a shard's result, lets `merge --missing` name
# it, resubmits only that one and merges again. Every daemon it started is
# stopped on the way out, whatever happens. Needs root (slurmd runs jobs
# as their user). Run by tools/test-scaling.
#   tools/cluster/slurm_test.sh [SMPFUZZ]   (default: bazel builds one)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
say() { echo "slurm_test: $*"; }
fail() { echo "slurm_test: FAIL: $*" >&2; exit 1; }

if [[ "$(id -u)" -ne 0 ]]; then
  fail "needs root: slurmd runs each job as its user"
fi
missing=()
for pkg in slurm-wlm munge; do
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)" == installed ]] ||
    missing+=("$pkg")
done
if [[ ${#missing[@]} -ne 0 ]]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >/dev/null || fail "apt-get update failed"
  apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
    fail "apt-get install ${missing[*]} failed"
fi

work="$(mktemp -d /tmp/smpfuzz-slurm.XXXXXX)"
pids=()
stop_daemons() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  pids=()
}
cleanup() {
  stop_daemons
  rm -rf "$work"
}
trap cleanup EXIT
# A daemon's pid from its pid file, once it has written it.
started() {
  local file="$1" name="$2"
  for _ in $(seq 100); do
    if [[ -s "$file" ]] && kill -0 "$(cat "$file")" 2>/dev/null; then
      pids+=("$(cat "$file")")
      return 0
    fi
    sleep 0.1
  done
  fail "$name did not start; its log: $(cat "$work/log/$name.log" 2>/dev/null | tail -5)"
}

smpfuzz="${1:-}"
if [[ -z "$smpfuzz" ]]; then
  (cd "$root" && bazel build //repro:smpfuzz >/dev/null 2>&1) || fail "bazel build //repro:smpfuzz failed"
  smpfuzz="$(cd "$root" && bazel info bazel-bin 2>/dev/null)/repro/smpfuzz"
fi
# One copy of the binary for every task, as on a cluster's shared disk.
mkdir -p "$work"/{munge,state,spool,log,proof}
cp "$smpfuzz" "$work/smpfuzz"
smpfuzz="$work/smpfuzz"

# MUNGE: a fresh key and a private socket.
chmod 700 "$work/munge"
head -c 1024 /dev/urandom > "$work/munge/munge.key"
chmod 400 "$work/munge/munge.key"
/usr/sbin/munged --force --key-file="$work/munge/munge.key" \
  --socket="$work/munge/munge.sock" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/log/munged.log" --seed-file="$work/munge/seed" ||
  fail "munged did not start: $(tail -3 "$work/log/munged.log" 2>/dev/null)"
started "$work/munge/munged.pid" munged

# Ports a default Slurm does not use, so an installed one is left alone.
node="$(hostname -s)"
cat > "$work/slurm.conf" <<CONF
ClusterName=smpfuzztest
SlurmctldHost=$node
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
NodeName=$node CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=10 State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
/usr/sbin/slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start: $(tail -5 "$work/log/slurmctld.log")"
started "$work/slurmctld.pid" slurmctld
/usr/sbin/slurmd -f "$SLURM_CONF" || fail "slurmd did not start: $(tail -5 "$work/log/slurmd.log")"
started "$work/slurmd.pid" slurmd
for _ in $(seq 100); do
  [[ "$(sinfo -h -o %t 2>/dev/null)" == idle ]] && break
  sleep 0.2
done
[[ "$(sinfo -h -o %t 2>/dev/null)" == idle ]] ||
  fail "the node is not idle: $(sinfo 2>&1; tail -5 "$work/log/slurmctld.log")"
say "one-node cluster up on $node (munged, slurmctld, slurmd: pids ${pids[*]})"

target=demo; variant=intr_masked; proof="$work/proof"
submit() {  # ARRAY: submits and waits for every task to end
  timeout 300 sbatch --wait --quiet --array="$1" --output="$work/log/task-%a.out" \
    "$root/tools/cluster/slurm-proof.sbatch" "$smpfuzz" "$proof" 4 "$target" "$variant" ||
    fail "array $1 did not succeed: $(cat "$work"/log/task-*.out 2>/dev/null | tail -5)"
}
submit 0-3
for i in 0 1 2 3; do
  [[ -f "$proof/shard-$i-of-4.result" ]] || fail "task $i left no result"
done

# The same search, unsharded, on this machine.
"$smpfuzz" run --target="$target" --variant="$variant" --scheduler=exhaustive \
  --no-save --result="$work/whole.result" > "$work/whole.log" || fail "the unsharded run failed"
whole="$(sed -n 's/^executions: //p' "$work/whole.result")"
bound="$(sed -n 's/^bound: //p' "$work/whole.result")"
merged="$("$smpfuzz" merge "$proof" --shards=4)" || fail "merge failed: $merged"
echo "$merged"
expected="$target/$variant: clean up to $bound: $whole executions in 4 shards"
grep -qF "$expected" <<< "$merged" || fail "merge does not say '$expected'"

# Resumption: a shard's result is lost; only it is resubmitted.
rm "$proof/shard-2-of-4.result"
todo="$("$smpfuzz" merge "$proof" --shards=4 --missing)"
[[ "$todo" == 2 ]] || fail "merge --missing said '$todo', not 2"
if "$smpfuzz" merge "$proof" --shards=4 > /dev/null 2>&1; then
  fail "merge accepted a missing shard"
fi
submit "$todo"
merged="$("$smpfuzz" merge "$proof" --shards=4)" || fail "merge after resubmitting failed"
grep -qF "$expected" <<< "$merged" || fail "after resubmitting shard 2, merge does not say '$expected'"

stop_daemons
if pgrep -f "$work" > /dev/null; then fail "a daemon of $work is still running"; fi
say "PASS: 4 Slurm tasks merged to the unsharded $whole executions; a lost shard resubmitted alone"
