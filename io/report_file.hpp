#pragma once
// SONATA frame reports for multimeters: /report/<population>/data [time ×
// columns] (float32) with mapping/{node_ids, index_pointers, element_ids,
// time = [start, stop, dt]}. With several variables, each node has one
// element (column) per variable, in the order listed, element_ids giving the
// variable's index; the `variables` attribute names them. Each rank writes the
// columns of the neurons it holds, collectively.
#include "engine/recording.hpp"
#include "engine/spec.hpp"
#include "io/hdf5_handle.hpp"

#include <filesystem>
#include <memory>
#include <vector>

namespace myelin::io {

class report_files final : public trace_output {
public:
  // One file DIR/<name>.h5 per multimeter; local_columns[m] are the positions
  // in multimeter m's ids list that this rank records. Collective.
  report_files(const std::filesystem::path& dir, const spec::network& net,
               const std::vector<std::vector<std::uint64_t>>& local_columns, comm::communicator& comm);
  void write(std::size_t index, std::int64_t first_sample, std::size_t n_rows, const double* rows) override;
  void close(); // collective

private:
  struct report {
    double interval_ms;
    std::size_t local_width; // values per row on this rank
    std::vector<h5::column_block> columns;
    std::int64_t samples = 0, first_sample = 1, buffered_rows = 0;
    std::unique_ptr<h5::shared_file> file;
    h5::handle data, time;
    std::vector<float> buffer;
  };
  void flush(report& r);
  std::vector<report> reports_;
};

} // namespace myelin::io
