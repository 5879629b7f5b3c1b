// The command line front end: `lunatic run`, `lunatic validate`, `lunatic --version`.
#pragma once

namespace lunatic::cli {

/// Parses argv, runs the command, prints errors to stderr; returns the process exit code.
int run(int argc, char** argv);

}  // namespace lunatic::cli
