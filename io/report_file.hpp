#pragma once
// SONATA frame reports for multimeters: /report/<population>/data [time ×
// columns] (float32) with mapping/{node_ids, index_pointers, element_ids,
// time = [start, stop, dt]}. With several variables, each node has one
// element (column) per variable, in the order listed, element_ids giving the
// variable's index; the `variables` attribute names them.
#include "engine/recording.hpp"
#include "engine/spec.hpp"
#include "io/hdf5_handle.hpp"

#include <filesystem>
#include <vector>

namespace myelin::io {

class report_files final : public trace_output {
public:
  // One file DIR/<name>.h5 per multimeter.
  report_files(const std::filesystem::path& dir, const spec::network& net);
  void write(std::size_t index, std::int64_t first_sample, std::size_t n_rows, const double* rows) override;
  void close();

private:
  struct report {
    std::string path;
    double interval_ms;
    std::size_t columns;
    std::int64_t samples = 0, first_sample = 1;
    h5::handle file, data, time;
    std::vector<float> buffer;
  };
  void update_time(report& r);
  std::vector<report> reports_;
};

} // namespace myelin::io
