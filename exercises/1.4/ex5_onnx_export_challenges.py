"""Exercise 1.4.5 (quiz): what makes PyTorch -> ONNX export hard.

ONNX is a portable graph format: a model exported once runs in ONNX Runtime, TensorRT and other
runtimes. Export has to turn Python code into a static graph, and that is where things go wrong. Try the
first two questions yourself: ``torch.jit.trace`` is what the TorchScript ONNX exporter runs, and
``torch.export.export`` is what the newer exporter (``torch.onnx.export(..., dynamo=True)``) builds on;
neither needs the onnx package. Replace each ``None`` below with your answer, in the form given; letters
and words are not case-sensitive.

The model for TRACED_BRANCH and EXPORT_BRANCH:

    class M(torch.nn.Module):
        def forward(self, x):
            if x.sum() > 0:
                return x * 2
            return x - 1

TRACED_BRANCH: ``torch.onnx.export(M(), (torch.ones(3),), "m.onnx", dynamo=False)`` (the TorchScript
    exporter, which traces the model on the example input). What ends up in the ONNX graph? One of "a",
    "b", "c", "d":
    a. An ONNX If node holding both branches, chosen at run time.
    b. Only the ``x * 2`` branch: the condition was evaluated once, while tracing, and is frozen into the
       graph (a TracerWarning says so); inputs with a negative sum get the wrong answer.
    c. Export stops with an error.
    d. The Python condition, evaluated by ONNX Runtime at run time.

EXPORT_BRANCH: ``torch.export.export(M(), (torch.ones(3),))``. What happens? One of "a", "b", "c", "d":
    a. The same as tracing: only the branch taken is kept, silently.
    b. Both branches are kept, as a conditional in the graph.
    c. It raises an error: the condition depends on the data, so it cannot be decided for all inputs
       (rewrite it with ``torch.cond``, or as tensor math such as ``torch.where``).
    d. The Python ``if`` is kept as a callback into Python.

FIXED_BATCH: a model is exported with an example input of shape (1, 16) and no dynamic axes (nor dynamic
    shapes). You then feed ONNX Runtime a batch of shape (8, 16). What happens? One of "a", "b", "c", "d":
    a. It works: the batch dimension is always dynamic in ONNX.
    b. ONNX Runtime rejects the input: the graph declares the input shape [1, 16] (an invalid-dimensions
       error for index 0).
    c. ONNX Runtime silently runs the first row only.
    d. ONNX Runtime pads or crops the batch to 1.

DYNAMIC_AXES_ARG: the keyword argument of ``torch.onnx.export`` (TorchScript exporter) that marks input
    and output dimensions as dynamic (a string, the argument's name).

DYNAMIC_SHAPES_ARG: the keyword argument of ``torch.export.export`` (and of the dynamo-based ONNX
    exporter) that does the same (a string, the argument's name).

PROTOBUF_LIMIT_GB: an ONNX model is a single protobuf message. Above what size, in GB, must the weights be
    stored as external data files next to the .onnx file? (an int, exact)

TRUE_STATEMENTS: the set of letters of the TRUE statements, e.g. {"A", "D"}.
    A. An ONNX model declares the operator-set (opset) versions it uses; an operator that the chosen
       opset lacks makes the export fail or needs a newer opset_version.
    B. The exported .onnx file also contains the Python preprocessing and the tokenizer of your pipeline.
    C. A custom operator (your own CUDA kernel or autograd.Function) has no ONNX equivalent until you
       register a translation (a symbolic function) or map it to a custom-domain operator that the target
       runtime implements.
    D. ONNX Runtime reproduces PyTorch's outputs bit for bit, so export tests should compare with ==.
    E. The weights are stored in the ONNX graph as initializers (or in external data files for large
       models).
"""

TRACED_BRANCH = None
EXPORT_BRANCH = None
FIXED_BATCH = None
DYNAMIC_AXES_ARG = None
DYNAMIC_SHAPES_ARG = None
PROTOBUF_LIMIT_GB = None
TRUE_STATEMENTS = None
