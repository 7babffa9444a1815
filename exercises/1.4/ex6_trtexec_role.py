"""Exercise 1.4.6 (quiz): what trtexec does in the ONNX -> TensorRT pipeline.

``trtexec`` is the command-line tool that ships with TensorRT. Its README (``samples/trtexec`` in NVIDIA's
TensorRT repository) and ``trtexec --help`` answer everything below. Replace each ``None`` with your
answer, in the form given; letters are not case-sensitive, and flags may be written with or without their
leading dashes (``"--fooBar"`` or ``"fooBar"``; case does not matter).

WHAT_IT_DOES: which describes trtexec? One of "a", "b", "c", "d".
    a. It builds an optimized TensorRT engine from an ONNX model (and can save it), and benchmarks
       inference (latency, throughput) on random or user-provided inputs.
    b. It exports PyTorch checkpoints to ONNX.
    c. It calibrates an INT8 model on your own dataset and reports its accuracy.
    d. It converts TensorRT engines back into ONNX models for other runtimes.

SAVE_FLAG: the flag that writes the built engine (the serialized plan) to a file (a string).

LOAD_FLAG: the flag that loads a previously saved engine instead of building one (a string).

SHAPE_FLAGS: the set of the three flags that define the optimization profile of a dynamic-shape input
    (smallest, typical and largest shape), e.g. {"--aFlag", "--bFlag", "--cFlag"}.

TRUE_STATEMENTS: the set of letters of the TRUE statements, e.g. {"A", "D"}.
    A. By default an engine only runs on the GPU model and the TensorRT version it was built with, so it
       is built on (or for) the deployment target.
    B. Layer and tensor fusion and the timing-based choice of kernels ("tactics") happen while the engine
       is built, not at every inference.
    C. --fp16 forces every layer of the network to run in FP16.
    D. With --int8 and no calibration cache, trtexec calibrates the network on realistic data, so the
       accuracy of that engine is meaningful.
    E. Unless you pass --loadInputs, trtexec benchmarks with randomly generated input data.
"""

WHAT_IT_DOES = None
SAVE_FLAG = None
LOAD_FLAG = None
SHAPE_FLAGS = None
TRUE_STATEMENTS = None
