#pragma once
// SONATA frame reports for multimeters: /report/<population>/data [time ×
// columns] (float32) with mapping/{node_ids, index_pointers, element_ids,
// time = [start, stop, dt]}. With several variables, each node has one
// element (column) per variable, in the order listed, element_ids giving the
// variable's index; the `variables` attribute names them. Each rank writes the
// columns of the neurons it holds, collectively.
#include "engine/recording.hpp"
#include "io/hdf5_handle.hpp"
#include "spec/spec.hpp"

#include <filesystem>
#include <memory>
#include <vector>

namespace myelin::io {

class report_files final : public trace_output {
public:
  // One file DIR/<name>.h5 per multimeter; local_columns[m] are the positions
  // in multimeter m's ids list that this rank records. Collective. With
  // resume_rows (a checkpoint's positions) existing files are reopened and
  // truncated to them.
  report_files(const std::filesystem::path& dir, const spec::network& net,
               const std::vector<std::vector<std::uint64_t>>& local_columns, comm::communicator& comm,
               const std::vector<std::uint64_t>* resume_rows = nullptr);
  void write(std::size_t index, std::int64_t first_sample, std::size_t n_rows, const double* rows) override;
  void flush();                            // collective: append what is buffered
  void sync();                             // collective: flush, and make the files on disk current
  std::vector<std::uint64_t> rows() const; // samples in each file (after a flush: everything so far)
  void close();                            // collective

private:
  struct report {
    std::string path;
    double interval_ms = 1;
    std::size_t local_width = 0; // values per row on this rank
    std::vector<h5::column_block> columns;
    std::int64_t samples = 0, first_sample = 1, buffered_rows = 0;
    std::unique_ptr<h5::shared_file> file;
    h5::handle data, time;
    std::vector<float> buffer;
  };
  void create(report& r, const spec::network& net, const spec::multimeter& m, comm::communicator& comm);
  void reopen(report& r, const spec::multimeter& m, comm::communicator& comm, std::uint64_t rows);
  void flush(report& r);
  void write_time(report& r);
  std::vector<report> reports_;
};

} // namespace myelin::io
