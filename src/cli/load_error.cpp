// report_load_error: how every command says that its module could not be loaded.
#include "cli/load_error.hpp"

#include <cstdio>

namespace lunatic::cli {

int report_load_error(const std::string& file, const Error& error, int code) {
  std::fprintf(stderr, "error: %s: %s\n", file.c_str(), error.to_string().c_str());
  return code;
}

}  // namespace lunatic::cli
