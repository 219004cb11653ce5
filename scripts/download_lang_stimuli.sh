#!/usr/bin/env bash
# Downloads the EvLab language localizer (Fedorenko et al. 2010) into ${1:-stimuli}/language, as the original
# llm-localization script does: fetch the shared Dropbox folder as data.zip, unzip it, then delete everything but
# the stimulus CSVs (MATLAB files, images, archived versions, data/).
# Override the source with LLMLOC_LANG_STIMULI_URL (a mirror, or a local server in tests).
set -euo pipefail

root="${1:-stimuli}"
url="${LLMLOC_LANG_STIMULI_URL:-https://www.dropbox.com/sh/c9jhmsy4l9ly2xx/AACQ41zipSZFj9mFbDfJJ9c4a?dl=1}"
shown_url="$(sed -E 's#://[^/@[:space:]]+@#://***@#' <<<"$url")"   # messages never show a URL's user:password
dest="$root/language"

fetch() { # fetch URL FILE: curl if present, else wget; fail on HTTP errors
  if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 2 -o "$2" "$1"
  else wget -q -O "$2" "$1"; fi
}

mkdir -p "$dest"
if ! fetch "$url" "$dest/data.zip"; then
  rm -f "$dest/data.zip"
  echo "error: could not download the language stimuli from $shown_url; put the CSVs in $dest by hand" >&2
  exit 3
fi
# unzip exits 1 for warnings only (Dropbox zips can trigger some); 2 and above are errors.
unzip -o -q "$dest/data.zip" -d "$dest" || [ $? -eq 1 ]

# Keep what the original keeps: remove the archive and the non-stimulus files.
rm -f "$dest"/*.zip "$dest"/*.mat "$dest"/*.m "$dest"/*.jpeg
rm -rf "$dest/archive_previous_langloc_versions" "$dest/data"

count="$(find "$dest" -maxdepth 1 -type f -name '*.csv' | wc -l)"
if [ "$count" -eq 0 ]; then
  echo "error: $shown_url held no CSV files; put the CSVs in $dest by hand" >&2
  exit 3
fi
echo "language stimuli: $count CSV files in $dest"
