"""Exercise 1.5.3 (quiz): Unified Memory vs explicit cudaMemcpy.

Unified Memory (``cudaMallocManaged``) gives one pointer that both the CPU and the GPU can use; the CUDA
driver moves the data. Explicit management (``cudaMalloc`` + ``cudaMemcpy`` / ``cudaMemcpyAsync``) makes
you move it yourself. The CUDA C++ Programming Guide's "Unified Memory Programming" section and its
section on overlapping data transfers with kernel execution answer everything below. Replace each
``None`` with your answer, in the form given; letters and names are not case-sensitive.

PREFETCH: what does ``cudaMemPrefetchAsync(ptr, bytes, device, stream)`` do? One of "a", "b", "c", "d".
    a. It migrates the managed pages in that range to ``device`` ahead of use, so that a kernel does not
       page-fault on them.
    b. It pins (page-locks) the host memory so that copies from it are faster.
    c. It copies the range into a new device allocation and returns a device pointer to it.
    d. It locks the pages on the host so that the GPU cannot migrate them.

FIRST_TOUCH: on a Pascal-or-newer GPU under Linux, a kernel reads ``cudaMallocManaged`` memory that the
    CPU wrote last. What happens? One of "a", "b", "c", "d".
    a. Nothing can happen: the compiler rejects host-written managed memory in a kernel.
    b. The GPU page-faults on the pages it touches and the driver migrates them to the GPU on demand.
    c. The whole allocation is copied to the GPU before the kernel starts, whatever the kernel touches.
    d. Every access goes over PCIe to host memory; pages never migrate.

TRUE_STATEMENTS: the set of letters of the TRUE statements, e.g. {"A", "D"}.
    A. Unified Memory removes the data transfers between host and device memory.
    B. ``cudaMallocManaged`` returns one pointer that is valid in host code and in device code.
    C. On Pascal-or-newer GPUs under Linux, managed allocations may be larger than the GPU's memory
       (oversubscription); ``cudaMalloc`` cannot allocate more than the device has.
    D. ``cudaMemcpyAsync`` from pageable (not pinned) host memory overlaps with kernel execution just as
       well as a copy from pinned memory.
    E. After launching a kernel that writes managed memory, the CPU must synchronize (e.g.
       ``cudaDeviceSynchronize``) before reading the results, because kernel launches are asynchronous.
    F. ``cudaMemAdvise`` hints (e.g. ``cudaMemAdviseSetReadMostly``) tell the driver how data will be used,
       to reduce migrations.

FAVOURS_EXPLICIT: which situation favours explicit ``cudaMalloc`` + ``cudaMemcpyAsync`` over Unified
    Memory? One of "a", "b", "c", "d".
    a. A streaming pipeline that copies batch i+1 to the GPU while a kernel processes batch i, using
       pinned host buffers and two CUDA streams.
    b. A prototype whose CPU and GPU code share linked lists and trees full of pointers.
    c. A dataset larger than the GPU's memory, processed by one kernel.
    d. Porting a large CPU code base to the GPU as quickly as possible.

PINNED_ALLOC: the CUDA runtime function that allocates page-locked (pinned) host memory (its name, a
    string).
"""

PREFETCH = None
FIRST_TOUCH = None
TRUE_STATEMENTS = None
FAVOURS_EXPLICIT = None
PINNED_ALLOC = None
