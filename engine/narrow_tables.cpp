#include "engine/narrow_tables.hpp"

#include <algorithm>

namespace myelin {

std::vector<narrow_table> split_narrow(const synapse_table& t) {
  const std::uint64_t n_rows = t.source_segments.empty() ? 0 : t.source_segments.size() - 1;
  std::uint64_t n_pieces = 0;
  for (const auto& s : t.synapses)
    n_pieces = std::max<std::uint64_t>(n_pieces, s.target / narrow_table::span + 1);
  std::vector<std::uint64_t> synapses_of(n_pieces, 0);
  for (const auto& s : t.synapses)
    ++synapses_of[s.target / narrow_table::span];
  std::vector<narrow_table> pieces(n_pieces);
  for (std::uint64_t p = 0; p < n_pieces; ++p) {
    auto& piece = pieces[p];
    piece.target_base = p * narrow_table::span;
    piece.target.reserve(synapses_of[p]);
    piece.weight.reserve(synapses_of[p]);
    piece.segments.source_segments.reserve(n_rows + 1);
    piece.segments.segment_synapses.push_back(0);
  }
  // One pass over the rows: each synapse goes to its piece; a piece that got
  // synapses of a segment closes its own copy of that segment.
  std::vector<std::uint64_t> touched;
  std::vector<char> is_touched(n_pieces, 0);
  for (std::uint64_t row = 0; row < n_rows; ++row) {
    for (auto& piece : pieces)
      piece.segments.source_segments.push_back(piece.segments.segment_delay.size());
    for (std::uint64_t seg = t.source_segments[row]; seg < t.source_segments[row + 1]; ++seg) {
      for (std::uint64_t k = t.segment_synapses[seg]; k < t.segment_synapses[seg + 1]; ++k) {
        const synapse s = t.synapses[k];
        const std::uint64_t p = s.target / narrow_table::span;
        pieces[p].target.push_back(static_cast<std::uint16_t>(s.target % narrow_table::span));
        pieces[p].weight.push_back(s.weight);
        if (!is_touched[p]) {
          is_touched[p] = 1;
          touched.push_back(p);
        }
      }
      for (const std::uint64_t p : touched) {
        auto& segs = pieces[p].segments;
        segs.segment_delay.push_back(t.segment_delay[seg]);
        if (!t.segment_port.empty())
          segs.segment_port.push_back(t.segment_port[seg]);
        segs.segment_synapses.push_back(pieces[p].target.size());
        is_touched[p] = 0;
      }
      touched.clear();
    }
  }
  std::vector<narrow_table> out;
  for (auto& piece : pieces) {
    if (piece.target.empty())
      continue;
    auto& segs = piece.segments;
    segs.source_segments.push_back(segs.segment_delay.size());
    segs.segment_delay.shrink_to_fit();
    segs.segment_port.shrink_to_fit();
    segs.segment_synapses.shrink_to_fit();
    out.push_back(std::move(piece));
  }
  return out;
}

} // namespace myelin
