#pragma once
// MYELIN_HD marks a function every backend runs: host code for the CPU and
// omp backends, host and device code under nvcc. CCCL 3 no longer defines
// __host__ / __device__ for host compilers, so the project has its own macro.
#if defined(__CUDACC__)
#define MYELIN_HD __host__ __device__
#else
#define MYELIN_HD
#endif
