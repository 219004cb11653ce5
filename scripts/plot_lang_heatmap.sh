#!/usr/bin/env bash
# The original's plot_lang_heatmap.sh: share of language-selective units per layer of GPT-2 XL (PNG + SVG in the
# cache folder). Run localize_lang_example.sh first. Extra arguments are passed on (e.g. --cache-dir, --output).
# LLMLOC selects the executable (see localize_lang_example.sh).
set -euo pipefail
read -r -a llmloc <<< "${LLMLOC:-llmloc}"

"${llmloc[@]}" plot \
  --model-name "${MODEL_NAME:-gpt2-xl}" \
  --percentage "${PERCENTAGE:-1}" \
  --network language \
  "$@"
