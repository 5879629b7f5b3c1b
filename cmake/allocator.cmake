# lunatic_use_allocator(TARGET): links a program with mimalloc (Debian libmimalloc-dev). A
# process is allocated on one worker thread and often freed on another, which glibc's
# per-thread arenas handle badly: with mimalloc a spawn took 2.2x less time in the same run, at
# the same memory per process (docs/benchmarks.md, "Allocator"). Only programs link it (the
# `lunatic` command, the benchmarks); the libraries leave the choice to their embedder.
# Sanitizer builds keep the sanitizer's own allocator.
option(LUNATIC_MIMALLOC "Link lunatic's programs with mimalloc" ON)

function(lunatic_use_allocator target)
  if(LUNATIC_MIMALLOC AND NOT LUNATIC_SANITIZE)
    find_package(mimalloc 2.0 REQUIRED CONFIG)
    target_link_libraries(${target} PRIVATE mimalloc)
  endif()
endfunction()
