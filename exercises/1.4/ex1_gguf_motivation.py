"""Exercise 1.4.1 (quiz): why GGUF replaced the GGML family of file formats.

Before GGUF (August 2023), llama.cpp and ggml used three related formats: GGML (unversioned), GGMF (GGML
plus a version number) and GGJT. The GGUF specification (``docs/gguf.md`` in the ggml repository,
sections "Specification" and "Historical State of Affairs") explains what went wrong with them. Replace
each ``None`` below with your answer, in the form given; letters and words are not case-sensitive.

KEY_DIFFERENCE: the spec names one key difference between GGJT and GGUF. Which? One of "a", "b", "c", "d".
    a. GGUF compresses the tensor data (e.g. with zstd) to make files smaller.
    b. GGUF stores the hyperparameters as typed key-value metadata instead of a list of untyped values,
       so that new information can be added without breaking existing models and readers.
    c. GGUF stores the model's computation graph, so executors no longer need code for each architecture.
    d. GGUF switched to protobuf, like ONNX, to be portable across languages.

TRUE_STATEMENTS: the set of letters of the TRUE statements, e.g. {"A", "C"}.
    A. In GGML/GGMF/GGJT, adding or removing a hyperparameter was a breaking change that a reader could
       not detect without heuristics.
    B. A GGUF file names its model architecture (general.architecture), so a program can refuse an
       architecture it does not support instead of misreading the file.
    C. To run a GGUF model, llama.cpp needs the model's tokenizer.json file next to it.
    D. A metadata key that an older reader does not know makes that reader fail to load the file.
    E. GGUF aligns tensor data (general.alignment) so that the file can be memory-mapped and used in place.
    F. The unversioned GGML format already aligned its tensors so that files could be memory-mapped.

FIRST_MMAP_FORMAT: which legacy format first aligned tensor data to allow mmap? One of "GGML", "GGMF",
    "GGJT".

DEFAULT_ALIGNMENT: the alignment in bytes a reader must assume when general.alignment is absent (an int).

V2_CHANGE and V3_CHANGE: what did GGUF version 2 change from version 1, and what did version 3 add?
    Each one of "a", "b", "c", "d":
    a. Most counts and lengths went from uint32 to uint64.
    b. Big-endian files became possible (support for big-endian machines).
    c. A magic number was added at the start of the file.
    d. Strings became null-terminated instead of length-prefixed.

All answers are exact (the integer too).
"""

KEY_DIFFERENCE = None
TRUE_STATEMENTS = None
FIRST_MMAP_FORMAT = None
DEFAULT_ALIGNMENT = None
V2_CHANGE = None
V3_CHANGE = None
