#!/usr/bin/env bash
# Downloads the Saxe lab false-belief localizer (tomloc.zip) into ${1:-stimuli}/tom, unzips it and keeps only the
# stories and questions, flat in ${1:-stimuli}/tom/tomloc/{1..10}{b,p}_{story,question}.txt (the layout the
# original's TOMLocDataset reads); the MATLAB code and everything else in the archive is dropped.
# Override the source with LLMLOC_TOM_STIMULI_URL (a mirror, or a local server in tests).
set -euo pipefail

root="${1:-stimuli}"
url="${LLMLOC_TOM_STIMULI_URL:-https://saxelab.mit.edu/tomloc.zip}"
shown_url="$(sed -E 's#://[^/@[:space:]]+@#://***@#' <<<"$url")"   # messages never show a URL's user:password
dest="$root/tom"

fetch() { # fetch URL FILE: curl if present, else wget; fail on HTTP errors
  if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 2 -o "$2" "$1"
  else wget -q -O "$2" "$1"; fi
}

mkdir -p "$dest"
if ! fetch "$url" "$dest/tomloc.zip"; then
  rm -f "$dest/tomloc.zip"
  echo "error: could not download the theory-of-mind stimuli from $shown_url; put the texts in $dest/tomloc by hand" >&2
  exit 3
fi

unpacked="$(mktemp -d "$dest/.tomloc-unzip.XXXXXX")"
trap 'rm -rf "$unpacked"' EXIT
unzip -o -q "$dest/tomloc.zip" -d "$unpacked" || [ $? -eq 1 ]

# The texts may sit anywhere in the archive (tomloc/, tomloc/stimuli/): move them up, skip macOS metadata.
mkdir -p "$dest/tomloc"
find "$unpacked" -path '*/__MACOSX' -prune -o -type f -regextype posix-extended \
  -regex '.*/[0-9]+[bp]_(story|question)\.txt' -exec mv -f {} "$dest/tomloc/" \;
rm -f "$dest/tomloc.zip"

count="$(find "$dest/tomloc" -maxdepth 1 -type f -name '*_story.txt' | wc -l)"
if [ "$count" -eq 0 ]; then
  echo "error: $shown_url held no {n}{b,p}_story.txt files; put the texts in $dest/tomloc by hand" >&2
  exit 3
fi
echo "theory-of-mind stimuli: $count stories in $dest/tomloc"
