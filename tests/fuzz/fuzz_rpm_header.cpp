// libFuzzer entry point: the rpm header blob parser and the file list built
// from it (analyze/catalog/rpm_header.hpp). Seeds: real header blobs written
// by rpm (tests/fuzz/corpus/fuzz_rpm_header; see RpmTest.WriteFuzzSeeds).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "analyze/catalog/rpm_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view blob(reinterpret_cast<const char*>(data), size);
  auto header = airlock::parse_rpm_header(blob);
  if (!header) return 0;
  auto files = airlock::rpm_installed_files(*header);
  if (files) {
    std::size_t n = 0;
    for (const auto& f : *files) n += airlock::rpm_file_flags_string(f.flags).size() + f.path.size();
    (void)n;
  }
  (void)airlock::rpm_digest_algorithm_name(header->digest_algorithm);
  return 0;
}
