// libFuzzer entry point: the NDB reader (analyze/catalog/rpm_ndb.hpp), each
// blob it hands over parsed as an rpm header as the cataloger does. Seeds:
// small databases built from rpm's own header blobs
// (tests/fuzz/corpus/fuzz_rpm_ndb; see RpmTest.WriteFuzzSeeds).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "analyze/catalog/rpm_ndb.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view db(reinterpret_cast<const char*>(data), size);
  airlock::RpmProblems problems;
  (void)airlock::read_rpm_ndb(
      db,
      [](std::string_view blob) {
        auto header = airlock::parse_rpm_header(blob);
        if (header) (void)airlock::rpm_installed_files(*header);
      },
      problems);
  return 0;
}
