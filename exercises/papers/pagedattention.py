"""Paper quiz: "Efficient Memory Management for Large Language Model Serving with PagedAttention" (Kwon et
al., 2023).

Read the paper (arXiv 2309.06180), then replace each ``None`` at the bottom of this file with your answer.
``tracker grade paper.pagedattention`` checks them; a wrong answer is explained without giving the right one
away. Every question asks what the paper itself states, not what later vLLM releases do.

Answer forms:

* a single choice: one letter as a string, e.g. ``"c"`` (case and surrounding parentheses do not matter);
* a set of choices or of statement numbers: a Python set, e.g. ``{"a", "d"}`` or ``{2, 5}`` (a list or
  tuple is accepted too; ``set()`` if none applies);
* a number: an int or a float, within the tolerance the question gives.

1. ``KV_BYTES_PER_TOKEN``: the paper's running example is OPT-13B: 40 layers, hidden size 5120, served in
   FP16. How many bytes of KV cache does ONE token need, over all layers? An int, exact.

2. ``MAPPING``: how does vLLM locate the KV cache of a request?
   (a) one contiguous buffer per request, reserved for the request's maximum possible length
   (b) a block table per request that maps its logical KV blocks, each holding a fixed number of tokens, to
       physical blocks anywhere in GPU memory
   (c) a hash table from token ids to their key and value vectors
   (d) one ring buffer shared by all requests, overwritten oldest-first

3. ``WASTE``: in vLLM, where is KV cache memory still wasted, and about how much?
   (a) only in the last, partly filled block of each sequence: under 4% in the paper's measurements
   (b) in the space reserved for each request's maximum possible length, as in earlier systems
   (c) nowhere: exactly zero waste
   (d) in external fragmentation between blocks of different sizes

4. ``SHARING``: parallel sampling: several output sequences of one prompt share the prompt's KV blocks. When
   one of them has to write into a block that is still shared, vLLM
   (a) copies on write: since the block's reference count is above one, it allocates a new physical block,
       copies the data into it, and writes there
   (b) writes into the shared block, since all samples generate the same token
   (c) recomputes the prompt's KV cache separately for every sample from the start
   (d) preempts the other sequences that share the block

5. ``THROUGHPUT``: at the same level of latency, by about how much does vLLM improve throughput over the
   state-of-the-art systems the paper compares with (FasterTransformer and Orca)?
   (a) about 2 to 4 times
   (b) about 14 to 24 times
   (c) about 1.2 times
   (d) about 100 times

6. ``TRUE_STATEMENTS``: which of these statements does the paper support? Give the set of their numbers.
   1. KV blocks have a fixed size (a fixed number of tokens) and are allocated on demand as a sequence
      grows.
   2. PagedAttention needs each sequence's KV cache to be contiguous in GPU memory.
   3. When it runs out of free blocks, vLLM can preempt sequences and recover them later, either by swapping
      their blocks to CPU memory or by recomputing their KV cache.
   4. The design borrows from operating systems' virtual memory and paging: blocks play the role of pages,
      tokens of bytes, requests of processes.
   5. Blocks are shared, with copy-on-write, for parallel sampling only; beam search cannot share blocks.
"""

KV_BYTES_PER_TOKEN = None  # an int (bytes)
MAPPING = None  # one letter, e.g. "c"
WASTE = None  # one letter, e.g. "c"
SHARING = None  # one letter, e.g. "c"
THROUGHPUT = None  # one letter, e.g. "c"
TRUE_STATEMENTS = None  # a set of statement numbers, e.g. {1, 3}
