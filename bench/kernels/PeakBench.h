// The machine's measured single-core int8 peaks (PeakBench.cpp), for the
// "% of peak" counters of the kernel benchmarks.
#pragma once

namespace qc::bench {

/// GOPS (1 MAC = 2 ops) of back-to-back independent vpdpbusd zmm on this
/// core, measured once on first use.
double measuredVnniZmmPeakGops();

/// Whether the CPU has AVX-VNNI (VEX vpdpbusd on ymm); some VMs with AVX-512
/// VNNI lack it.
bool cpuHasAvxVnni();

} // namespace qc::bench
