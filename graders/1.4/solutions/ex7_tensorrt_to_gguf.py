"""Reference answers for exercise 1.4.7 (shown by `tracker solution 1.4.7` after a pass).

Deployment formats are end points: to reach another runtime, go back to the source checkpoint and follow
that runtime's own pipeline (here: python convert_hf_to_gguf.py MODEL_DIR --outtype f16, then
llama-quantize model-f16.gguf model-q4_k_m.gguf Q4_K_M).
"""

MAIN_REASON = "a"
CONVERT_FROM = "b"
CONVERTER_SCRIPT = "convert_hf_to_gguf.py"
QUANTIZE_TOOL = "llama-quantize"
TRUE_STATEMENTS = {"A", "B", "D"}
