// Placeholder until the CLI lands.
#include "cli/cli.hpp"

namespace lunatic::cli {

int run(int, char**) { return 1; }

}  // namespace lunatic::cli
