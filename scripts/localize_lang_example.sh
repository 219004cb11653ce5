#!/usr/bin/env bash
# The original's localize_lang_example.sh: the top 1% language-selective units of GPT-2 XL (last-token pooling).
# Extra arguments are passed on (e.g. --untrained, --device cpu, --cache-dir DIR, --stimuli-dir DIR).
# LLMLOC selects the executable: an installed tool (default `llmloc`) or e.g.
#   LLMLOC="dotnet run --project src/LlmLoc.Cli -c Release --"
set -euo pipefail
read -r -a llmloc <<< "${LLMLOC:-llmloc}"

"${llmloc[@]}" localize \
  --model-name "${MODEL_NAME:-gpt2-xl}" \
  --percentage "${PERCENTAGE:-1}" \
  --network language \
  --localize-range 100-100 \
  --pooling last-token \
  "$@"
