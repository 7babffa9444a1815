"""Reference answers for exercise 1.4.1 (shown by `tracker solution 1.4.1` after a pass).

GGJT kept hyperparameters as an untyped list read in order, so any change broke readers silently; GGUF
keeps typed, named key-value metadata (architecture and tokenizer included) that readers look up by key,
and it keeps GGJT's aligned, mmap-able tensor data.
"""

KEY_DIFFERENCE = "b"
TRUE_STATEMENTS = {"A", "B", "E"}
FIRST_MMAP_FORMAT = "GGJT"
DEFAULT_ALIGNMENT = 32
V2_CHANGE = "a"  # counts and lengths uint32 -> uint64
V3_CHANGE = "b"  # big-endian support
