#pragma once
// A plastic table's synapses and per-source state in the state API's
// backend-neutral order (engine/backend.hpp): what every backend does the
// same way to report and restore what its plastic projections learned.
#include "engine/backend.hpp"

#include <span>
#include <vector>

namespace myelin {

// Appends this table's targets (population indices) and in-degrees, and with
// sources each synapse's source (population index) in canonical order.
void append_plastic_layout(const rank_layout& layout, const plastic_table& t, bool with_sources,
                           plastic_synapses& out);

// Values per synapse in table order, in canonical order (and back).
std::vector<double> to_canonical(const plastic_table& t, std::span<const double> table_order);
std::vector<double> to_table_order(const plastic_table& t, std::span<const double> canonical);

// Per-source state of one table: one vector per field and the last stamp,
// indexed by the table's row (row - row_first).
struct source_state {
  std::vector<std::vector<double>> fields;
  std::vector<std::int64_t> last;
};
// Each source once, from the first table with synapses from it (every table
// holding a source has the same state for it), into st.source, st.pre, st.last.
void gather_sources(const rank_layout& layout, const std::vector<const plastic_table*>& tables,
                    const std::vector<source_state>& states, plastic_state& st);
// Table t's rows' state from st (given for the whole source population).
source_state scatter_sources(const rank_layout& layout, const plastic_table& t, const plastic_state& st);

} // namespace myelin
