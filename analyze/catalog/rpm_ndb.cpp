#include "analyze/catalog/rpm_ndb.hpp"

namespace airlock {

namespace {

constexpr std::uint32_t magic(char a, char b, char c, char d) {
  return std::uint32_t(std::uint8_t(a)) | std::uint32_t(std::uint8_t(b)) << 8 | std::uint32_t(std::uint8_t(c)) << 16 |
         std::uint32_t(std::uint8_t(d)) << 24;
}
constexpr std::uint32_t k_header_magic = magic('R', 'p', 'm', 'P');
constexpr std::uint32_t k_slot_magic = magic('S', 'l', 'o', 't');
constexpr std::uint32_t k_blob_magic = magic('B', 'l', 'b', 'S');
constexpr std::size_t k_header_size = 32;
constexpr std::size_t k_slot_page = 4096;
constexpr std::size_t k_slot_size = 16;
constexpr std::size_t k_block = 16;
constexpr std::size_t k_blob_head = 16;
constexpr std::size_t k_blob_tail = 12;
constexpr std::uint32_t k_max_slot_pages = 2048;  // go-rpmdb's sanity limit

std::uint32_t le32(const unsigned char* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

}  // namespace

bool is_rpm_ndb(std::string_view db) {
  return db.size() >= k_header_size && le32(reinterpret_cast<const unsigned char*>(db.data())) == k_header_magic;
}

Status read_rpm_ndb(std::string_view db, const RpmBlobVisitor& visit, RpmProblems& problems) {
  if (!is_rpm_ndb(db)) return Error(ErrorCode::invalid_input, "not an NDB database (no \"RpmP\" magic)");
  const auto* bytes = reinterpret_cast<const unsigned char*>(db.data());
  const std::uint32_t version = le32(bytes + 4);
  const std::uint32_t slot_pages = le32(bytes + 12);
  if (version != 0) return Error(ErrorCode::invalid_input, "NDB version " + std::to_string(version) + " is not supported");
  if (slot_pages == 0 || slot_pages > k_max_slot_pages) {
    return Error(ErrorCode::invalid_input, "NDB slot page count " + std::to_string(slot_pages) + " out of range");
  }
  std::size_t slot_end = std::size_t{slot_pages} * k_slot_page;
  if (slot_end > db.size()) {
    problems.add("the slot pages end at byte " + std::to_string(slot_end) + " but the file has " +
                 std::to_string(db.size()) + " (truncated?)");
    slot_end = db.size();
  }
  std::uint64_t blob_bytes = 0;
  for (std::size_t at = k_header_size; at + k_slot_size <= slot_end; at += k_slot_size) {
    const unsigned char* slot = bytes + at;
    const std::size_t number = at / k_slot_size;
    if (le32(slot) != k_slot_magic) {
      problems.add("slot " + std::to_string(number) + " has a bad magic");
      continue;
    }
    const std::uint32_t package = le32(slot + 4);
    if (package == 0) continue;  // free
    const std::uint64_t offset = std::uint64_t{le32(slot + 8)} * k_block;
    const std::uint64_t blocks = le32(slot + 12);
    const std::string where = "package " + std::to_string(package) + " (slot " + std::to_string(number) + ")";
    if (offset < slot_end || offset + k_blob_head > db.size()) {
      problems.add(where + ": its blob offset " + std::to_string(offset) + " lies outside the blob area");
      continue;
    }
    const unsigned char* head = bytes + offset;
    if (le32(head) != k_blob_magic) {
      problems.add(where + ": no blob magic at offset " + std::to_string(offset));
      continue;
    }
    if (le32(head + 4) != package) {
      problems.add(where + ": the blob at offset " + std::to_string(offset) + " belongs to package " +
                   std::to_string(le32(head + 4)));
      continue;
    }
    const std::uint64_t length = le32(head + 12);
    if (length > db.size() - offset - k_blob_head) {
      problems.add(where + ": its blob declares " + std::to_string(length) + " bytes, past the end of the file");
      continue;
    }
    if (k_blob_head + length + k_blob_tail > blocks * k_block) {
      problems.add(where + ": its blob is larger than the " + std::to_string(blocks) + " blocks its slot gives it");
      continue;
    }
    blob_bytes += length;
    if (blob_bytes > db.size()) {
      problems.add("the slots name more blob bytes than the file holds (overlapping blobs); reading stopped at " + where);
      break;
    }
    visit(db.substr(offset + k_blob_head, length));
  }
  return {};
}

}  // namespace airlock
