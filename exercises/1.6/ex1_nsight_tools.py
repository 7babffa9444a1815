"""Exercise 1.6.1 (quiz): Nsight Systems or Nsight Compute?

Nsight Systems (``nsys``) and Nsight Compute (``ncu``) answer different questions. Fill in the answers
below (replace each ``None``) and run ``tracker grade 1.6.1``. Each question is graded on its own; a wrong
answer comes back with an explanation. Answers are compared case-insensitively, with surrounding spaces
ignored.

Q1_TOOL: for each situation, which tool do you open first? A dict mapping each letter "a" to "j" to
"nsys" or "ncu".
  a. The GPU sits idle for 8 ms between decode steps while Python samples the next token.
  b. One fused dequantize + GEMM kernel reaches 35 % of peak; is it limited by DRAM bandwidth or by math?
  c. Do host-to-device copies on one CUDA stream overlap with kernels running on another stream?
  d. What is the achieved occupancy of one kernel, and does a register or a shared-memory limit cap it?
  e. A forward pass launches about 600 tiny kernels; does CPU launch overhead (cudaLaunchKernel) dominate?
  f. Which source lines of your INT4 unpacking kernel cause shared-memory bank conflicts?
  g. You wrapped preprocessing, prefill and decode in NVTX ranges; how long does each take over 50 requests?
  h. Are a kernel's global loads coalesced (sectors per request)?
  i. Does a pageable (not pinned) cudaMemcpy stall the inference pipeline?
  j. Which warp stall reason (for example "long scoreboard") dominates in a kernel?

Q2_SECTION: which Nsight Compute section (the identifier given to ``ncu --section``) reports each of the
following? A dict mapping "a" to "e" to one of: "SpeedOfLight", "Occupancy", "LaunchStats",
"WarpStateStats", "MemoryWorkloadAnalysis", "SchedulerStats", "ComputeWorkloadAnalysis", "SourceCounters".
  a. Compute and memory throughput as a percentage of the peak (the first look at a kernel).
  b. Theoretical and achieved occupancy, and the block limit set by each resource.
  c. Grid size, block size, registers per thread, shared memory per block.
  d. Why warps are not issuing instructions (stall reasons).
  e. Traffic and hit rates between L1, L2 and device memory.

Q3_TRUE_FALSE: a dict mapping "a" to "h" to True or False (Python booleans).
  a. ncu replays a profiled kernel several times to collect all requested metrics, so a program runs far
     more slowly under ncu than under nsys.
  b. Under ncu, kernels launched on different streams still run concurrently, and its report shows the
     overlap.
  c. nsys can trace OS runtime calls and CPU thread activity alongside the CUDA API calls.
  d. nsys records hardware performance counters for every instruction of every kernel.
  e. nvprof supports GPUs of compute capability 8.0 and newer (A100, H100).
  f. nsys saves its reports as ``.nsys-rep`` files, and ncu (given ``-o``) as ``.ncu-rep`` files.
  g. ncu can restrict profiling to kernels whose name matches a filter and to a given number of launches.
  h. ncu reports the idle time between two consecutive kernels of your program.

Q4_FIRST: a quantized model serves tokens more slowly than expected end to end and you do not yet know
why. Which tool do you run first: "nsys" or "ncu"?
"""

Q1_TOOL = None

Q2_SECTION = None

Q3_TRUE_FALSE = None

Q4_FIRST = None
