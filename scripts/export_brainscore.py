#!/usr/bin/env python3
"""Export Brain-Score language's Pereira 2018 fMRI data for `llmloc extract` and `llmloc align --brainscore`.

Run it where the `brainscore_language` package is installed and its data can be downloaded:

    python3 scripts/export_brainscore.py OUT_DIR [--identifier Pereira2018.language]

For each experiment (243sentences, 384sentences) it selects that experiment's presentations and drops every neuroid
with a missing value, as the Pereira2018 benchmark does (`data.sel(experiment=...)`, then `data.dropna('neuroid')`),
and writes, rows in the assembly's order (the order Brain-Score's cross-validation splits):

    OUT_DIR/<identifier>.<experiment>.stimuli.csv     stimulus_id, passage, text, experiment
    OUT_DIR/<identifier>.<experiment>.responses.npy   float64 [stimuli x neuroids]: all subjects' voxels as columns
    OUT_DIR/<identifier>.<experiment>.columns.csv     column, neuroid_id, subject (+ voxel_num when the assembly has it)

and the same three files for all experiments together (OUT_DIR/<identifier>.stimuli.csv, ...): every neuroid as a
column, NaN where its subject did not do an experiment, and passages named <experiment>/<passage_label> so a context
never crosses experiments. `llmloc align --group-column experiment` drops the NaN columns per experiment, as the
benchmark does. docs/alignment.md shows the llmloc commands that score these files the Brain-Score way.

Only xarray and numpy operations are used, so the export also runs on a plain xarray.DataArray with the same
coordinates (the unit test builds one).
"""
import argparse
import csv
import os
import sys

import numpy as np

PRESENTATION_COLUMNS = ["stimulus_id", "passage", "text", "experiment"]


def _values(assembly, coord):
    return [str(v) for v in np.asarray(assembly[coord].values).tolist()]


def _write_csv(path, header, rows):
    with open(path + ".tmp", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    os.replace(path + ".tmp", path)


def _write(assembly, stem, passages):
    """stimuli, responses and column table of one presentation x neuroid assembly."""
    assembly = assembly.transpose("presentation", "neuroid")
    _write_csv(stem + ".stimuli.csv", PRESENTATION_COLUMNS,
               zip(_values(assembly, "stimulus_id"), passages, _values(assembly, "stimulus"), _values(assembly, "experiment")))
    np.save(stem + ".responses.tmp.npy", np.ascontiguousarray(assembly.values, dtype=np.float64))  # C order, as llmloc reads
    os.replace(stem + ".responses.tmp.npy", stem + ".responses.npy")
    neuroid_coords = ["neuroid_id", "subject"] + (["voxel_num"] if "voxel_num" in assembly.coords else [])
    columns = [_values(assembly, coord) for coord in neuroid_coords]
    _write_csv(stem + ".columns.csv", ["column"] + neuroid_coords,
               ([str(i)] + [values[i] for values in columns] for i in range(assembly.sizes["neuroid"])))
    return [stem + suffix for suffix in (".stimuli.csv", ".responses.npy", ".columns.csv")]


def export(assembly, out_dir, identifier="Pereira2018.language"):
    """Writes the per-experiment and combined files; returns the paths written."""
    os.makedirs(out_dir, exist_ok=True)
    experiment_of = np.asarray(assembly["experiment"].values)
    written = []
    for experiment in dict.fromkeys(experiment_of.tolist()):  # first-appearance order
        # The benchmark's selection: that experiment's presentations (assembly order), then dropna over neuroids.
        rows = np.flatnonzero(experiment_of == experiment)
        data = assembly.isel(presentation=rows).dropna("neuroid")
        written += _write(data, os.path.join(out_dir, f"{identifier}.{experiment}"), _values(data, "passage_label"))
    passages = [f"{e}/{p}" for e, p in zip(_values(assembly, "experiment"), _values(assembly, "passage_label"))]
    written += _write(assembly, os.path.join(out_dir, identifier), passages)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", help="folder for the exported files (created if missing)")
    parser.add_argument("--identifier", default="Pereira2018.language", help="Brain-Score data set (default: Pereira2018.language)")
    args = parser.parse_args(argv)
    try:
        from brainscore_language import load_dataset
    except ImportError:
        sys.exit("export_brainscore.py: error: the brainscore_language package is not installed; "
                 "install it (pip install git+https://github.com/brain-score/language) and run again")
    for path in export(load_dataset(args.identifier), args.out_dir, args.identifier):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
