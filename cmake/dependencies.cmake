# Every third-party dependency is a Debian package found here and exposed as
# one imported target; no copies are vendored and nothing is downloaded.
find_package(PkgConfig REQUIRED)
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
find_package(Boost 1.74 REQUIRED COMPONENTS program_options)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium>=1.0.18)

if(AIRLOCK_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
