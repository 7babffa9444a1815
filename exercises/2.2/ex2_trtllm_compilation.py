"""Exercise 2.2.2 (quiz): TensorRT-LLM's compiled engines versus Hugging Face's dynamic (eager) execution.

TensorRT-LLM's engine workflow defines the model with its Python API, converts the weights to a
checkpoint, and compiles that checkpoint ahead of time into TensorRT engines for one GPU type and one
parallel layout. Hugging Face Transformers runs the same model eagerly in PyTorch, operation by
operation, with no build step. Fill in the answers below (replace each ``None``) and run
``tracker grade 2.2.2``. Each question is graded on its own; a wrong answer comes back with an
explanation. Strings are compared case-insensitively.

Q1_STYLE: which approach does each statement describe? A dict mapping each letter "a" to "h" to
"compiled" (a TensorRT-LLM engine) or "dynamic" (Hugging Face Transformers in eager PyTorch).
  a. A build step of several minutes comes before the first request can be served.
  b. A change to the model's Python code takes effect the next time the model is called.
  c. Candidate kernel implementations are timed on the target GPU and the fastest is kept, ahead of time.
  d. The maximum batch size and sequence lengths are fixed before serving; larger requests need a rebuild.
  e. Each layer runs as separate framework operations dispatched from Python at every decoding step.
  f. The artifact has to be rebuilt to move from an A100 to an H100.
  g. The easiest place to add a print statement inside attention while debugging a new architecture.
  h. Layers such as GEMM + bias + activation are fused automatically across the whole network.

Q2_TRUE_FALSE: a dict mapping "a" to "f" to True or False (Python booleans).
  a. FP8 GEMMs need a GPU of compute capability 8.9 or newer (Ada, Hopper); an A100 cannot run them.
  b. Engines built for tensor parallelism 2 can run with tensor parallelism 4 on four GPUs without a rebuild.
  c. In-flight batching lets new requests join a running batch between decoding steps instead of waiting
     for the whole batch to finish.
  d. Hugging Face ``generate()`` needs a separate build step for every new maximum sequence length.
  e. ``torch.compile`` can narrow the gap for a dynamic framework by capturing graphs and fusing operations
     at run time.
  f. TensorRT-LLM builds engines for any model architecture without architecture-specific support code.

Q3_BUILD_COMMAND: the command that compiles a TensorRT-LLM checkpoint into engines. One of
"trtllm-build", "trtexec", "torch.compile", "optimum-cli".

Q4_TRITON_BACKEND: the Triton Inference Server backend that serves TensorRT-LLM engines (the ``backend``
field of the model's ``config.pbtxt``). One of "tensorrtllm", "python", "onnxruntime", "pytorch".
"""

Q1_STYLE = None

Q2_TRUE_FALSE = None

Q3_BUILD_COMMAND = None

Q4_TRITON_BACKEND = None
