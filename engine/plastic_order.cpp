#include "engine/plastic_order.hpp"

namespace myelin {
namespace {

std::uint64_t n_rows(const plastic_table& t) {
  return t.table.source_segments.size() - 1;
}
bool has_source(const plastic_table& t, std::uint64_t s) {
  return t.table.source_segments[s + 1] > t.table.source_segments[s];
}
// Index in its population of the source of row s.
std::uint64_t source_index(const rank_layout& layout, const plastic_table& t, std::uint64_t s) {
  const std::uint64_t gid = layout.row_gid[t.row_first + s];
  return gid - layout.population_offsets[layout.population_of(gid)];
}

} // namespace

void append_plastic_layout(const rank_layout& layout, const plastic_table& t, bool with_sources,
                           plastic_synapses& out) {
  for (std::size_t k = 0; k + 1 < t.target_offsets.size(); ++k) {
    out.target.push_back(layout.index_in_population(t.target_first + k));
    out.indegree.push_back(t.target_offsets[k + 1] - t.target_offsets[k]);
  }
  if (!with_sources)
    return;
  // Tables hold consecutive targets, so their canonical orders concatenate.
  const auto& tab = t.table;
  std::vector<std::uint64_t> source(t.canonical.size());
  for (std::uint64_t src = 0; src < n_rows(t); ++src) {
    const std::uint64_t index = source_index(layout, t, src);
    for (auto seg = tab.source_segments[src]; seg < tab.source_segments[src + 1]; ++seg)
      for (auto k = tab.segment_synapses[seg]; k < tab.segment_synapses[seg + 1]; ++k)
        source[t.canonical[k]] = index;
  }
  out.source.insert(out.source.end(), source.begin(), source.end());
}

std::vector<double> to_canonical(const plastic_table& t, std::span<const double> table_order) {
  std::vector<double> out(t.canonical.size());
  for (std::size_t k = 0; k < t.canonical.size(); ++k)
    out[t.canonical[k]] = table_order[k];
  return out;
}

std::vector<double> to_table_order(const plastic_table& t, std::span<const double> canonical) {
  std::vector<double> out(t.canonical.size());
  for (std::size_t k = 0; k < t.canonical.size(); ++k)
    out[k] = canonical[t.canonical[k]];
  return out;
}

void gather_sources(const rank_layout& layout, const std::vector<const plastic_table*>& tables,
                    const std::vector<source_state>& states, plastic_state& st) {
  if (tables.empty())
    return;
  st.pre.resize(states[0].fields.size());
  for (std::uint64_t s = 0; s < n_rows(*tables[0]); ++s)
    for (std::size_t t = 0; t < tables.size(); ++t) {
      if (!has_source(*tables[t], s))
        continue;
      st.source.push_back(source_index(layout, *tables[t], s));
      for (std::size_t f = 0; f < st.pre.size(); ++f)
        st.pre[f].push_back(states[t].fields[f][s]);
      st.last.push_back(states[t].last[s]);
      break;
    }
}

source_state scatter_sources(const rank_layout& layout, const plastic_table& t, const plastic_state& st) {
  const std::uint64_t rows = n_rows(t);
  source_state out{std::vector<std::vector<double>>(st.pre.size(), std::vector<double>(rows, 0.0)),
                   std::vector<std::int64_t>(rows, 0)};
  for (std::uint64_t s = 0; s < rows; ++s) {
    const std::uint64_t index = source_index(layout, t, s);
    for (std::size_t f = 0; f < st.pre.size(); ++f)
      out.fields[f][s] = st.pre[f].at(index);
    out.last[s] = st.last.at(index);
  }
  return out;
}

} // namespace myelin
