#pragma once
// Bundle intake: proves a bundle against the trust store and moves its
// content into the state's blob store. Members are staged under
// state/staging/ while the bundle streams and handed on only once every
// hash and the signature hold; a failed bundle leaves nothing behind.
//
// A split bundle (docs/bundle-format.md, "Split volumes") is taken as one
// input: each volume is proven alone and its content kept in the blob store
// (so volumes can arrive over several runs), and the bundle is handed on
// once every part's content is there.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "import/import_state.hpp"
#include "store/bundle_reader.hpp"

namespace airlock {

struct TakenBundle {
  VerifiedBundle bundle;  // split: the set's items; manifest_hash is the set's (volume 1's)
  TrustedKey signer;
};

// One bundle file, or the volumes of one split bundle given in this run.
struct BundleInput {
  std::vector<std::filesystem::path> paths;
  // For reports: the path, or the volumes' paths.
  std::string name() const;
  // For progress: the file name, or "NAME.001.airlock + 2 volumes".
  std::string label() const;
};

// PATHS as inputs, in the order given: each bundle file alone, the volumes
// of one split bundle (by producer and bundle id, in any order) together.
// Reads only each file's manifest; a file that cannot be read stays an input
// of its own, for take_bundle to report.
std::vector<BundleInput> group_bundle_inputs(const std::vector<std::filesystem::path>& paths);

// Verifies INPUT (signed by a trusted, unrevoked key), then stores its
// content members in STATE's blobs, decrypting them with DECRYPTION_KEY when
// the bundle is encrypted. A split bundle whose parts are not all at hand yet
// is ErrorCode::not_found, naming the missing volumes; what its volumes
// brought stays in the blob store for a later run.
Result<TakenBundle> take_bundle(const BundleInput& input, ImportState& state,
                                const std::optional<SecretKey>& decryption_key);
inline Result<TakenBundle> take_bundle(const std::filesystem::path& path, ImportState& state,
                                       const std::optional<SecretKey>& decryption_key) {
  return take_bundle(BundleInput{{path}}, state, decryption_key);
}

// Removes what an interrupted intake left in state/staging/.
void clear_staging(ImportState& state);

}  // namespace airlock
