#pragma once
// What `airlock --version` prints: airlock's version, the git revision it was
// built from, and the versions of the libraries it runs with.

#include <iosfwd>

namespace airlock::cli {

extern const char* const k_airlock_version;
extern const char* const k_git_revision;

void print_version(std::ostream& out, bool json);

}  // namespace airlock::cli
