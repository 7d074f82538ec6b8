#include "export/split.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <set>

#include "base/file.hpp"
#include "store/bundle_tar.hpp"
#include "store/bundle_volumes.hpp"

namespace airlock {

namespace {

constexpr std::uint64_t k_block = 512;
constexpr std::uint64_t k_record = 10240;

std::uint64_t round_up(std::uint64_t n, std::uint64_t to) { return (n + to - 1) / to * to; }

// A member's bytes in the tar: its header, its data, the padding after it.
std::uint64_t tar_member(std::uint64_t size) { return k_block + round_up(size, k_block); }

// A whole volume: manifest.json and manifest.sig, the members (PAYLOAD, as
// tar_member counts them), the two end blocks, all padded to a record.
std::uint64_t volume_bytes(std::uint64_t manifest, std::uint64_t signature, std::uint64_t payload) {
  return round_up(tar_member(manifest) + tar_member(signature) + payload + 2 * k_block, k_record);
}

// What listing a member adds to manifest.json at most: its entry in
// "members" (name, a size of up to 20 digits, 64 hex digits) with the
// indentation, quotes and separators around it.
std::uint64_t entry_bound(const BundleMember& member) { return member.name.size() + 200; }

Error bad_size(std::string_view text) {
  return Error(ErrorCode::usage, "--split-size '" + std::string(text.substr(0, 40)) +
                                     "' is not a size: give bytes, or a number with K, M, G or T (powers of 1000, "
                                     "as media are sold: 4.7G is 4,700,000,000 bytes) or KiB, MiB, GiB, TiB "
                                     "(powers of 1024), e.g. 4.7G, 25G, 700M, 1GiB");
}

struct PlannedVolume {
  std::vector<std::size_t> members;  // indexes into the set's members
  std::uint64_t payload = 0;
  std::uint64_t manifest_extra = 0;  // entry_bound of its members
};

// "part sbom of item 3f… (shop/1.4.0/acme/api)" for each member name.
std::map<std::string, std::string> member_labels(const BundleManifest& m) {
  std::map<std::string, std::string> out;
  for (const auto& item : m.items) {
    for (const auto& part : item.parts) {
      out.emplace(member_name(part.blob, m.encrypted()),
                  "part " + part.name + " of item " + item.id + " (" + item.app + "/" + item.version + "/" + item.asset + ")");
    }
  }
  return out;
}

// Volume files of an earlier export under this name that this one would
// not overwrite: `airlock import NAME.*.airlock` would pick them up too.
Status refuse_stale_volumes(const std::filesystem::path& output, const std::set<std::string>& ours) {
  const std::string first = volume_path(output, 1, 1).filename().string();
  const std::string stem = first.substr(0, first.size() - std::string(".001.airlock").size());
  std::filesystem::path dir = output.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (!file.starts_with(stem + ".") || !file.ends_with(".airlock") || ours.count(file) > 0) continue;
    const std::string number = file.substr(stem.size() + 1, file.size() - stem.size() - 1 - 8);
    if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos) continue;
    return Error(ErrorCode::conflict, (dir / file).string() + " is a volume of an earlier export that this one would " +
                                          "not replace (it writes " + std::to_string(ours.size()) +
                                          " volumes); move it away or choose another -o, so that the volumes of "
                                          "two bundles are not mistaken for one set");
  }
  return {};
}

// Removes every staged or already renamed volume unless released.
class VolumeFiles {
 public:
  ~VolumeFiles() {
    if (m_kept) return;
    std::error_code ec;
    for (const auto& p : m_paths) std::filesystem::remove(p, ec);
  }
  void add(std::filesystem::path path) { m_paths.push_back(std::move(path)); }
  void keep() { m_kept = true; }

 private:
  std::vector<std::filesystem::path> m_paths;
  bool m_kept = false;
};

}  // namespace

Result<std::uint64_t> parse_split_size(std::string_view text) {
  std::size_t i = 0;
  std::uint64_t whole = 0;
  const auto digit = [&](std::size_t at) { return at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); };
  if (!digit(0)) return bad_size(text);
  for (; digit(i); ++i) {
    if (whole > (UINT64_MAX - 9) / 10) return bad_size(text);
    whole = whole * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  std::uint64_t fraction = 0, scale = 1;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digit(i)) return bad_size(text);
    for (; digit(i); ++i) {
      if (scale >= 1000000000) continue;  // further digits are below a byte
      fraction = fraction * 10 + static_cast<std::uint64_t>(text[i] - '0');
      scale *= 10;
    }
  }
  std::string unit;
  for (; i < text.size(); ++i) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  static const std::map<std::string, std::uint64_t> units = {
      {"", 1},          {"b", 1},
      {"k", 1000},      {"kb", 1000},      {"m", 1000000},        {"mb", 1000000},
      {"g", 1000000000}, {"gb", 1000000000}, {"t", 1000000000000}, {"tb", 1000000000000},
      {"kib", 1ull << 10}, {"mib", 1ull << 20}, {"gib", 1ull << 30}, {"tib", 1ull << 40}};
  const auto u = units.find(unit);
  if (u == units.end()) return bad_size(text);
  const std::uint64_t factor = u->second;
  if (factor == 1 && fraction != 0) return bad_size(text);
  if (whole > (1ull << 62) / factor) return bad_size(text);
  // fraction × factor / scale without overflow (fraction < scale ≤ 10⁹).
  const std::uint64_t bytes = whole * factor + fraction * (factor / scale) + fraction * (factor % scale) / scale;
  if (bytes == 0) return Error(ErrorCode::usage, "--split-size must be more than 0 bytes");
  return bytes;
}

Status write_split_bundle(const MemberFiles& files, const SecretKey& key, const ExportOptions& options,
                          ExportResult& result) {
  const BundleManifest& set = result.manifest;
  const PublicKey producer = key.public_key();
  const std::uint64_t limit = options.split_size;
  const std::uint64_t signature_size = serialize_signature(producer, Signature{}).size();

  // The manifest without members, every number at its widest: what each
  // volume's manifest.json holds besides its own member entries, at most.
  BundleManifest volume = set;
  volume.members.clear();
  volume.volume = BundleVolume{k_max_volumes, k_max_volumes, Sha256Digest{}};
  for (const auto& member : set.members) volume.member_volumes[member.name] = k_max_volumes;
  const std::uint64_t base = serialize_bundle_manifest(volume).size();
  const auto fits = [&](const PlannedVolume& v, const BundleMember& m) {
    return volume_bytes(base + v.manifest_extra + entry_bound(m), signature_size, v.payload + tar_member(m.size)) <= limit;
  };

  // A volume must hold the largest member with the manifest: say so before
  // anything is packed, with the smallest size that would do.
  const auto labels = member_labels(set);
  const BundleMember* largest = nullptr;
  std::uint64_t needed = 0;
  for (const auto& m : set.members) {
    const std::uint64_t alone = volume_bytes(base + entry_bound(m), signature_size, tar_member(m.size));
    if (alone > needed) {
      needed = alone;
      largest = &m;
    }
  }
  if (largest != nullptr && needed > limit) {
    const auto label = labels.find(largest->name);
    return Error(ErrorCode::usage, (label == labels.end() ? largest->name : label->second) + " is " +
                                       std::to_string(largest->size) + " bytes as a bundle member; a part is never split "
                                       "across volumes, and a volume holding it with the manifest needs " +
                                       std::to_string(needed) + " bytes: use --split-size " + std::to_string(needed) +
                                       " or more");
  }

  // First fit, in item order: an item's parts mostly land in one volume.
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < set.members.size(); ++i) index_of.emplace(set.members[i].name, i);
  std::vector<std::size_t> order;
  std::vector<bool> placed(set.members.size(), false);
  for (const auto& item : set.items) {
    for (const auto& part : item.parts) {
      const auto it = index_of.find(member_name(part.blob, set.encrypted()));
      if (it != index_of.end() && !placed[it->second]) {
        placed[it->second] = true;
        order.push_back(it->second);
      }
    }
  }
  for (std::size_t i = 0; i < set.members.size(); ++i) {
    if (!placed[i]) order.push_back(i);  // named by no part: none today, but never dropped
  }
  std::vector<PlannedVolume> plan;
  for (const std::size_t i : order) {
    const BundleMember& m = set.members[i];
    auto slot = std::find_if(plan.begin(), plan.end(), [&](const PlannedVolume& v) { return fits(v, m); });
    if (slot == plan.end()) slot = plan.insert(plan.end(), PlannedVolume{});
    slot->members.push_back(i);
    slot->payload += tar_member(m.size);
    slot->manifest_extra += entry_bound(m);
  }
  if (plan.empty()) plan.emplace_back();
  if (plan.size() > k_max_volumes) {
    return Error(ErrorCode::usage, "--split-size " + std::to_string(limit) + " would make " + std::to_string(plan.size()) +
                                       " volumes, more than " + std::to_string(k_max_volumes) + "; choose a larger size");
  }
  const auto count = static_cast<std::uint32_t>(plan.size());
  volume.member_volumes.clear();
  for (std::uint32_t k = 0; k < count; ++k) {
    for (const std::size_t i : plan[k].members) volume.member_volumes[set.members[i].name] = k + 1;
  }

  // Each volume's manifest.json, made twice (to size it here, to write it
  // below) rather than held: a manifest may be megabytes, volumes many.
  std::optional<Sha256Digest> first;
  const auto manifest_of = [&](std::uint32_t k) {
    volume.members.clear();
    for (const std::size_t i : plan[k - 1].members) volume.members.push_back(set.members[i]);
    volume.volume = BundleVolume{k, count, k == 1 ? std::nullopt : first};
    return serialize_bundle_manifest(volume);
  };
  std::set<std::string> names;
  result.volumes.clear();
  result.bundle_size = 0;
  for (std::uint32_t k = 1; k <= count; ++k) {
    const std::string manifest = manifest_of(k);
    if (k == 1) first = sha256(manifest);
    if (manifest.size() > k_max_bundle_manifest) {
      return Error(ErrorCode::usage, "a volume's manifest.json would be " + std::to_string(manifest.size()) +
                                         " bytes, over the 16 MiB a reader accepts: export fewer items at a time");
    }
    ExportedVolume v{volume_path(options.output, k, count), k, volume_bytes(manifest.size(), signature_size, plan[k - 1].payload),
                     plan[k - 1].members.size()};
    if (v.size > limit) {
      return Error(ErrorCode::internal, "volume " + std::to_string(k) + " came out at " + std::to_string(v.size) +
                                            " bytes, over --split-size " + std::to_string(limit));
    }
    names.insert(v.path.filename().string());
    result.bundle_size += v.size;
    result.volumes.push_back(std::move(v));
  }
  result.manifest_hash = *first;
  AIRLOCK_TRY(refuse_stale_volumes(options.output, names));
  if (options.dry_run) return {};

  // Every volume complete and synced under "<name>.incomplete" first, then
  // all renamed: a failure or a crash never leaves a set short of a volume
  // under the final names.
  VolumeFiles cleanup;
  std::vector<std::filesystem::path> staged;
  for (std::uint32_t k = 1; k <= count; ++k) {
    const std::string manifest = manifest_of(k);
    const std::string signature = serialize_signature(producer, sign(key, as_bytes(manifest)));
    const std::filesystem::path path = result.volumes[k - 1].path.string() + ".incomplete";
    AIRLOCK_TRY_ASSIGN(auto file, AtomicFile::create(path, 0644));
    AIRLOCK_TRY(write_bundle_tar(*file, manifest, signature, volume.members, files));
    AIRLOCK_TRY(file->commit());
    cleanup.add(path);
    staged.push_back(path);
  }
  for (std::uint32_t k = 1; k <= count; ++k) {
    const auto& final_path = result.volumes[k - 1].path;
    if (::rename(staged[k - 1].c_str(), final_path.c_str()) != 0) {
      return Error::from_errno("cannot rename into place", final_path.string());
    }
    cleanup.add(final_path);
  }
  std::filesystem::path dir = options.output.parent_path();
  if (dir.empty()) dir = ".";
  if (const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  for (auto& v : result.volumes) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(v.path, ec);
    if (ec || size != v.size) return Error(ErrorCode::io, v.path.string() + " is not the size it was written at");
  }
  cleanup.keep();
  result.written = true;
  return {};
}

}  // namespace airlock
