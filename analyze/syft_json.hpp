#pragma once
// The syft-json format (schema 16.x), what AnchoreCTL uploads and Anchore
// Enterprise imports; and syft's package table. Output is deterministic: two
// runs over the same image give the same bytes.

#include <iosfwd>
#include <string>

#include "analyze/sbom.hpp"

namespace airlock {

inline constexpr std::string_view k_syft_schema_version = "16.1.10";

struct SyftJsonOptions {
  std::string tool_version;
};

void write_syft_json(std::ostream& out, const Sbom& sbom, const SyftJsonOptions& options);
void write_package_table(std::ostream& out, const Sbom& sbom);

}  // namespace airlock
