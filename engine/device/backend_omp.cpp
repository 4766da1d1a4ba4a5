// The device backend on CPU threads (`--backend omp`): Thrust's OpenMP
// system, compiled by g++. The same source as backend_cuda.cu.
#define MYELIN_DEVICE_CUDA 0
#include "engine/device/device_backend.inl"
