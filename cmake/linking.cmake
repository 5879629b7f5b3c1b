# Relative relocations packed (DT_RELR, binutils 2.38 and glibc 2.36, both in Debian 12): the
# `lunatic` executable is a PIE with LLVM linked in statically, ~129,000 relative relocations
# that the dynamic loader applies at every start. Packed, their table shrinks from 2.6 MB to
# 31 KB and the loader's time at start-up from ~35 to ~14 million cycles (LD_DEBUG=statistics;
# docs/benchmarks.md, "Start-up"). The executable stays position-independent (ASLR).
include(CheckLinkerFlag)
check_linker_flag(CXX "-Wl,-z,pack-relative-relocs" LUNATIC_LINKER_PACKS_RELOCS)
if(LUNATIC_LINKER_PACKS_RELOCS)
  add_link_options("-Wl,-z,pack-relative-relocs")
endif()
