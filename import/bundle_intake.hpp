#pragma once
// Bundle intake: proves a bundle against the trust store and moves its
// content into the state's blob store. Members are staged under
// state/staging/ while the bundle streams and handed on only once every
// hash and the signature hold; a failed bundle leaves nothing behind.

#include <filesystem>
#include <optional>

#include "import/import_state.hpp"
#include "store/bundle_reader.hpp"

namespace airlock {

struct TakenBundle {
  VerifiedBundle bundle;
  TrustedKey signer;
};

// Verifies PATH (signed by a trusted, unrevoked key), then stores its
// content members in STATE's blobs, decrypting them with DECRYPTION_KEY when
// the bundle is encrypted.
Result<TakenBundle> take_bundle(const std::filesystem::path& path, ImportState& state,
                                const std::optional<SecretKey>& decryption_key);

// Removes what an interrupted intake left in state/staging/.
void clear_staging(ImportState& state);

}  // namespace airlock
