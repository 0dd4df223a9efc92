# Writes a small ONNX model folder with external data (model.onnx + model.onnx.data + weights/w2.bin)
# for tests/store_oracle/model_from_store.sh and bench/store_model_load.sh: make_model.py OUT [N] [embedded]
# (embedded: all weights inside onnx/model.onnx, no external data).
import sys, os, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
out = sys.argv[1]; n = int(sys.argv[2]) if len(sys.argv) > 2 else 512
rng = np.random.default_rng(7)
W = rng.standard_normal((n, n)).astype(np.float32)
B = rng.standard_normal((n,)).astype(np.float32)
W2 = rng.standard_normal((n, 16)).astype(np.float32)
inits = [numpy_helper.from_array(W, "W"), numpy_helper.from_array(B, "B"), numpy_helper.from_array(W2, "W2")]
nodes = [helper.make_node("MatMul", ["x", "W"], ["h"]), helper.make_node("Add", ["h", "B"], ["h2"]),
         helper.make_node("Relu", ["h2"], ["h3"]), helper.make_node("MatMul", ["h3", "W2"], ["y"])]
g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", n])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 16])], inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
os.makedirs(os.path.join(out, "onnx", "weights"), exist_ok=True)
if len(sys.argv) > 3 and sys.argv[3] == "embedded":
    onnx.save_model(m, os.path.join(out, "onnx", "model.onnx"))
    sys.exit(0)
# W and B in model.onnx.data next to the model, W2 in a sub-directory
from onnx.external_data_helper import set_external_data
off = 0
with open(os.path.join(out, "onnx", "model.onnx.data"), "wb") as f:
    for t in m.graph.initializer[:2]:
        raw = t.raw_data; pad = (-off) % 64; f.write(b"\0" * pad); off += pad
        set_external_data(t, "model.onnx.data", offset=off, length=len(raw)); f.write(raw); off += len(raw)
        t.ClearField("raw_data"); t.data_location = TensorProto.EXTERNAL
t = m.graph.initializer[2]
with open(os.path.join(out, "onnx", "weights", "w2.bin"), "wb") as f: f.write(t.raw_data)
set_external_data(t, "./weights/w2.bin"); t.ClearField("raw_data"); t.data_location = TensorProto.EXTERNAL
onnx.save_model(m, os.path.join(out, "onnx", "model.onnx"))
with open(os.path.join(out, "README"), "w") as f: f.write("test model\n")
