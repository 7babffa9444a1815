"""Answers for exercise 2.1.4 (shown by `tracker solution 2.1.4` after a pass).

The host owns the kernel and the NVIDIA driver (and the Container Toolkit); the image owns everything in
user space that your application was built against (Python, PyTorch, vLLM, the CUDA runtime and math
libraries); the toolkit mounts the driver's user-space pieces (libcuda.so, nvidia-smi) from the host into
the container so that they always match the host's kernel driver. Portability therefore has two limits:
the CPU architecture of the image, and a host driver new enough for the image's CUDA version.
"""

Q1_WHERE = {"a": "host", "b": "injected", "c": "image", "d": "image", "e": "injected", "f": "host"}

Q2_TRUE_FALSE = {"a": True, "b": False, "c": True, "d": True, "e": False, "f": True, "g": True, "h": True}

Q3_FLAVOR = "devel"

Q4_GPU_FLAG = "--gpus"

Q5_K8S_RESOURCE = "nvidia.com/gpu"
