#pragma once
// Thin RAII wrappers over SQLite's C API with errors as values. Used by the
// store index (and the import ledger).

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace airlock {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : m_db(db), m_stmt(stmt) {}
  Statement(Statement&& other) noexcept : m_db(other.m_db), m_stmt(std::exchange(other.m_stmt, nullptr)) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(m_stmt); }

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_null(int index);
  // True while there is a row; false when done.
  Result<bool> step();
  Status run();  // step to the end
  std::string text(int column) const;
  std::int64_t integer(int column) const;
  bool is_null(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }

 private:
  sqlite3* m_db;
  sqlite3_stmt* m_stmt;
};

class Database {
 public:
  enum class Mode { read_write_create, read_only };
  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& path, Mode mode);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  Error error(std::string_view what) const;
  sqlite3* handle() const { return m_db; }

 private:
  explicit Database(sqlite3* db, std::string name) : m_db(db), m_name(std::move(name)) {}
  sqlite3* m_db;
  std::string m_name;
};

// Opens (creating) the index database PATH as the store and the import state
// keep theirs: WAL journal, full sync, foreign keys. Callers open one at a
// time (a lock of their own): SQLite answers "locked" at once, without
// waiting, when two connections change the journal mode together.
Result<std::unique_ptr<Database>> open_wal_database(const std::filesystem::path& path);

// Runs a transaction: BEGIN IMMEDIATE … COMMIT, rolled back if BODY fails.
Status with_transaction(Database& db, const std::function<Status()>& body);

// Brings DB's schema (PRAGMA user_version) up to MIGRATIONS.size(), running
// each step not yet applied, in one transaction. A newer schema than this
// airlock knows is a usage error naming WHAT (e.g. "the store /x").
Status migrate_schema(Database& db, std::span<const char* const> migrations, std::string_view what);

}  // namespace airlock
