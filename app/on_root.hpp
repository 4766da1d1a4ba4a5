#pragma once
// Work only rank 0 may do (reading the model file, preparing the output
// directory, choosing a checkpoint), with an outcome every rank shares: a
// bad-input error is printed once, by rank 0, and every rank exits with 2.
#include "app/commands.hpp"
#include "engine/comm/communicator.hpp"
#include "spec/error.hpp"

#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace myelin::cli {

// Runs `step` on rank 0 only and tells every rank how it went: a bad-input
// error is printed once, by rank 0, and every rank then exits with code 2.
// On success the returned bytes are rank 0's result, on every rank.
template <class Step>
std::vector<std::byte> on_root(comm::communicator& comm, Step&& step) {
  std::vector<std::byte> message;
  if (comm.rank() == 0) {
    std::string text;
    std::byte status{0};
    try {
      text = step();
    } catch (const bad_input& e) {
      status = std::byte{2};
      text = e.what();
    }
    message.push_back(status);
    const auto* p = reinterpret_cast<const std::byte*>(text.data());
    message.insert(message.end(), p, p + text.size());
  }
  comm.broadcast(message, 0);
  if (message.at(0) != std::byte{0}) {
    if (comm.rank() == 0)
      std::cerr << "myelin: error: "
                << std::string(reinterpret_cast<const char*>(message.data() + 1), message.size() - 1) << "\n";
    throw reported_elsewhere{
        static_cast<int>(message[0]),
        std::string(reinterpret_cast<const char*>(message.data() + 1), message.size() - 1)};
  }
  return {message.begin() + 1, message.end()};
}

// Runs `step` on every rank, for work that may meet bad input on some ranks
// only (each reading its share of a file). `step` must make the same
// collective calls on every rank whatever it meets (throwing only at the
// end). If any rank met bad input, the lowest such rank prints its error and
// every rank exits with 2; otherwise each rank gets its own result.
template <class Step>
auto on_every_rank(comm::communicator& comm, Step&& step) -> decltype(step()) {
  std::optional<decltype(step())> result;
  std::string text;
  try {
    result.emplace(step());
  } catch (const bad_input& e) {
    text = e.what();
  }
  // The lowest failing rank, as a max over negated ranks (1e18 when none failed).
  const double lowest = -comm.max(result ? -1e18 : -static_cast<double>(comm.rank()));
  if (lowest < 1e18) {
    if (static_cast<double>(comm.rank()) == lowest)
      std::cerr << "myelin: error: " << text << "\n";
    throw reported_elsewhere{2, text.empty() ? "bad input on rank " + std::to_string(static_cast<int>(lowest))
                                             : text};
  }
  return std::move(*result);
}

} // namespace myelin::cli
