// The device backend on the GPU (`--backend cuda`): Thrust's CUDA system,
// compiled by nvcc. The same source as backend_omp.cpp.
#define MYELIN_DEVICE_CUDA 1
#include "engine/device/device_backend.inl"
