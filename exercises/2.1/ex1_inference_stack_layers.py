"""Exercise 2.1.1 (quiz): the five layers of the inference stack and what each one does.

The layers, with the short names used in the answers:

* ``"hardware"``: GPU clouds and hardware, the raw compute (AWS, GCP, CoreWeave, on-premise servers).
* ``"infrastructure"``: compute infrastructure management, Kubernetes orchestrating containerized services.
* ``"engine"``: the LLM inference engine, the runtime with batching and memory optimizations
  (TensorRT-LLM, vLLM).
* ``"kv_cache"``: the KV cache, transformer attention state managed for context reuse.
* ``"routing"``: orchestration and routing, intelligent request management and payload-aware routing.

Fill in the answers below (replace each ``None``) and run ``tracker grade 2.1.1``. Each question is
graded on its own; a wrong answer comes back with an explanation. Strings are compared case-insensitively.

Q1_LAYER: which layer does each of these belong to? A dict mapping each letter "a" to "l" to one of the
five short names.
  a. Renting H100 nodes from CoreWeave, or running your own DGX servers.
  b. A HorizontalPodAutoscaler adds model-server pods when GPU utilization rises.
  c. The NVIDIA device plugin advertises ``nvidia.com/gpu`` so that pods can request whole GPUs.
  d. Continuous (in-flight) batching of decode steps from many sequences.
  e. Fused attention and quantized GEMM kernels built for the target GPU.
  f. Reusing the attention keys and values of a shared system prompt instead of recomputing its prefill.
  g. Offloading cold KV blocks from GPU memory to CPU memory or SSD to serve longer contexts.
  h. Inspecting each request's prompt prefix to send it to the replica that already holds that prefix.
  i. Sending long summarization prompts to a pool tuned for prefill and chat turns to a pool tuned for decode.
  j. Choosing between A100 and H100 nodes for memory bandwidth per dollar.
  k. Rolling out a new model version pod by pod with a Deployment's rolling update.
  l. Failing requests over to another cluster when one region is unhealthy.

Q2_ORDER: the five short names as a list, from the bottom of the stack (closest to the metal) to the top.

Q3_PREFILL: a chatbot's system prompt is 1,540 tokens long and a request adds 512 tokens of user text.
The router sends the request to a replica that cached this system prompt earlier; the cache stores only
full blocks of 16 tokens. How many prompt tokens must that replica still prefill? An int.

Q4_TRUE_FALSE: a dict mapping "a" to "e" to True or False (Python booleans).
  a. A KV-cache hit saves the prefill of the reused prefix; each new output token still needs its own
     decode step.
  b. Round-robin routing maximizes prefix-cache hits, because it spreads the load evenly.
  c. Kubernetes schedules a pod that requests ``nvidia.com/gpu: 1`` only on a node with a free GPU
     advertised by the device plugin.
  d. The inference engine layer decides which cluster or region serves a request.
  e. Payload-aware routing has to read the request itself (prompt, model name, length); a plain layer-4
     (TCP) load balancer cannot make those decisions.
"""

Q1_LAYER = None

Q2_ORDER = None

Q3_PREFILL = None

Q4_TRUE_FALSE = None
