#pragma once
// The rpm header blob: what every rpm database (sqlite, BerkeleyDB, NDB)
// stores once per installed package. Layout (rpm's lib/header.c, all
// big-endian): il (entry count, 4 bytes), dl (data size, 4 bytes), il index
// entries of 16 bytes {tag, type, offset, count}, then dl bytes of data that
// the entries point into. A header inside an image is untrusted input: every
// offset and count is checked against the blob before it is used, and a bad
// one rejects the header (or, for the file list, the file list) with a
// message instead of reading out of bounds.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace airlock {

// Tags airlock reads (rpm's lib/rpmtag.h).
enum RpmTag : std::uint32_t {
  rpmtag_name = 1000,
  rpmtag_version = 1001,
  rpmtag_release = 1002,
  rpmtag_epoch = 1003,
  rpmtag_size = 1009,
  rpmtag_vendor = 1011,
  rpmtag_license = 1014,
  rpmtag_arch = 1022,
  rpmtag_filesizes = 1028,
  rpmtag_filemodes = 1030,
  rpmtag_filedigests = 1035,
  rpmtag_fileflags = 1037,
  rpmtag_fileusername = 1039,
  rpmtag_filegroupname = 1040,
  rpmtag_sourcerpm = 1044,
  rpmtag_providename = 1047,
  rpmtag_requirename = 1049,
  rpmtag_dirindexes = 1116,
  rpmtag_basenames = 1117,
  rpmtag_dirnames = 1118,
  rpmtag_filedigestalgo = 5011,
  rpmtag_modularitylabel = 5096,
};

// Data types of index entries.
enum RpmType : std::uint32_t {
  rpm_null_type = 0,
  rpm_char_type = 1,
  rpm_int8_type = 2,
  rpm_int16_type = 3,
  rpm_int32_type = 4,
  rpm_int64_type = 5,
  rpm_string_type = 6,
  rpm_bin_type = 7,
  rpm_string_array_type = 8,
  rpm_i18nstring_type = 9,
};

// rpm's own limits (HEADER_TAGS_MAX, HEADER_DATA_MAX, headerMaxbytes).
inline constexpr std::uint32_t k_rpm_max_index_entries = 0xffff;
inline constexpr std::uint32_t k_rpm_max_data_bytes = 256u * 1024 * 1024;

struct RpmHeader {
  std::uint32_t data_bytes = 0;  // dl: the size of the data store
  std::string name;
  std::string version;
  std::string release;
  std::optional<std::int32_t> epoch;
  std::string arch;
  std::string source_rpm;  // "(none)" is read as ""
  std::string vendor;      // "(none)" is read as ""
  std::string license;     // "(none)" is read as ""
  std::string modularity_label;
  std::int32_t size = 0;
  std::int32_t digest_algorithm = 0;  // 0 when the tag is absent
  std::vector<std::string> provides;
  std::vector<std::string> requires_;
  // The file list, in parallel arrays as rpm keeps it.
  std::vector<std::string> basenames;
  std::vector<std::string> dirnames;
  std::vector<std::int32_t> dir_indexes;
  std::vector<std::string> file_digests;
  std::vector<std::uint16_t> file_modes;
  std::vector<std::int32_t> file_sizes;
  std::vector<std::string> file_user_names;
  std::vector<std::string> file_group_names;
  std::vector<std::int32_t> file_flags;
};

struct RpmFileInfo {
  std::string path;
  std::uint16_t mode = 0;
  std::int32_t size = 0;
  std::string digest;
  std::string user_name;
  std::string group_name;
  std::int32_t flags = 0;
};

// Where the database readers (rpm_sqlite, rpm_bdb, rpm_ndb) hand each
// package's header blob; the view is valid only during the call.
using RpmBlobVisitor = std::function<void(std::string_view blob)>;

// Problems met while reading one database: the first few are kept word for
// word, the rest only counted, so a badly damaged file cannot flood the
// warnings.
class RpmProblems {
 public:
  static constexpr std::size_t k_kept = 16;
  void add(std::string message) {
    if (m_kept.size() < k_kept) m_kept.push_back(std::move(message));
    ++m_count;
  }
  const std::vector<std::string>& kept() const { return m_kept; }
  std::size_t count() const { return m_count; }

 private:
  std::vector<std::string> m_kept;
  std::size_t m_count = 0;
};

// Parses one header blob (without the 8-byte magic a .rpm file puts before
// it, as databases store it). Bytes after the declared data are ignored.
Result<RpmHeader> parse_rpm_header(std::string_view blob);

// The installed files: DIRNAMES[DIRINDEXES[i]] joined with BASENAMES[i] and
// cleaned, with the other per-file arrays (missing values are left empty/0,
// as go-rpmdb does). Fails when the arrays disagree (different lengths, an
// index out of range) or the joined paths exceed a sanity limit.
Result<std::vector<RpmFileInfo>> rpm_installed_files(const RpmHeader& header);

// FILEFLAGS as rpm's %{FILEFLAGS:fflags} prints them ("cmng", "d", "").
std::string rpm_file_flags_string(std::int32_t flags);
// FILEDIGESTALGO as go-rpmdb names it ("md5", "sha256", …,
// "unknown-digest-algorithm" — also when the tag is absent).
std::string rpm_digest_algorithm_name(std::int32_t algorithm);

}  // namespace airlock
