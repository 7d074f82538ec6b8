#include "store/bundle_volumes.hpp"

#include <set>

namespace airlock {

namespace {

constexpr std::string_view k_extension = ".airlock";

std::string padded(std::uint32_t index, std::uint32_t count) {
  const std::size_t width = std::max<std::size_t>(3, std::to_string(count).size());
  std::string digits = std::to_string(index);
  return std::string(width > digits.size() ? width - digits.size() : 0, '0') + digits;
}

Error disagree(const std::string& name, const std::string& what) {
  return Error(ErrorCode::verification, name + ": " + what + " (the volumes were not written by one export, or one was altered)");
}

}  // namespace

std::filesystem::path volume_path(const std::filesystem::path& output, std::uint32_t index, std::uint32_t count) {
  std::string stem = output.filename().string();
  if (stem.size() > k_extension.size() && stem.ends_with(k_extension)) stem.resize(stem.size() - k_extension.size());
  return output.parent_path() / (stem + "." + padded(index, count) + std::string(k_extension));
}

std::optional<std::filesystem::path> sibling_volume_path(const std::filesystem::path& given, std::uint32_t given_index,
                                                         std::uint32_t index, std::uint32_t count) {
  const std::string file = given.filename().string();
  const std::string suffix = "." + padded(given_index, count) + std::string(k_extension);
  if (file.size() <= suffix.size() || !file.ends_with(suffix)) return std::nullopt;
  return volume_path(given.parent_path() / file.substr(0, file.size() - suffix.size()), index, count);
}

Sha256Digest volume_set_fingerprint(const BundleManifest& manifest) {
  BundleManifest shared = manifest;
  shared.members.clear();
  if (shared.volume) {
    shared.volume->index = 0;
    shared.volume->first.reset();
  }
  return sha256(serialize_bundle_manifest(shared));
}

std::string volume_list(const std::vector<std::uint32_t>& indexes) {
  constexpr std::size_t k_shown = 20;  // a message, not a listing of thousands
  std::string out;
  for (std::size_t i = 0; i < indexes.size() && i < k_shown; ++i) out += (out.empty() ? "" : ", ") + std::to_string(indexes[i]);
  if (indexes.size() > k_shown) out += " and " + std::to_string(indexes.size() - k_shown) + " more";
  return out;
}

Status VolumeSet::add(const VerifiedBundle& volume, const std::string& name) {
  const BundleManifest& m = volume.manifest;
  if (!m.volume || (m.volume->index != 1 && !m.volume->first)) {
    return Error(ErrorCode::verification, name + ": bundle " + m.bundle_id + " is not a volume of a split bundle");
  }
  const Sha256Digest fingerprint = volume_set_fingerprint(m);
  const std::uint32_t index = m.volume->index;
  if (m_manifest) {
    const std::string earlier = m_names.begin()->second;
    if (m.producer_key_id != m_manifest->producer_key_id || m.bundle_id != m_manifest->bundle_id) {
      return disagree(name, "belongs to bundle " + m.bundle_id + ", not to bundle " + m_manifest->bundle_id + " of " + earlier);
    }
    if (fingerprint != m_fingerprint) {
      return disagree(name, "volume " + std::to_string(index) + " of bundle " + m.bundle_id +
                                " lists other items, sequence or volume count than " + earlier);
    }
  }
  if (const auto seen = m_hashes.find(index); seen != m_hashes.end()) {
    if (seen->second == volume.manifest_hash) return {};  // another copy of the same volume
    return disagree(name, "a different volume " + std::to_string(index) + " than " + m_names.at(index));
  }
  const Sha256Digest first = index == 1 ? volume.manifest_hash : *m.volume->first;
  if (m_first && *m_first != first) {
    return disagree(name, index == 1 ? "volume 1 is not the volume 1 the other volumes name"
                                     : "volume " + std::to_string(index) + " names another volume 1 than the others");
  }
  if (!m_manifest) {
    m_manifest = m;
    m_fingerprint = fingerprint;
  }
  m_first = first;
  m_hashes[index] = volume.manifest_hash;
  m_names[index] = name;
  return {};
}

std::vector<std::uint32_t> VolumeSet::given() const {
  std::vector<std::uint32_t> out;
  for (const auto& [index, hash] : m_hashes) out.push_back(index);
  return out;
}

std::vector<std::uint32_t> VolumeSet::missing() const {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 1; i <= count(); ++i) {
    if (m_hashes.count(i) == 0) out.push_back(i);
  }
  return out;
}

std::vector<std::uint32_t> VolumeSet::volumes_lacking(const std::function<bool(const Sha256Digest&)>& have) const {
  std::set<std::uint32_t> lacking;
  if (!m_manifest) return {};
  for (const auto& item : m_manifest->items) {
    for (const auto& part : item.parts) {
      if (have(part.blob)) continue;
      const auto v = m_manifest->member_volumes.find(member_name(part.blob, m_manifest->encrypted()));
      lacking.insert(v == m_manifest->member_volumes.end() ? 0 : v->second);
    }
  }
  return {lacking.begin(), lacking.end()};
}

}  // namespace airlock
