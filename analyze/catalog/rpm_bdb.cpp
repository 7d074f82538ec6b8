#include "analyze/catalog/rpm_bdb.hpp"

#include <vector>

namespace airlock {

namespace {

constexpr std::uint32_t k_hash_magic = 0x061561;
constexpr std::size_t k_page_header = 26;
constexpr std::size_t k_hoffpage_size = 12;
constexpr std::uint8_t k_page_hash_unsorted = 2;
constexpr std::uint8_t k_page_overflow = 7;
constexpr std::uint8_t k_page_hash_meta = 8;
constexpr std::uint8_t k_page_hash = 13;
constexpr std::uint8_t k_item_hoffpage = 3;

struct Order {
  bool big_endian = false;
  std::uint32_t u32(const unsigned char* p) const {
    return big_endian ? (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3]
                      : (std::uint32_t{p[3]} << 24) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[1]} << 8) | p[0];
  }
  std::uint16_t u16(const unsigned char* p) const {
    return static_cast<std::uint16_t>(big_endian ? (p[0] << 8) | p[1] : (p[1] << 8) | p[0]);
  }
};

std::optional<Order> metadata_order(std::string_view db) {
  if (db.size() < 72) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(db.data()) + 12;
  if (Order{false}.u32(p) == k_hash_magic) return Order{false};
  if (Order{true}.u32(p) == k_hash_magic) return Order{true};
  return std::nullopt;
}

bool valid_page_size(std::uint32_t size) {
  for (std::uint32_t s = 512; s <= 65536; s *= 2) {
    if (size == s) return true;
  }
  return false;
}

}  // namespace

bool is_rpm_bdb(std::string_view db) { return metadata_order(db).has_value(); }

Status read_rpm_bdb(std::string_view db, const RpmBlobVisitor& visit, RpmProblems& problems) {
  const auto order = metadata_order(db);
  if (!order) return Error(ErrorCode::invalid_input, "not a BerkeleyDB hash database (no hash magic at offset 12)");
  const auto* bytes = reinterpret_cast<const unsigned char*>(db.data());
  const std::uint32_t page_size = order->u32(bytes + 20);
  if (!valid_page_size(page_size)) {
    return Error(ErrorCode::invalid_input, "BerkeleyDB page size " + std::to_string(page_size) + " is not one BerkeleyDB uses");
  }
  if (bytes[24] != 0) return Error(ErrorCode::invalid_input, "the BerkeleyDB database is encrypted");
  if (bytes[25] != k_page_hash_meta) {
    return Error(ErrorCode::invalid_input, "page 0 has type " + std::to_string(bytes[25]) + ", not hash metadata");
  }
  const std::uint32_t last_page = order->u32(bytes + 32);
  const std::size_t pages_in_file = db.size() / page_size;
  std::size_t pages = pages_in_file;
  if (std::uint64_t{last_page} + 1 > pages_in_file) {
    problems.add("the file ends at page " + std::to_string(pages_in_file) + " but its metadata names page " +
                 std::to_string(last_page) + " as the last (truncated?)");
  } else {
    pages = std::size_t{last_page} + 1;
  }

  auto page_at = [&](std::size_t n) { return bytes + n * page_size; };
  std::vector<bool> used(pages, false);  // overflow pages already read
  for (std::size_t n = 0; n < pages; ++n) {
    const unsigned char* page = page_at(n);
    const std::uint8_t type = page[25];
    if (type != k_page_hash && type != k_page_hash_unsorted) continue;
    const std::uint16_t entries = order->u16(page + 20);
    if (entries % 2 != 0) {
      problems.add("hash page " + std::to_string(n) + " holds an odd number of entries (" + std::to_string(entries) + ")");
      continue;
    }
    if (k_page_header + std::size_t{entries} * 2 > page_size) {
      problems.add("hash page " + std::to_string(n) + " declares " + std::to_string(entries) + " entries, more than fit");
      continue;
    }
    // Entries are key, value, key, value…; only values matter.
    for (std::size_t e = 1; e < entries; e += 2) {
      const std::uint16_t offset = order->u16(page + k_page_header + e * 2);
      if (offset >= page_size) {
        problems.add("hash page " + std::to_string(n) + " entry " + std::to_string(e) + " points past the page");
        continue;
      }
      const unsigned char* item = page + offset;
      if (item[0] != k_item_hoffpage) continue;  // small values are not package headers
      if (std::size_t{offset} + k_hoffpage_size > page_size) {
        problems.add("hash page " + std::to_string(n) + " entry " + std::to_string(e) + " runs past the page");
        continue;
      }
      const std::uint32_t first = order->u32(item + 4);
      const std::uint32_t length = order->u32(item + 8);
      const std::string where = "the value at hash page " + std::to_string(n) + " entry " + std::to_string(e);
      if (length > std::uint64_t{k_rpm_max_data_bytes} + 8 + 16ull * k_rpm_max_index_entries) {
        problems.add(where + " declares " + std::to_string(length) + " bytes, over rpm's header limit");
        continue;
      }
      std::string value;
      bool broken = false;
      for (std::uint32_t current = first; current != 0;) {
        if (current >= pages) {
          problems.add(where + ": its overflow chain names page " + std::to_string(current) + ", outside the file");
          broken = true;
          break;
        }
        if (used[current]) {
          problems.add(where + ": its overflow chain revisits page " + std::to_string(current));
          broken = true;
          break;
        }
        used[current] = true;
        const unsigned char* overflow = page_at(current);
        if (overflow[25] != k_page_overflow) {
          problems.add(where + ": its overflow chain reaches page " + std::to_string(current) + " of type " +
                       std::to_string(overflow[25]));
          broken = true;
          break;
        }
        const std::uint32_t next = order->u32(overflow + 16);
        std::size_t take = page_size - k_page_header;
        if (next == 0) {
          take = order->u16(overflow + 22);  // bytes used on the last page
          if (k_page_header + take > page_size) {
            problems.add(where + ": overflow page " + std::to_string(current) + " claims more bytes than it holds");
            broken = true;
            break;
          }
        }
        if (value.size() + take > std::size_t{length} + page_size) {
          problems.add(where + ": its overflow chain is longer than the " + std::to_string(length) + " bytes it declares");
          broken = true;
          break;
        }
        value.append(reinterpret_cast<const char*>(overflow + k_page_header), take);
        current = next;
      }
      if (broken) continue;
      if (value.size() < length) {
        problems.add(where + ": its overflow chain holds " + std::to_string(value.size()) + " of " +
                     std::to_string(length) + " bytes");
        continue;
      }
      value.resize(length);
      visit(value);
    }
  }
  return {};
}

}  // namespace airlock
