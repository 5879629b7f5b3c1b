// The `lunatic` command: all of it lives in cli::run.
#include "cli/cli.hpp"

int main(int argc, char** argv) { return lunatic::cli::run(argc, argv); }
