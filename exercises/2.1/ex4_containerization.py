"""Exercise 2.1.4 (quiz): what containers do (and do not do) for GPU inference services.

Docker images make a model server portable and reproducible across on-premise clusters and clouds, but
GPU containers split the software between the host and the image. Fill in the answers below (replace each
``None``) and run ``tracker grade 2.1.4``. Each question is graded on its own; a wrong answer comes back
with an explanation. Strings are compared case-insensitively.

Q1_WHERE: where does each piece live when a GPU container runs with the NVIDIA Container Toolkit? A dict
mapping each letter "a" to "f" to "host" (installed on the host machine), "image" (baked into your
container image) or "injected" (taken from the host and mounted into the container when it starts).
  a. The NVIDIA kernel driver module.
  b. ``libcuda.so``, the user-space part of the driver.
  c. The CUDA runtime (``libcudart``) and cuBLAS that your PyTorch build links against.
  d. Python, PyTorch and vLLM.
  e. The ``nvidia-smi`` binary you run inside the container.
  f. The NVIDIA Container Toolkit itself.

Q2_TRUE_FALSE: a dict mapping "a" to "h" to True or False (Python booleans).
  a. Containers share the host's kernel; an image does not contain a kernel of its own.
  b. An image built for ``linux/amd64`` runs natively on an ``arm64`` node (Grace, Graviton).
  c. A tag such as ``myserver:1.2`` can be moved to point at different content; a digest
     (``myserver@sha256:...``) cannot.
  d. Docker's default ``/dev/shm`` for a container is 64 MB, which PyTorch DataLoader workers and NCCL
     can outgrow.
  e. An image that carries the CUDA 12.4 libraries runs on any host, whatever its NVIDIA driver version.
  f. In Kubernetes, GPUs are requested under ``resources.limits`` and, by default, a GPU is not shared
     between containers.
  g. Copying ``requirements.txt`` and running ``pip install`` before copying the source code lets a code
     change reuse the cached dependency layer.
  h. A multi-stage build can compile extensions in a ``-devel`` CUDA image and ship the results on a
     smaller ``-runtime`` image.

Q3_FLAVOR: which flavor of the ``nvidia/cuda`` images includes the ``nvcc`` compiler? One of "base",
"runtime", "devel".

Q4_GPU_FLAG: which ``docker run`` option exposes GPUs to a container (with the NVIDIA Container Toolkit
installed)? One of "--gpus", "--device", "--runtime", "--privileged".

Q5_K8S_RESOURCE: the resource name a pod requests to get one NVIDIA GPU. One of "nvidia.com/gpu", "gpu",
"nvidia/gpu", "cuda.nvidia.com/device".
"""

Q1_WHERE = None

Q2_TRUE_FALSE = None

Q3_FLAVOR = None

Q4_GPU_FLAG = None

Q5_K8S_RESOURCE = None
