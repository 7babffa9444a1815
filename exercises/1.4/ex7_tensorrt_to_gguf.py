"""Exercise 1.4.7 (quiz): why nobody converts a TensorRT engine to GGUF.

Two deployment pipelines start from the same trained model: Hugging Face -> GGUF (F16) -> quantized GGUF
for llama.cpp, and PyTorch -> ONNX -> TensorRT engine for NVIDIA GPUs. Replace each ``None`` below with
your answer, in the form given; letters and names are not case-sensitive.

MAIN_REASON: why is "TensorRT engine -> GGUF" not a usual conversion? One of "a", "b", "c", "d".
    a. A TensorRT engine is a compiled, hardware-specific plan (fused layers, kernels chosen for one GPU,
       weights re-laid-out for them) tied to one TensorRT version; it is not a weight-interchange format,
       so GGUF files are made from the original checkpoint instead.
    b. GGUF cannot store 16-bit floating-point weights.
    c. GGUF models only run on CPUs, so a GPU engine has nothing to gain from it.
    d. TensorRT engines are big-endian and GGUF files little-endian.

CONVERT_FROM: you serve a model with TensorRT and now also want a GGUF version. Where do you start? One of
    "a", "b", "c", "d":
    a. The TensorRT engine (.plan / .engine) file.
    b. The original Hugging Face checkpoint (config.json, tokenizer files, safetensors weights).
    c. The ONNX file that the engine was built from.
    d. The TensorRT timing cache.

CONVERTER_SCRIPT: the name of llama.cpp's Python script that converts a Hugging Face model folder to GGUF
    (a file name, e.g. "some_script.py").

QUANTIZE_TOOL: the name of the llama.cpp command-line tool that turns an F16 GGUF into, e.g., Q4_K_M
    (a program name).

TRUE_STATEMENTS: the set of letters of the TRUE statements, e.g. {"B", "E"}.
    A. A TensorRT engine does not carry the tokenizer and the model metadata that a GGUF file holds.
    B. The engine file's layout is internal to TensorRT, undocumented for other tools, and can change
       between TensorRT versions.
    C. llama.cpp can load a TensorRT engine directly.
    D. GGUF and TensorRT serve different runtimes (GGML-based executors such as llama.cpp vs the TensorRT
       runtime), so each is produced from the source model by its own toolchain.
    E. Converting a TensorRT engine to GGUF would give a more accurate model than converting the original
       weights.
"""

MAIN_REASON = None
CONVERT_FROM = None
CONVERTER_SCRIPT = None
QUANTIZE_TOOL = None
TRUE_STATEMENTS = None
