#pragma once
// The table of a BMTK current clamp given as a file (input_type "csv" or
// "file": BMTK's CSVAmpReader): a header row naming the columns, then one
// row per change of the current, with the time (ms) and the amplitude.
#include <string>
#include <utility>
#include <vector>

namespace myelin::io::sonata {

// (time, amplitude) rows in file order. A separator of ' ' splits on runs of
// blanks and tabs; any other is one character. Throws model_error naming the
// file, the row or column and the reason.
std::vector<std::pair<double, double>> read_clamp_table(const std::string& file, char separator,
                                                        const std::string& times_column,
                                                        const std::string& amplitudes_column);

} // namespace myelin::io::sonata
