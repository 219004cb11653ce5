#!/usr/bin/env bash
# Localizes every model × network on this machine: writes a sweep grid from the settings below, plans it and runs it
# with `llmloc sweep run --local` (cells already cached are skipped, so an interrupted sweep resumes where it
# stopped; failed cells do not stop the others and are listed by `llmloc sweep status`). See docs/sweep.md.
#
#   MODELS="gpt2 gpt2-medium" NETWORKS="language theory-of-mind" PERCENTAGE=1 bash scripts/sweep.sh [flags]
#
# Settings (environment): MODELS (default: gpt2 gpt2-medium gpt2-large gpt2-xl), NETWORKS (default: language
# theory-of-mind multiple-demand), PERCENTAGE (1), RANGE (100-100), POOLING (default: last-token for language,
# mean otherwise, as plot.py reads them), CACHE_DIR (default: $LOC_CACHE, else cache), UNTRAINED=1 (random weights),
# SWEEP_DIR (where the grid, plan, logs and error records go; default: sweep), JOBS (processes at once, default 1).
# Flags: --device D, --stimuli-dir DIR, --batch-size N, --offline (as localize's). LLMLOC selects the executable.
set -euo pipefail
read -r -a llmloc <<< "${LLMLOC:-llmloc}"

read -r -a models <<< "${MODELS:-gpt2 gpt2-medium gpt2-large gpt2-xl}"
read -r -a networks <<< "${NETWORKS:-language theory-of-mind multiple-demand}"
sweep_dir="${SWEEP_DIR:-sweep}"

# TOML strings: backslashes and quotes escaped.
toml_string() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }
toml_list() { local out="" item; for item in "$@"; do out+="${out:+, }$(toml_string "$item")"; done; printf '[%s]' "$out"; }

settings=()
while (( $# )); do
  case "$1" in
    --device) settings+=("device = $(toml_string "$2")"); shift 2 ;;
    --stimuli-dir) settings+=("stimuli_dir = $(toml_string "$(realpath -m "$2")")"); shift 2 ;;
    --batch-size) settings+=("batch_size = $2"); shift 2 ;;
    --offline) settings+=("offline = true"); shift ;;
    *) echo "sweep: unknown flag '$1': use --device, --stimuli-dir, --batch-size or --offline (other settings: see the top of $0)" >&2; exit 1 ;;
  esac
done

mkdir -p "$sweep_dir"
grid="$sweep_dir/grid.toml"
{
  echo "# written by scripts/sweep.sh"
  echo "models = $(toml_list "${models[@]}")"
  echo "networks = $(toml_list "${networks[@]}")"
  [[ -n ${POOLING:-} ]] && echo "poolings = $(toml_list "$POOLING")"
  echo "percentages = [${PERCENTAGE:-1}]"
  echo "ranges = $(toml_list "${RANGE:-100-100}")"
  echo "untrained = $([[ ${UNTRAINED:-0} == 1 ]] && echo true || echo false)"
  echo "cache_dir = $(toml_string "$(realpath -m "${CACHE_DIR:-${LOC_CACHE:-cache}}")")"
  printf '%s\n' "${settings[@]}"
} > "$grid"

"${llmloc[@]}" sweep plan "$grid"
"${llmloc[@]}" sweep run "$sweep_dir/grid.plan.jsonl" --local -j "${JOBS:-1}"
