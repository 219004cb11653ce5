#!/usr/bin/env bash
# Localizes every model × network, skipping pairs whose mask is already cached (checked here, so the model is not
# even loaded), and stops at the first failure, naming the command that failed.
#
#   MODELS="gpt2 gpt2-medium" NETWORKS="language theory-of-mind" PERCENTAGE=1 bash scripts/sweep.sh [extra flags]
#
# Settings (environment): MODELS (default: gpt2 gpt2-medium gpt2-large gpt2-xl), NETWORKS (default: language
# theory-of-mind multiple-demand), PERCENTAGE (1), RANGE (100-100), POOLING (default: last-token for language,
# mean otherwise, as plot.py reads them), CACHE_DIR (default: $LOC_CACHE, else cache), UNTRAINED=1 (random weights).
# Extra arguments go to every localize run (e.g. --device cpu --stimuli-dir DIR). LLMLOC selects the executable.
set -euo pipefail
read -r -a llmloc <<< "${LLMLOC:-llmloc}"

read -r -a models <<< "${MODELS:-gpt2 gpt2-medium gpt2-large gpt2-xl}"
read -r -a networks <<< "${NETWORKS:-language theory-of-mind multiple-demand}"
percentage="${PERCENTAGE:-1}"
range="${RANGE:-100-100}"
cache_dir="${CACHE_DIR:-${LOC_CACHE:-cache}}"
pretrained=True
untrained_flag=()
if [[ "${UNTRAINED:-0}" == 1 ]]; then pretrained=False; untrained_flag=(--untrained); fi

# The cache name writes the percentage as Python's str(float): 1 -> 1.0, 0.5 -> 0.5.
perc="$percentage"
[[ "$perc" == *.* || "$perc" == *e* ]] || perc="$perc.0"

done_count=0; skipped=0
for model in "${models[@]}"; do
  for network in "${networks[@]}"; do
    pooling="${POOLING:-}"
    [[ -n "$pooling" ]] || { [[ "$network" == language ]] && pooling=last-token || pooling=mean; }
    mask="$cache_dir/${model##*/}_network=${network}_pooling=${pooling}_range=${range}_perc=${perc}_nunits=None_pretrained=${pretrained}.npy"
    if [[ -f "$mask" ]]; then
      echo "sweep: $model $network: cached ($mask), skipped"
      skipped=$((skipped + 1))
      continue
    fi
    cmd=("${llmloc[@]}" localize --model-name "$model" --network "$network" --pooling "$pooling"
         --localize-range "$range" --percentage "$percentage" --cache-dir "$cache_dir" "${untrained_flag[@]}" "$@")
    echo "sweep: $model $network: ${cmd[*]}"
    status=0
    "${cmd[@]}" || status=$?
    if (( status != 0 )); then
      echo "sweep: failed (exit $status): ${cmd[*]}" >&2
      echo "sweep: $done_count localized, $skipped cached before the failure; rerun to resume (finished masks are skipped)" >&2
      exit "$status"
    fi
    done_count=$((done_count + 1))
  done
done
echo "sweep: $done_count localized, $skipped already cached"
