#include "analyze/catalog/rpm_sqlite.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace airlock {

namespace {

constexpr std::string_view k_magic{"SQLite format 3\0", 16};
// Progress-handler budget: the callback runs every k_progress_ops virtual
// machine instructions; the query is interrupted after k_progress_calls of
// them. A table scan of a real database needs a few dozen instructions per
// row, so this is far beyond any real rpmdb and still ends a runaway query.
constexpr int k_progress_ops = 10000;
constexpr int k_progress_calls = 20000;
constexpr std::uint64_t k_max_padding = 64u * 1024 * 1024;

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct Finalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

int progress(void* counter) {
  int& calls = *static_cast<int*>(counter);
  return ++calls > k_progress_calls ? 1 : 0;
}

Error sqlite_error(sqlite3* db, std::string_view what) {
  return Error(ErrorCode::invalid_input, std::string(what) + ": " + sqlite3_errmsg(db));
}

}  // namespace

bool is_rpm_sqlite(std::string_view db) { return db.substr(0, k_magic.size()) == k_magic; }

Status read_rpm_sqlite(std::string_view bytes, const RpmBlobVisitor& visit, RpmProblems& problems) {
  if (!is_rpm_sqlite(bytes)) return Error(ErrorCode::invalid_input, "not an SQLite database (no \"SQLite format 3\" magic)");
  if (bytes.size() < 100) return Error(ErrorCode::invalid_input, "the SQLite database is shorter than its 100-byte header");

  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, Closer> db(raw);
  if (opened != SQLITE_OK || !db) return Error(ErrorCode::internal, "SQLite could not open an in-memory database");

  // Defences before any byte of the file is parsed.
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_ENABLE_VIEW, 0, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  sqlite3_limit(db.get(), SQLITE_LIMIT_LENGTH, static_cast<int>(k_rpm_max_data_bytes) + 8 + 16 * 0xffff);
  sqlite3_limit(db.get(), SQLITE_LIMIT_ATTACHED, 0);
  int calls = 0;
  sqlite3_progress_handler(db.get(), k_progress_ops, progress, &calls);

  // SQLite reads the image from memory; rpm leaves its databases in WAL
  // mode (header bytes 18-19 = 2), which an in-memory database refuses, so
  // the copy is marked as a rollback-journal database. The WAL file itself
  // is not read (syft copies only the main file, too).
  //
  // A truncated file (a damaged image, or one over airlock's size limit)
  // makes SQLite refuse the whole schema, since index root pages lie past
  // its end. If the header's page count is trustworthy (change counter at
  // 24 = version-valid-for at 92) the copy is padded with zero pages to that
  // size — by at most the bytes read or 64 MiB — so that the rows stored before
  // the cut can still be read; reading stops with an error at the first
  // missing page.
  std::size_t padded = bytes.size();
  const auto* header = reinterpret_cast<const unsigned char*>(bytes.data());
  auto be32 = [&](std::size_t at) {
    return std::uint32_t{header[at]} << 24 | std::uint32_t{header[at + 1]} << 16 | std::uint32_t{header[at + 2]} << 8 |
           header[at + 3];
  };
  const std::uint32_t page_size = header[16] == 0 && header[17] == 1 ? 65536u : (std::uint32_t{header[16]} << 8 | header[17]);
  const std::uint64_t declared = std::uint64_t{be32(28)} * page_size;
  if (be32(24) == be32(92) && declared > bytes.size()) {
    problems.add("the file has " + std::to_string(bytes.size()) + " bytes but its header says " +
                 std::to_string(declared) + " (truncated?); packages past the cut are missing");
    if (declared <= std::max<std::uint64_t>(2 * std::uint64_t{bytes.size()}, bytes.size() + k_max_padding)) {
      padded = static_cast<std::size_t>(declared);
    }
  }
  const auto size = static_cast<sqlite3_int64>(padded);
  auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(static_cast<sqlite3_uint64>(size)));
  if (copy == nullptr) return Error(ErrorCode::io, "out of memory copying the SQLite database");
  std::memcpy(copy, bytes.data(), bytes.size());
  std::memset(copy + bytes.size(), 0, padded - bytes.size());
  if (copy[18] == 2) copy[18] = 1;
  if (copy[19] == 2) copy[19] = 1;
  const int loaded = sqlite3_deserialize(db.get(), "main", copy, size, size,
                                         SQLITE_DESERIALIZE_READONLY | SQLITE_DESERIALIZE_FREEONCLOSE);
  if (loaded != SQLITE_OK) return sqlite_error(db.get(), "SQLite could not load the database");
  sqlite3_exec(db.get(), "PRAGMA cell_size_check=ON", nullptr, nullptr, nullptr);

  sqlite3_stmt* raw_statement = nullptr;
  if (sqlite3_prepare_v2(db.get(), "SELECT blob FROM Packages", -1, &raw_statement, nullptr) != SQLITE_OK) {
    return sqlite_error(db.get(), "SQLite could not read table Packages");
  }
  std::unique_ptr<sqlite3_stmt, Finalizer> statement(raw_statement);
  std::size_t row = 0;
  std::uint64_t blob_bytes = 0;
  for (;;) {
    const int step = sqlite3_step(statement.get());
    if (step == SQLITE_DONE) break;
    if (step != SQLITE_ROW) {
      problems.add("reading stopped after " + std::to_string(row) + " rows: " +
                   (calls > k_progress_calls ? std::string("the query did more work than any rpm database needs")
                                             : std::string(sqlite3_errmsg(db.get()))));
      break;
    }
    ++row;
    const int type = sqlite3_column_type(statement.get(), 0);
    if (type != SQLITE_BLOB && type != SQLITE_TEXT) {
      problems.add("row " + std::to_string(row) + " holds no blob");
      continue;
    }
    const void* data = sqlite3_column_blob(statement.get(), 0);
    const int length = sqlite3_column_bytes(statement.get(), 0);
    if (data == nullptr || length <= 0) {
      problems.add("row " + std::to_string(row) + " holds an empty blob");
      continue;
    }
    // Rows of a real database never share bytes; a damaged one whose
    // overflow chains do could hand out the file many times over.
    blob_bytes += static_cast<std::uint64_t>(length);
    if (blob_bytes > bytes.size()) {
      problems.add("the rows hold more blob bytes than the file (damaged overflow pages); reading stopped at row " +
                   std::to_string(row));
      break;
    }
    visit(std::string_view(static_cast<const char*>(data), static_cast<std::size_t>(length)));
  }
  return {};
}

}  // namespace airlock
