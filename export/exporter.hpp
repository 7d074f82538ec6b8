#pragma once
// Export: the store's items not yet sent to a destination, packed into one
// signed bundle (docs/bundle-format.md): manifest.json, manifest.sig, then
// each distinct part once, as the zstd blob the store already keeps; or into
// volumes of a split bundle, each one such signed file (export/split.hpp).

#include <filesystem>
#include <string>
#include <vector>

#include "base/random.hpp"
#include "crypto/keys.hpp"
#include "store/bundle_manifest.hpp"
#include "store/store.hpp"

namespace airlock {

struct ExportOptions {
  std::filesystem::path output;
  std::string destination = "default";
  bool all = false;      // every item, sent before or not
  bool resend_unacknowledged = false;  // also items sent before that no receipt acknowledged
  bool dry_run = false;  // plan only: nothing is written or recorded
  // Encrypt the content members to these keys (encrypt-then-sign: verify
  // still needs only the producer's public key).
  std::vector<PublicKey> recipients;
  // Split into volumes of at most this many bytes each, written as
  // volume_path(output, 1…n, n) (docs/bundle-format.md "Split volumes");
  // 0: one bundle file.
  std::uint64_t split_size = 0;
};

struct ExportedVolume {
  std::filesystem::path path;
  std::uint32_t index = 0;
  std::uint64_t size = 0;  // exact, also for a dry run (sealed sizes follow from the plain ones)
  std::size_t members = 0;
};

struct ExportResult {
  BundleManifest manifest;     // split: the whole set's members, no volume
  Sha256Digest manifest_hash;  // split: volume 1's, the set's identity in the chain
  std::uint64_t bundle_size = 0;  // estimated for a dry run
  bool written = false;           // false when nothing was new (or a dry run)
  std::vector<ExportedVolume> volumes;  // split only
};

Result<ExportResult> export_bundle(Store& store, const SecretKey& key, const ExportOptions& options,
                                   RandomSource& random);

}  // namespace airlock
