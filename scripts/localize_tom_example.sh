#!/usr/bin/env bash
# The theory-of-mind localizer (Saxe lab false-belief vs false-photograph stories), top 1% of GPT-2 XL's units.
# Mean pooling over the story's tokens, the pooling plot.py expects for non-language networks.
# Extra arguments are passed on; LLMLOC selects the executable (see localize_lang_example.sh).
set -euo pipefail
read -r -a llmloc <<< "${LLMLOC:-llmloc}"

"${llmloc[@]}" localize \
  --model-name "${MODEL_NAME:-gpt2-xl}" \
  --percentage "${PERCENTAGE:-1}" \
  --network theory-of-mind \
  --localize-range 100-100 \
  --pooling mean \
  "$@"
