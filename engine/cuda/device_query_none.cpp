// Built instead of device_query.cu when CUDA is not available or switched off.
#include "engine/cuda/device_query.hpp"

namespace myelin::cuda {

int device_count() noexcept {
  return 0;
}
bool compiled() noexcept {
  return false;
}
int select_device() noexcept {
  return -1;
}
std::string current_device() {
  return "";
}
unsigned long long free_device_memory() noexcept {
  return 0;
}

} // namespace myelin::cuda
