#!/usr/bin/env bash
# Runs a sweep on a real single-node Slurm cluster started in a temporary folder, and checks it against the same
# sweep run locally: 4 cells (tiny fixture GPT-2, language + multiple-demand × 1 % + 5 %), submitted with
# `llmloc sweep slurm --submit`, must all be done in `llmloc sweep status` and give byte-identical masks to
# `llmloc sweep run --local`.
#
#   sudo bash scripts/slurm-selftest.sh        # root: munged and slurmd run as root; installs slurm-wlm + munge when missing
#
# Settings (environment): LLMLOC (the llmloc command; default: builds src/LlmLoc.Cli in Release and runs its
# executable), LLMLOC_SHARED (default ../shared beside the repository: fixtures/models/gpt2 and stimuli),
# CONFIGURATION (Debug or Release, default Release: the build LLMLOC defaults to), SELFTEST_TIMEOUT (seconds to wait for the array, default 600), KEEP=1 keeps the temporary folder.
# Everything of the cluster (munge key and socket, slurm.conf, state, spool, pid and log files) lives in the
# temporary folder; the daemons are stopped by their PIDs on every exit path, and nothing is left running.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
say() { echo "slurm-selftest: $*"; }
fail() { echo "slurm-selftest: FAILED: $*" >&2; exit 1; }
start_time=$SECONDS

[[ $(id -u) == 0 ]] || fail "run as root (munged, slurmctld and slurmd run as root here): sudo bash $0"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq slurm-wlm munge >/dev/null; } || fail "apt-get install slurm-wlm munge failed"
fi

shared="$(cd "${LLMLOC_SHARED:-$repo/../shared}" 2>/dev/null && pwd)" || fail "shared folder ${LLMLOC_SHARED:-$repo/../shared} not found: set LLMLOC_SHARED"
model="$shared/fixtures/models/gpt2"; stimuli="$shared/stimuli"
[[ -f $model/config.json ]] || fail "fixture model $model not found: set LLMLOC_SHARED to the shared folder"
[[ -d $stimuli/language ]] || fail "stimuli $stimuli not found: set LLMLOC_SHARED to the shared folder"
if [[ -n ${LLMLOC:-} ]]; then
  read -r -a llmloc <<< "$LLMLOC"
else
  configuration="${CONFIGURATION:-Release}"
  say "building llmloc ($configuration)"
  dotnet build "$repo/src/LlmLoc.Cli" -c "$configuration" -v quiet -nologo >/dev/null || fail "dotnet build src/LlmLoc.Cli -c $configuration failed"
  llmloc=("$repo/src/LlmLoc.Cli/bin/$configuration/net10.0/linux-x64/llmloc")
fi

tmp="$(mktemp -d /tmp/llmloc-slurm-selftest.XXXXXX)"
chmod 755 "$tmp"
sweep="$tmp/sweep plans"   # the plans' folder has a space: each #SBATCH log path must stay one argument
pids=()     # daemons, in start order
job_id=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n $job_id ]] && squeue -h -j "$job_id" 2>/dev/null | grep -q .; then
    say "cancelling job $job_id"
    scancel "$job_id" 2>/dev/null || true
    for _ in $(seq 20); do squeue -h -j "$job_id" 2>/dev/null | grep -q . || break; sleep 1; done
  fi
  # Stop in reverse order (slurmd, slurmctld, munged), by PID: TERM, then KILL after 10 s.
  for (( i=${#pids[@]}-1; i>=0; i-- )); do
    local pid=${pids[i]}
    kill -0 "$pid" 2>/dev/null || continue
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && { say "pid $pid ignored TERM, killing"; kill -9 "$pid" 2>/dev/null || true; }
    wait "$pid" 2>/dev/null || true
  done
  if (( status != 0 )); then
    for log in "$tmp"/log/* "$sweep"/*.logs/*; do
      [[ -s $log ]] || continue
      echo "----- $log (last 15 lines)" >&2; tail -n 15 "$log" >&2
    done
  fi
  if [[ ${KEEP:-0} == 1 ]]; then say "kept $tmp"; else rm -rf "$tmp"; fi
  say "$( ((status == 0)) && echo passed || echo "failed (exit $status)" ) in $((SECONDS - start_time)) s"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every second until it succeeds.
wait_for() {
  local limit=$1 what=$2; shift 2
  for (( t=0; t<limit; t++ )); do alive; "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  fail "timed out after ${limit}s waiting for $what"
}
alive() { for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a daemon (pid $pid) exited; see $tmp/log"; done; }

mkdir -p "$tmp"/{munge,log,state,spool,run}
mkdir -p "$sweep"
# munge: our own key and socket (the system's /etc/munge is left alone).
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 700 "$tmp/munge"; chmod 400 "$tmp/munge/munge.key"
munged --foreground --force --socket="$tmp/munge/munge.socket" --key-file="$tmp/munge/munge.key" \
  --pid-file="$tmp/run/munged.pid" --log-file="$tmp/log/munged.log" --seed-file="$tmp/munge/munge.seed" \
  >"$tmp/log/munged.out" 2>&1 &
pids+=($!)
wait_for 20 "munged's socket" test -S "$tmp/munge/munge.socket"

host="$(hostname -s)"; cpus="$(nproc)"
port=$(( 20000 + RANDOM % 20000 ))
export SLURM_CONF="$tmp/slurm.conf"
cat > "$SLURM_CONF" <<EOF
ClusterName=llmloc-selftest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/run/slurmctld.pid
SlurmdPidFile=$tmp/run/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=selftest Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -i -f "$SLURM_CONF" >"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$tmp/log/slurmd.out" 2>&1 &
pids+=($!)
node_idle() { sinfo -h -N -o %t | grep -qx idle; }
wait_for 60 "the Slurm node to come up idle (sinfo)" node_idle
say "cluster up: $host, $cpus CPUs, port $port ($((SECONDS - start_time)) s)"

# Two plans of the same 4 cells, one cached by Slurm and one locally.
for where in slurm local; do
  cat > "$sweep/$where.toml" <<EOF
models = ["$model"]
networks = ["language", "multiple-demand"]
percentages = [1, 5]
device = "cpu"
stimuli_dir = "$stimuli"
cache_dir = "cache-$where"
EOF
  "${llmloc[@]}" sweep plan "$sweep/$where.toml" >/dev/null
done
cells=$(wc -l < "$sweep/slurm.plan.jsonl")
[[ $cells == 4 ]] || fail "the plan has $cells cells, expected 4"

job_id="$("${llmloc[@]}" sweep slurm "$sweep/slurm.plan.jsonl" --time 00:10:00 --max-parallel 2 --submit)"
[[ $job_id =~ ^[0-9]+$ ]] || fail "sweep slurm --submit printed '$job_id', not a job id"
say "submitted job array $job_id ($cells tasks)"

"${llmloc[@]}" sweep run "$sweep/local.plan.jsonl" --local -j 1 >/dev/null || fail "sweep run --local failed"
say "local run done ($((SECONDS - start_time)) s)"

array_finished() { ! squeue -h -j "$job_id" 2>/dev/null | grep -q .; }
wait_for "${SELFTEST_TIMEOUT:-600}" "job array $job_id to finish (squeue)" array_finished
say "job array finished ($((SECONDS - start_time)) s)"
outs=("$sweep"/slurm.plan.logs/"${job_id}"_*.out)
[[ ${#outs[@]} == 4 && -f ${outs[0]} ]] || fail "the array's task logs are not in $sweep/slurm.plan.logs (the #SBATCH --output path was split?)"

status="$("${llmloc[@]}" sweep status "$sweep/slurm.plan.jsonl")"
echo "$status"
grep -qx "sweep: 4 cells: 4 done, 0 failed, 0 invalid, 0 missing" <<<"$status" || fail "sweep status does not report all 4 cells done"
summary_rows=$(( $(wc -l < "$sweep/slurm.plan.summary.csv") - 1 ))
[[ $summary_rows == 4 ]] || fail "the summary CSV has $summary_rows rows, expected 4"
compared=0
for mask in "$sweep"/cache-local/*_range=*.npy; do
  other="$sweep/cache-slurm/$(basename "$mask")"
  cmp -s "$mask" "$other" || fail "$(basename "$mask") differs between sweep run --local and the Slurm array (or is missing)"
  compared=$((compared + 1))
done
[[ $compared == 4 ]] || fail "compared $compared masks, expected 4"
say "all 4 masks of the Slurm array equal those of sweep run --local"
