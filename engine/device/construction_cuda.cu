// Construction on the GPU (Thrust's CUDA system, compiled by nvcc): the
// same source as construction_omp.cpp.
#define MYELIN_DEVICE_CUDA 1
#include "engine/device/construction.inl"
