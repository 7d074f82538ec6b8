#include "store/sqlite.hpp"

#include <cstring>
#include <functional>

namespace airlock {

namespace {

// SQLite's message, with the operating system's reason when there is one
// ("disk I/O error: No space left on device").
std::string describe(sqlite3* db) {
  std::string text = sqlite3_errmsg(db);
  const int system = sqlite3_system_errno(db);
  if (system != 0 && (sqlite3_errcode(db) == SQLITE_IOERR || sqlite3_errcode(db) == SQLITE_FULL ||
                      sqlite3_errcode(db) == SQLITE_CANTOPEN)) {
    text += std::string(": ") + std::strerror(system);
  }
  return text;
}

}  // namespace

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(m_stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(m_stmt, index, value);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(m_stmt, index);
  return *this;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const int code = sqlite3_errcode(m_db);
  const ErrorCode kind = code == SQLITE_BUSY || code == SQLITE_LOCKED ? ErrorCode::conflict
                         : code == SQLITE_FULL || code == SQLITE_IOERR ? ErrorCode::io
                         : code == SQLITE_CORRUPT || code == SQLITE_NOTADB ? ErrorCode::verification
                                                                           : ErrorCode::io;
  return Error(kind, std::string("store index: ") + describe(m_db));
}

Status Statement::run() {
  for (;;) {
    AIRLOCK_TRY_ASSIGN(const bool row, step());
    if (!row) return {};
  }
}

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(m_stmt, column);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(m_stmt, column));
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(m_stmt, column); }

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& path, Mode mode) {
  sqlite3* db = nullptr;
  const int flags = mode == Mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<Database> out(new Database(db, path.string()));
  if (rc != SQLITE_OK) {
    return Error(rc == SQLITE_CANTOPEN ? ErrorCode::not_found : ErrorCode::io,
                 "cannot open " + path.string() + ": " + (db != nullptr ? describe(db) : "out of memory"));
  }
  sqlite3_busy_timeout(db, 15000);  // another airlock process may hold the write lock
  sqlite3_extended_result_codes(db, 0);
  return out;
}

Result<std::unique_ptr<Database>> open_wal_database(const std::filesystem::path& path) {
  AIRLOCK_TRY_ASSIGN(auto db, Database::open(path, Database::Mode::read_write_create));
  AIRLOCK_TRY(db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"));
  return db;
}

Database::~Database() { sqlite3_close_v2(m_db); }

Error Database::error(std::string_view what) const {
  return Error(ErrorCode::io, std::string(what) + ": " + describe(m_db) + " (" + m_name + ")");
}

Status Database::exec(std::string_view sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(m_db, std::string(sql).c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    if (const int system = sqlite3_system_errno(m_db); system != 0 && (rc == SQLITE_IOERR || rc == SQLITE_FULL)) {
      text += std::string(": ") + std::strerror(system);
    }
    const ErrorCode kind = rc == SQLITE_BUSY ? ErrorCode::conflict
                           : rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB ? ErrorCode::verification
                                                                         : ErrorCode::io;
    return Error(kind, "store index " + m_name + ": " + text);
  }
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(m_db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    return error("cannot prepare a query");
  }
  return Statement(m_db, stmt);
}

Status with_transaction(Database& db, const std::function<Status()>& body) {
  AIRLOCK_TRY(db.exec("BEGIN IMMEDIATE"));
  Status status = body();
  if (status.ok()) status = db.exec("COMMIT");
  if (!status.ok()) static_cast<void>(db.exec("ROLLBACK"));
  return status;
}

Status migrate_schema(Database& db, std::span<const char* const> migrations, std::string_view what) {
  const int latest = static_cast<int>(migrations.size());
  return with_transaction(db, [&]() -> Status {
    AIRLOCK_TRY_ASSIGN(Statement version, db.prepare("PRAGMA user_version"));
    AIRLOCK_TRY(version.step());
    const int current = static_cast<int>(version.integer(0));
    if (current > latest) {
      return Error(ErrorCode::usage, std::string(what) + " was written by a newer airlock (schema " +
                                         std::to_string(current) + "); upgrade airlock to use it");
    }
    for (int v = current; v < latest; ++v) AIRLOCK_TRY(db.exec(migrations[static_cast<std::size_t>(v)]));
    if (current != latest) AIRLOCK_TRY(db.exec("PRAGMA user_version = " + std::to_string(latest)));
    return {};
  });
}

}  // namespace airlock
