#!/usr/bin/python3
"""Converts between ONNX backend-test layout (test_data_set_N/input_K.pb, output_K.pb, TensorProto)
and the .npy + JSON manifest layout that tools/oracle/ort_run.mjs reads and writes.

  tensorio.py pb2npy MODEL.onnx DATASET_DIR NPY_DIR   # input_K.pb -> NPY_DIR/input_K.npy + inputs.json
  tensorio.py npy2pb NPY_DIR DATASET_DIR              # NPY_DIR/outputs.json -> DATASET_DIR/output_K.pb

Graph inputs are numbered like `ipfs-accelerate run --input-dir`: the graph inputs that have no
initializer, in graph order. Run with /usr/bin/python3 (onnx + numpy)."""
import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def feed_inputs(model):
    """Names of the graph inputs without an initializer, in graph order (input_K.pb numbering)."""
    inits = {i.name for i in model.graph.initializer}
    return [i.name for i in model.graph.input if i.name not in inits]


def load_model_header(path):
    """The model without weight data (only the graph structure is needed here)."""
    return onnx.load(path, load_external_data=False)


def read_pb(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return t.name, numpy_helper.to_array(t)


def write_pb(path, name, arr):
    t = numpy_helper.from_array(np.ascontiguousarray(arr), name)
    with open(path, "wb") as f:
        f.write(t.SerializeToString())


def pb2npy(model_path, dataset_dir, npy_dir, model=None):
    model = model or load_model_header(model_path)
    os.makedirs(npy_dir, exist_ok=True)
    manifest = []
    for k, name in enumerate(feed_inputs(model)):
        src = os.path.join(dataset_dir, f"input_{k}.pb")
        if not os.path.exists(src):
            raise FileNotFoundError(f"{src} (graph input '{name}') is missing")
        _, arr = read_pb(src)
        if arr.dtype.kind in "OUS":
            raise ValueError(f"{src}: string tensors are not supported by the .npy interchange")
        np.save(os.path.join(npy_dir, f"input_{k}.npy"), np.ascontiguousarray(arr), allow_pickle=False)
        manifest.append({"name": name, "file": f"input_{k}.npy"})
    with open(os.path.join(npy_dir, "inputs.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


def read_npy_outputs(npy_dir):
    """[(name, array)] in graph output order, as written by ort_run.mjs."""
    with open(os.path.join(npy_dir, "outputs.json")) as f:
        manifest = json.load(f)
    return [(m["name"], np.load(os.path.join(npy_dir, m["file"]), allow_pickle=False)) for m in manifest]


def npy2pb(npy_dir, dataset_dir):
    os.makedirs(dataset_dir, exist_ok=True)
    outs = read_npy_outputs(npy_dir)
    for k, (name, arr) in enumerate(outs):
        write_pb(os.path.join(dataset_dir, f"output_{k}.pb"), name, arr)
    return outs


def main(argv):
    if len(argv) == 4 and argv[0] == "pb2npy":
        pb2npy(argv[1], argv[2], argv[3])
    elif len(argv) == 3 and argv[0] == "npy2pb":
        npy2pb(argv[1], argv[2])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
