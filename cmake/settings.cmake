# airlock_settings: compile settings and warnings for airlock's own targets only.
add_library(airlock_settings INTERFACE)
target_compile_options(airlock_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wcast-align -Wformat=2 -Wimplicit-fallthrough)
target_include_directories(airlock_settings INTERFACE ${PROJECT_SOURCE_DIR})
# GCC 12 reports false -Wrestrict positives inside std::string at -O3
# (GCC bug 105329); they are not in our code.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(airlock_settings INTERFACE -Wno-restrict)
endif()
if(AIRLOCK_WARNINGS_AS_ERRORS)
  target_compile_options(airlock_settings INTERFACE -Werror)
endif()
if(AIRLOCK_SANITIZE)
  target_compile_options(airlock_settings INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(airlock_settings INTERFACE -fsanitize=address,undefined)
endif()
target_compile_definitions(airlock_settings INTERFACE
  $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)
