#include <unistd.h>

#include <iostream>

#include "base/environment.hpp"
#include "cli/command.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  airlock::ProcessEnvironment env;
  const int code = airlock::cli::run_cli(args, std::cout, std::cerr, env, ::isatty(2) == 1);
  std::cout.flush();
  return code;
}
