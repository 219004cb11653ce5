#!/usr/bin/env bash
# Continues one prompt three times, as the original's generate_lesion script: with the language-selective units
# ablated, with as many random units outside them ablated (the control), and with the intact model.
# The language mask must be in the cache first:
#   llmloc localize --model-name "$MODEL_NAME" --percentage "$PERCENTAGE" --network language
# Extra arguments are passed to every run (e.g. --greedy, --cache-dir DIR, --device cpu, --seed 1).
# Set LLMLOC to the llmloc executable if it is not on PATH.
set -euo pipefail

MODEL_NAME="${MODEL_NAME:-gpt2-xl}"
PROMPT="${PROMPT:-The quick brown fox}"
PERCENTAGE="${PERCENTAGE:-1}"
read -r -a llmloc <<< "${LLMLOC:-llmloc}"  # may hold several words: LLMLOC="dotnet run --project src/LlmLoc.Cli --"

for network in language random none; do
  echo "== network=$network"
  "${llmloc[@]}" generate-lesion --model-name "$MODEL_NAME" --prompt "$PROMPT" --percentage "$PERCENTAGE" \
    --network "$network" "$@"
done
