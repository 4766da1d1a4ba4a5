// GoogleTest under MPI: every rank runs every test; only rank 0 prints, and the
// exit code is the worst over all ranks (a failure on rank 3 alone fails the run).
#include "tests/distributed/distributed.hpp"

#include <gtest/gtest.h>
#include <iostream>

namespace myelin::test {
comm::communicator* world_comm = nullptr;
}

int main(int argc, char** argv) {
  myelin::comm::world world(argc, argv);
  myelin::test::world_comm = &world.comm();
  testing::InitGoogleTest(&argc, argv);
  auto& listeners = testing::UnitTest::GetInstance()->listeners();
  if (world.comm().rank() != 0)
    delete listeners.Release(listeners.default_result_printer());
  const int local = RUN_ALL_TESTS();
  const int worst = static_cast<int>(world.comm().max(local));
  if (world.comm().rank() == 0 && worst != local)
    std::cout << "FAILED on another rank (see its output above)\n";
  return worst;
}
