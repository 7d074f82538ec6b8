#include "analyze/catalog/rpm_header.hpp"

#include <algorithm>
#include <array>
#include <unordered_map>

namespace airlock {

namespace {

// Sum of the joined file paths of one header above which the file list is
// refused: a hostile header can name one long directory from a million
// basenames. Real packages stay far below (texlive's largest: a few MiB).
constexpr std::size_t k_max_file_list_bytes = 64u * 1024 * 1024;

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

std::uint16_t be16(const unsigned char* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

Error bad(std::string message) { return Error(ErrorCode::invalid_input, "rpm header: " + std::move(message)); }

struct IndexEntry {
  std::uint32_t type = 0;
  std::uint32_t offset = 0;
  std::uint32_t count = 0;
};

// The index entries of the tags airlock reads, checked against the data
// store as they are read.
class HeaderView {
 public:
  HeaderView(std::string_view data, std::unordered_map<std::uint32_t, IndexEntry> entries)
      : m_data(data), m_entries(std::move(entries)) {}

  const IndexEntry* find(std::uint32_t tag) const {
    auto it = m_entries.find(tag);
    return it == m_entries.end() ? nullptr : &it->second;
  }

  // The entry of TAG if present; fails if its type is not one of TYPES or
  // its offset lies outside the data.
  Result<const IndexEntry*> entry(std::uint32_t tag, std::initializer_list<std::uint32_t> types) const {
    const IndexEntry* e = find(tag);
    if (e == nullptr) return static_cast<const IndexEntry*>(nullptr);
    bool type_ok = false;
    for (auto t : types) type_ok = type_ok || e->type == t;
    if (!type_ok) return bad("tag " + std::to_string(tag) + " has type " + std::to_string(e->type));
    if (e->offset >= m_data.size()) {
      return bad("tag " + std::to_string(tag) + " points at offset " + std::to_string(e->offset) +
                 " past the data (" + std::to_string(m_data.size()) + " bytes)");
    }
    return e;
  }

  // COUNT NUL-terminated strings from OFFSET; all must end inside the data.
  Result<std::vector<std::string>> strings_at(std::uint32_t tag, const IndexEntry& e) const {
    // Each string takes at least one byte, so a count above the bytes left
    // cannot be right (and would otherwise size a huge vector).
    if (e.count > m_data.size() - e.offset) {
      return bad("tag " + std::to_string(tag) + " declares " + std::to_string(e.count) + " strings in " +
                 std::to_string(m_data.size() - e.offset) + " bytes");
    }
    std::vector<std::string> out;
    out.reserve(e.count);
    std::size_t at = e.offset;
    for (std::uint32_t i = 0; i < e.count; ++i) {
      const std::size_t nul = m_data.find('\0', at);
      if (nul == std::string_view::npos) return bad("tag " + std::to_string(tag) + ": a string runs past the data");
      out.emplace_back(m_data.substr(at, nul - at));
      at = nul + 1;
    }
    return out;
  }

  Result<std::optional<std::string>> string(std::uint32_t tag) const {
    AIRLOCK_TRY_ASSIGN(const IndexEntry* e, entry(tag, {rpm_string_type, rpm_i18nstring_type}));
    if (e == nullptr) return std::optional<std::string>();
    if (e->count == 0) return bad("tag " + std::to_string(tag) + " holds no string");
    IndexEntry first = *e;
    first.count = 1;
    AIRLOCK_TRY_ASSIGN(auto values, strings_at(tag, first));
    return std::optional<std::string>(std::move(values.front()));
  }

  Result<std::vector<std::string>> string_array(std::uint32_t tag) const {
    AIRLOCK_TRY_ASSIGN(const IndexEntry* e, entry(tag, {rpm_string_array_type, rpm_i18nstring_type, rpm_string_type}));
    if (e == nullptr) return std::vector<std::string>();
    return strings_at(tag, *e);
  }

  // COUNT big-endian integers of WIDTH bytes.
  template <typename T, std::size_t Width>
  Result<std::vector<T>> integers(std::uint32_t tag, std::uint32_t type) const {
    AIRLOCK_TRY_ASSIGN(const IndexEntry* e, entry(tag, {type}));
    std::vector<T> out;
    if (e == nullptr) return out;
    const std::uint64_t bytes = std::uint64_t{e->count} * Width;
    if (bytes > m_data.size() - e->offset) {
      return bad("tag " + std::to_string(tag) + " declares " + std::to_string(e->count) + " values in " +
                 std::to_string(m_data.size() - e->offset) + " bytes");
    }
    out.reserve(e->count);
    const auto* p = reinterpret_cast<const unsigned char*>(m_data.data()) + e->offset;
    for (std::uint32_t i = 0; i < e->count; ++i, p += Width) {
      if constexpr (Width == 4) {
        out.push_back(static_cast<T>(be32(p)));
      } else {
        out.push_back(static_cast<T>(be16(p)));
      }
    }
    return out;
  }

  Result<std::optional<std::int32_t>> int32(std::uint32_t tag) const {
    AIRLOCK_TRY_ASSIGN(auto values, (integers<std::int32_t, 4>(tag, rpm_int32_type)));
    if (values.empty()) return std::optional<std::int32_t>();
    return std::optional<std::int32_t>(values.front());
  }

 private:
  std::string_view m_data;
  std::unordered_map<std::uint32_t, IndexEntry> m_entries;
};

std::string none_as_empty(std::optional<std::string> value) {
  if (!value || *value == "(none)") return "";
  return std::move(*value);
}

// Go's path.Clean: one slash between components, "." dropped, ".." removing
// the component before it (never climbing above "/").
std::string clean_path(std::string_view path) {
  const bool rooted = !path.empty() && path.front() == '/';
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out = rooted ? "/" : "";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

}  // namespace

Result<RpmHeader> parse_rpm_header(std::string_view blob) {
  if (blob.size() < 8) return bad("only " + std::to_string(blob.size()) + " bytes, shorter than its 8-byte preamble");
  const auto* bytes = reinterpret_cast<const unsigned char*>(blob.data());
  const std::uint32_t il = be32(bytes);
  const std::uint32_t dl = be32(bytes + 4);
  if (il == 0 || il > k_rpm_max_index_entries) return bad("index count " + std::to_string(il) + " out of range");
  if (dl > k_rpm_max_data_bytes) return bad("data size " + std::to_string(dl) + " over rpm's limit");
  const std::uint64_t data_start = 8 + std::uint64_t{il} * 16;
  if (data_start + dl > blob.size()) {
    return bad("declares " + std::to_string(il) + " entries and " + std::to_string(dl) + " data bytes but holds " +
               std::to_string(blob.size()) + " bytes");
  }
  const std::string_view data = blob.substr(data_start, dl);

  static constexpr std::array k_wanted = {
      rpmtag_name,       rpmtag_version,      rpmtag_release,      rpmtag_epoch,        rpmtag_size,
      rpmtag_vendor,     rpmtag_license,      rpmtag_arch,         rpmtag_filesizes,    rpmtag_filemodes,
      rpmtag_filedigests, rpmtag_fileflags,   rpmtag_fileusername, rpmtag_filegroupname, rpmtag_sourcerpm,
      rpmtag_providename, rpmtag_requirename, rpmtag_dirindexes,   rpmtag_basenames,    rpmtag_dirnames,
      rpmtag_filedigestalgo, rpmtag_modularitylabel};
  std::unordered_map<std::uint32_t, IndexEntry> entries;
  for (std::uint32_t i = 0; i < il; ++i) {
    const unsigned char* p = bytes + 8 + std::size_t{i} * 16;
    const std::uint32_t tag = be32(p);
    bool wanted = false;
    for (auto w : k_wanted) wanted = wanted || tag == w;
    if (!wanted) continue;
    // A later entry for the same tag replaces an earlier one: entries after
    // the immutable region ("dribble" entries) update it.
    entries[tag] = IndexEntry{be32(p + 4), be32(p + 8), be32(p + 12)};
  }
  const HeaderView view(data, std::move(entries));

  RpmHeader h;
  h.data_bytes = dl;
  AIRLOCK_TRY_ASSIGN(auto name, view.string(rpmtag_name));
  h.name = name.value_or("");
  AIRLOCK_TRY_ASSIGN(auto version, view.string(rpmtag_version));
  h.version = version.value_or("");
  AIRLOCK_TRY_ASSIGN(auto release, view.string(rpmtag_release));
  h.release = release.value_or("");
  AIRLOCK_TRY_ASSIGN(h.epoch, view.int32(rpmtag_epoch));
  AIRLOCK_TRY_ASSIGN(auto arch, view.string(rpmtag_arch));
  h.arch = arch.value_or("");
  AIRLOCK_TRY_ASSIGN(auto source_rpm, view.string(rpmtag_sourcerpm));
  h.source_rpm = none_as_empty(std::move(source_rpm));
  AIRLOCK_TRY_ASSIGN(auto vendor, view.string(rpmtag_vendor));
  h.vendor = none_as_empty(std::move(vendor));
  AIRLOCK_TRY_ASSIGN(auto license, view.string(rpmtag_license));
  h.license = none_as_empty(std::move(license));
  AIRLOCK_TRY_ASSIGN(auto label, view.string(rpmtag_modularitylabel));
  h.modularity_label = label.value_or("");
  AIRLOCK_TRY_ASSIGN(auto size, view.int32(rpmtag_size));
  h.size = size.value_or(0);
  AIRLOCK_TRY_ASSIGN(auto algorithm, view.int32(rpmtag_filedigestalgo));
  h.digest_algorithm = algorithm.value_or(0);
  AIRLOCK_TRY_ASSIGN(h.provides, view.string_array(rpmtag_providename));
  AIRLOCK_TRY_ASSIGN(h.requires_, view.string_array(rpmtag_requirename));
  AIRLOCK_TRY_ASSIGN(h.basenames, view.string_array(rpmtag_basenames));
  AIRLOCK_TRY_ASSIGN(h.dirnames, view.string_array(rpmtag_dirnames));
  AIRLOCK_TRY_ASSIGN(h.dir_indexes, (view.integers<std::int32_t, 4>(rpmtag_dirindexes, rpm_int32_type)));
  AIRLOCK_TRY_ASSIGN(h.file_digests, view.string_array(rpmtag_filedigests));
  AIRLOCK_TRY_ASSIGN(h.file_modes, (view.integers<std::uint16_t, 2>(rpmtag_filemodes, rpm_int16_type)));
  AIRLOCK_TRY_ASSIGN(h.file_sizes, (view.integers<std::int32_t, 4>(rpmtag_filesizes, rpm_int32_type)));
  AIRLOCK_TRY_ASSIGN(h.file_user_names, view.string_array(rpmtag_fileusername));
  AIRLOCK_TRY_ASSIGN(h.file_group_names, view.string_array(rpmtag_filegroupname));
  AIRLOCK_TRY_ASSIGN(h.file_flags, (view.integers<std::int32_t, 4>(rpmtag_fileflags, rpm_int32_type)));
  return h;
}

Result<std::vector<RpmFileInfo>> rpm_installed_files(const RpmHeader& h) {
  std::vector<RpmFileInfo> out;
  if (h.dirnames.empty() || h.dir_indexes.empty() || h.basenames.empty()) return out;
  if (h.dir_indexes.size() != h.basenames.size() || h.dirnames.size() > h.basenames.size()) {
    return bad("file list of " + h.name + " is inconsistent (" + std::to_string(h.basenames.size()) + " basenames, " +
               std::to_string(h.dir_indexes.size()) + " directory indexes, " + std::to_string(h.dirnames.size()) +
               " directories)");
  }
  // The joined paths may be longer than the header (directories are shared),
  // but not by much in a real package: at least ~20 bytes of per-file data
  // (basename, index, digest, mode, size, owner…) stand behind each path.
  // A header that names one long directory from a million one-byte
  // basenames is refused rather than expanded.
  const std::size_t limit = std::min<std::size_t>(k_max_file_list_bytes, std::size_t{h.data_bytes} * 8 + 4096);
  std::size_t total = 0;
  out.reserve(h.basenames.size());
  for (std::size_t i = 0; i < h.basenames.size(); ++i) {
    const std::int32_t dir = h.dir_indexes[i];
    if (dir < 0 || static_cast<std::size_t>(dir) >= h.dirnames.size()) {
      return bad("file list of " + h.name + ": file " + std::to_string(i) + " names directory " + std::to_string(dir) +
                 " of " + std::to_string(h.dirnames.size()));
    }
    total += h.dirnames[static_cast<std::size_t>(dir)].size() + h.basenames[i].size() + 1;
    if (total > limit) return bad("file list of " + h.name + " expands to more path bytes than its header can hold");
    RpmFileInfo f;
    const std::string& d = h.dirnames[static_cast<std::size_t>(dir)];
    f.path = d.empty() ? clean_path(h.basenames[i]) : clean_path(d + "/" + h.basenames[i]);
    if (i < h.file_modes.size()) f.mode = h.file_modes[i];
    if (i < h.file_sizes.size()) f.size = h.file_sizes[i];
    if (i < h.file_digests.size()) f.digest = h.file_digests[i];
    if (i < h.file_user_names.size()) f.user_name = h.file_user_names[i];
    if (i < h.file_group_names.size()) f.group_name = h.file_group_names[i];
    if (i < h.file_flags.size()) f.flags = h.file_flags[i];
    out.push_back(std::move(f));
  }
  return out;
}

std::string rpm_file_flags_string(std::int32_t flags) {
  // rpm's fflagsFormat order (lib/formats.c).
  static constexpr std::pair<std::int32_t, char> k_flags[] = {
      {1 << 1, 'd'},  // RPMFILE_DOC
      {1 << 0, 'c'},  // RPMFILE_CONFIG
      {1 << 5, 's'},  // RPMFILE_SPECFILE
      {1 << 3, 'm'},  // RPMFILE_MISSINGOK
      {1 << 4, 'n'},  // RPMFILE_NOREPLACE
      {1 << 6, 'g'},  // RPMFILE_GHOST
      {1 << 7, 'l'},  // RPMFILE_LICENSE
      {1 << 8, 'r'},  // RPMFILE_README
      {1 << 12, 'a'}, // RPMFILE_ARTIFACT
  };
  std::string out;
  for (const auto& [bit, letter] : k_flags) {
    if ((flags & bit) != 0) out += letter;
  }
  return out;
}

std::string rpm_digest_algorithm_name(std::int32_t algorithm) {
  switch (algorithm) {
    case 1: return "md5";
    case 2: return "sha1";
    case 3: return "ripemd160";
    case 5: return "md2";
    case 6: return "tiger192";
    case 7: return "haval-5-160";
    case 8: return "sha256";
    case 9: return "sha384";
    case 10: return "sha512";
    case 11: return "sha224";
    default: return "unknown-digest-algorithm";
  }
}

}  // namespace airlock
