#pragma once
// Split bundles (docs/bundle-format.md, "Split volumes"): one bundle carried
// as volumes of at most SIZE bytes, each a complete signed bundle file that
// lists only its own members. Members are packed whole (first fit, in item
// order); all volumes are written under temporary names and renamed into
// place only once every one of them is complete, so an export leaves all of
// its volumes or none.

#include <filesystem>
#include <map>
#include <string_view>

#include "export/bundle_writer.hpp"
#include "export/exporter.hpp"

namespace airlock {

// "4.7G", "25G", "700M", "100K", "1.5GiB", "4096": K, M, G, T (and KB, MB,
// GB, TB) are powers of 1000, as media are sold (a 4.7 GB DVD holds
// 4,700,000,000 bytes); KiB, MiB, GiB, TiB are powers of 1024. Case does not
// matter. A fraction is rounded down to whole bytes.
Result<std::uint64_t> parse_split_size(std::string_view text);

// Packs RESULT.manifest (every member of the bundle, no volume) into volumes
// of at most OPTIONS.split_size bytes, signs each with KEY and, unless
// OPTIONS.dry_run, writes them next to OPTIONS.output. Fills result.volumes,
// result.manifest_hash (volume 1's) and result.bundle_size (all volumes).
Status write_split_bundle(const MemberFiles& files, const SecretKey& key, const ExportOptions& options,
                          ExportResult& result);

}  // namespace airlock
