"""Answers for exercise 1.6.1 (shown by `tracker solution 1.6.1` after a pass).

Nsight Systems is the whole-program timeline: CPU threads, CUDA API calls, kernels, copies, NVTX ranges,
streams and the gaps between them. Nsight Compute is the microscope for one kernel: it replays the kernel
to read hardware counters (throughput versus peak, occupancy, memory traffic, stall reasons) and
serializes launches while it does so. Start with nsys to find where the time goes, then ncu on the few
kernels that matter.
"""

Q1_TOOL = {
    "a": "nsys",  # idle gaps caused by CPU work: a timeline question
    "b": "ncu",  # memory- vs compute-bound: Speed Of Light / roofline of one kernel
    "c": "nsys",  # overlap across streams: ncu serializes kernels
    "d": "ncu",  # Occupancy section
    "e": "nsys",  # cudaLaunchKernel time and gaps on the timeline
    "f": "ncu",  # source-level counters
    "g": "nsys",  # NVTX ranges on the timeline
    "h": "ncu",  # Memory Workload Analysis: sectors per request
    "i": "nsys",  # memcpy rows (pageable vs pinned) on the timeline
    "j": "ncu",  # Warp State Statistics
}

Q2_SECTION = {
    "a": "SpeedOfLight",
    "b": "Occupancy",
    "c": "LaunchStats",
    "d": "WarpStateStats",
    "e": "MemoryWorkloadAnalysis",
}

Q3_TRUE_FALSE = {
    "a": True,  # kernel replay
    "b": False,  # ncu serializes launches
    "c": True,  # --trace=osrt, CPU sampling
    "d": False,  # that is ncu
    "e": False,  # nvprof stops at compute capability 7.x
    "f": True,
    "g": True,  # -k / --kernel-name, -c / --launch-count
    "h": False,  # gaps are a timeline (nsys) question
}

Q4_FIRST = "nsys"
