// Construction on the device, on CPU threads (Thrust's OpenMP system): the
// same source as construction_cuda.cu.
#define MYELIN_DEVICE_CUDA 0
#include "engine/device/construction.inl"
