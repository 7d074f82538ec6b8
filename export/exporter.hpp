#pragma once
// Export: the store's items not yet sent to a destination, packed into one
// signed bundle (docs/bundle-format.md): manifest.json, manifest.sig, then
// each distinct part once, as the zstd blob the store already keeps.

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
};

struct ExportResult {
  BundleManifest manifest;
  Sha256Digest manifest_hash;
  std::uint64_t bundle_size = 0;  // estimated for a dry run
  bool written = false;           // false when nothing was new (or a dry run)
};

Result<ExportResult> export_bundle(Store& store, const SecretKey& key, const ExportOptions& options,
                                   RandomSource& random);

}  // namespace airlock
