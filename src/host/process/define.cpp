// lunatic::process: the namespace's definitions (the C++ signatures give the Wasm types).
#include "host/process/internal.hpp"
#include "host/process/process.hpp"

namespace lunatic::host::process {

void define_functions(binding::Linker& linker) {
  linker.ns(kModuleName)
      .define("process_id", &process_id)
      .define("this", &process_id)
      .define("link", &link)
      .define("unlink", &unlink)
      .define("monitor", &monitor)
      .define("stop_monitoring", &stop_monitoring)
      .define("kill", &kill)
      .define("exists", &exists)
      .define("info", &info)
      .define("die_when_link_dies", &die_when_link_dies)
      .define("sleep_ms", &sleep_ms)
      .define("compile_module", &compile_module)
      .define("drop_module", &drop_module)
      .define("create_config", &create_config)
      .define("drop_config", &drop_config)
      .define("config_set_max_memory", &config_set_max_memory)
      .define("config_get_max_memory", &config_get_max_memory)
      .define("config_set_max_fuel", &config_set_max_fuel)
      .define("config_get_max_fuel", &config_get_max_fuel)
      .define("config_set_max_processes", &config_set_max_processes)
      .define("config_set_max_names", &config_set_max_names)
      .define("config_set_max_resources", &config_set_max_resources)
      .define("config_set_max_memory_total", &config_set_max_memory_total)
      .define("allow_namespace", &allow_namespace)
      .define("spawn", &spawn);
}

}  // namespace lunatic::host::process
