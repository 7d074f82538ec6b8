#pragma once
// Reading a bundle as untrusted input: the signature first, then every
// member streamed and checked against the signed manifest. Nothing of a
// bundle is handed on before the part it comes from has been proven.

#include <functional>
#include <vector>

#include "base/byte_stream.hpp"
#include "crypto/keys.hpp"
#include "store/bundle_manifest.hpp"

namespace airlock {

struct VerifiedBundle {
  BundleManifest manifest;
  Sha256Digest manifest_hash;  // "sha256:" + this is what the next bundle's `previous` names
};

// Receives each content member's bytes as they stream; they are proven only
// when verify_bundle returns success (the member's hash is checked at its end).
using MemberVisitor = std::function<Status(const BundleMember&, ByteSource& bytes)>;

// Verifies BUNDLE against TRUSTED keys (any of them may have signed it).
// NAME is used in messages. Verification failures are ErrorCode::verification.
Result<VerifiedBundle> verify_bundle(ByteSource& bundle, const std::vector<PublicKey>& trusted,
                                     const std::string& name, const MemberVisitor& visitor = nullptr);

// Reads only manifest.json and manifest.sig (for inspect without trusted
// keys): the manifest is returned unverified unless TRUSTED holds its signer.
struct ManifestPeek {
  BundleManifest manifest;
  Sha256Digest manifest_hash;
  bool signature_checked = false;
};
Result<ManifestPeek> read_bundle_manifest(ByteSource& bundle, const std::vector<PublicKey>& trusted,
                                          const std::string& name);

}  // namespace airlock
