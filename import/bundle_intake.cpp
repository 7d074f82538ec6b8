#include "import/bundle_intake.hpp"

#include <unistd.h>

#include <algorithm>
#include <map>

#include "base/file.hpp"
#include "crypto/sealed_stream.hpp"
#include "store/bundle_volumes.hpp"

namespace airlock {

namespace {

// "blobs/sha256/<hex>.zst[.sealed]" → the content digest.
Result<Sha256Digest> content_of(const BundleMember& member, const std::string& bundle) {
  std::string_view name = member.name;
  constexpr std::string_view prefix = "blobs/sha256/";
  if (!name.starts_with(prefix)) return Error(ErrorCode::verification, bundle + ": unexpected member " + member.name);
  name.remove_prefix(prefix.size());
  const auto dot = name.find('.');
  return Sha256Digest::parse("sha256:" + std::string(name.substr(0, dot)));
}

class StagingDir {
 public:
  explicit StagingDir(std::filesystem::path path) : m_path(std::move(path)) {}
  ~StagingDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

struct Trust {
  std::vector<TrustedKey> keys;  // revoked ones too, for messages
  std::vector<PublicKey> trusted;
};

// Proves one bundle file and moves its content into STATE's blobs.
Result<VerifiedBundle> take_one(const std::filesystem::path& path, ImportState& state, const Trust& trust,
                                const std::optional<SecretKey>& decryption_key) {
  const std::string name = path.string();
  const std::vector<TrustedKey>& keys = trust.keys;
  const std::vector<PublicKey>& trusted = trust.trusted;
  {
    // Tell an encrypted bundle without a key apart before the long read.
    AIRLOCK_TRY_ASSIGN(auto head_source, FileSource::open(path));
    AIRLOCK_TRY_ASSIGN(const ManifestPeek peek, read_bundle_manifest(*head_source, trusted, name));
    if (!peek.signature_checked) {
      std::string hint = "; trust it with `airlock trust add PUB --accounts …`";
      for (const auto& k : keys) {
        if (k.key.key_id() == peek.manifest.producer_key_id && k.revoked) hint = " (trusted as '" + k.name + "' until it was revoked " + *k.revoked + ")";
      }
      return Error(ErrorCode::verification,
                   name + ": signed by key " + peek.manifest.producer_key_id + ", which is not trusted" + hint);
    }
    if (peek.manifest.encrypted()) {
      const auto& r = peek.manifest.recipients;
      if (!decryption_key ||
          std::find(r.begin(), r.end(), decryption_key->public_key().key_id()) == r.end()) {
        std::string ids;
        for (const auto& id : r) ids += (ids.empty() ? "" : ", ") + id;
        return Error(ErrorCode::usage, name + ": the bundle is encrypted to key(s) " + ids +
                                           "; pass --key with the secret key of one of them");
      }
    }
  }
  const std::filesystem::path staging_root = state.dir() / "staging";
  std::error_code ec;
  std::filesystem::create_directories(staging_root, ec);
  std::string pattern = (staging_root / "bundle-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return Error::from_errno("cannot create a staging folder in", staging_root.string());
  const StagingDir staging(pattern);

  std::map<std::string, std::filesystem::path> staged;  // member name → staged file
  const MemberVisitor stage = [&](const BundleMember& member, ByteSource& bytes) -> Status {
    const auto file = staging.path() / std::to_string(staged.size());
    AIRLOCK_TRY_ASSIGN(auto out, AtomicFile::create(file, 0600));
    AIRLOCK_TRY(copy_stream(bytes, *out));
    AIRLOCK_TRY(out->commit(Durability::none));
    staged[member.name] = file;
    return {};
  };
  AIRLOCK_TRY_ASSIGN(auto source, FileSource::open(path));
  AIRLOCK_TRY_ASSIGN(VerifiedBundle verified, verify_bundle(*source, trusted, name, stage));

  // Proven: hand the content on. Blob files are fsynced as they land, since
  // the ledger will point at them.
  for (const auto& member : verified.manifest.members) {
    AIRLOCK_TRY_ASSIGN(const Sha256Digest content, content_of(member, name));
    if (state.blobs().contains(content)) continue;
    const auto it = staged.find(member.name);
    if (it == staged.end()) return Error(ErrorCode::verification, name + ": member " + member.name + " was not read");
    const auto target = state.blobs().path_of(content);
    std::filesystem::create_directories(target.parent_path(), ec);
    AIRLOCK_TRY_ASSIGN(auto out, AtomicFile::create(target, 0600));
    AIRLOCK_TRY_ASSIGN(auto in, FileSource::open(it->second));
    if (verified.manifest.encrypted()) {
      AIRLOCK_TRY(decrypt_stream(*in, *out, *decryption_key).context(name + ": " + member.name));
    } else {
      AIRLOCK_TRY(copy_stream(*in, *out));
    }
    AIRLOCK_TRY(out->commit());
    // The blob's name is a promise about its content: check it once now, so
    // a sealed member that decrypts to other bytes fails here, not mid-upload.
    if (auto checked = state.blobs().verify(content); !checked) {
      static_cast<void>(state.blobs().remove(content));
      return Error(ErrorCode::verification, name + ": " + checked.error().message());
    }
  }
  return verified;
}

TakenBundle taken(VerifiedBundle bundle, const Trust& trust) {
  TakenBundle out{std::move(bundle), {}};
  for (const auto& k : trust.keys) {
    if (!k.revoked && k.key == out.bundle.manifest.producer_key) out.signer = k;
  }
  return out;
}

// The volumes of one split bundle: each proven alone and its content kept,
// whatever the others hold; then the set is handed on if every part's
// content is at hand, from these volumes or from those of an earlier run.
Result<TakenBundle> take_volumes(const BundleInput& input, ImportState& state, const Trust& trust,
                                 const std::optional<SecretKey>& decryption_key,
                                 std::optional<VerifiedBundle> first_taken) {
  VolumeSet set;
  std::vector<Error> failures;
  for (std::size_t i = 0; i < input.paths.size(); ++i) {
    Result<VerifiedBundle> volume = i == 0 && first_taken ? Result<VerifiedBundle>(std::move(*first_taken))
                                                          : take_one(input.paths[i], state, trust, decryption_key);
    if (!volume && volume.error().code() == ErrorCode::usage) return volume.error();  // e.g. no key: the same for all
    if (!volume) {
      failures.push_back(volume.error());
      continue;
    }
    if (auto added = set.add(*volume, input.paths[i].string()); !added) failures.push_back(added.error());
  }
  if (!failures.empty()) {
    std::string message;
    ErrorCode code = failures.front().code();
    for (const auto& f : failures) {
      message += (message.empty() ? "" : "; ") + f.message();
      if (f.code() == ErrorCode::verification) code = ErrorCode::verification;
    }
    if (!set.empty()) message += " (the other volumes given were verified and their parts kept for a later run)";
    return Error(code, message);
  }
  const BundleManifest& m = set.manifest();
  const auto lacking = set.volumes_lacking([&](const Sha256Digest& d) { return state.blobs().contains(d); });
  if (!lacking.empty()) {
    const std::uint32_t known = set.given().front();
    std::string files;
    for (const auto v : lacking) {
      const auto sibling = sibling_volume_path(set.name_of(known), known, v, set.count());
      if (sibling) files += (files.empty() ? "" : ", ") + sibling->string();
    }
    return Error(ErrorCode::not_found,
                 input.name() + ": bundle " + m.bundle_id + " (sequence " + std::to_string(m.sequence) + ") is split into " +
                     std::to_string(set.count()) + " volumes, and volume" + (lacking.size() > 1 ? "s " : " ") +
                     volume_list(lacking) + (lacking.size() > 1 ? " are" : " is") + " missing" +
                     (files.empty() ? "" : " (" + files + ")") +
                     ": nothing of it was imported. The volumes given were verified and their parts kept in the "
                     "state; import the missing ones (alone or with the others) to finish it");
  }
  return taken(VerifiedBundle{m, set.chain_hash()}, trust);
}

}  // namespace

std::string BundleInput::name() const {
  if (paths.empty()) return "";
  std::string out = paths.front().string();
  if (paths.size() > 3) return out + ", " + paths[1].string() + " and " + std::to_string(paths.size() - 2) + " more volumes";
  for (std::size_t i = 1; i < paths.size(); ++i) out += ", " + paths[i].string();
  return out;
}

std::string BundleInput::label() const {
  if (paths.empty()) return "";
  const std::string file = paths.front().filename().string();
  return paths.size() == 1 ? file : file + " + " + std::to_string(paths.size() - 1) + " volumes";
}

std::vector<BundleInput> group_bundle_inputs(const std::vector<std::filesystem::path>& paths) {
  std::vector<BundleInput> out;
  std::map<std::string, std::size_t> sets;  // producer, bundle id → index in OUT
  for (const auto& path : paths) {
    std::optional<std::string> set;
    if (auto source = FileSource::open(path)) {
      // Unverified, for grouping only: take_bundle proves every volume.
      if (auto peek = read_bundle_manifest(**source, {}, path.string()); peek && peek->manifest.volume) {
        set = peek->manifest.producer_key_id + "\n" + peek->manifest.bundle_id;
      }
    }
    if (!set) {
      out.push_back({{path}});
      continue;
    }
    const auto [it, inserted] = sets.emplace(*set, out.size());
    if (inserted) {
      out.push_back({{path}});
    } else {
      out[it->second].paths.push_back(path);
    }
  }
  return out;
}

void clear_staging(ImportState& state) {
  std::error_code ec;
  std::filesystem::remove_all(state.dir() / "staging", ec);
}

Result<TakenBundle> take_bundle(const BundleInput& input, ImportState& state,
                                const std::optional<SecretKey>& decryption_key) {
  if (input.paths.empty()) return Error(ErrorCode::internal, "take_bundle: no bundle given");
  Trust trust;
  AIRLOCK_TRY_ASSIGN(trust.keys, state.trusted_keys());
  for (const auto& k : trust.keys) {
    if (!k.revoked) trust.trusted.push_back(k.key);
  }
  if (input.paths.size() == 1) {
    AIRLOCK_TRY_ASSIGN(VerifiedBundle bundle, take_one(input.paths.front(), state, trust, decryption_key));
    if (!bundle.manifest.volume) return taken(std::move(bundle), trust);
    return take_volumes(input, state, trust, decryption_key, std::move(bundle));
  }
  return take_volumes(input, state, trust, decryption_key, std::nullopt);
}

}  // namespace airlock
