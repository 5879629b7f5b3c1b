// describe_module and `lunatic inspect`: a readable listing of a module's interface, with each
// import checked against the host functions of this runtime (the Linker `run` uses).
#include "cli/inspect_command.hpp"

#include <cstdio>
#include <map>
#include <sstream>

#include "cli/command_line.hpp"
#include "cli/load_error.hpp"
#include "cli/module_source.hpp"
#include "decoder/decoder.hpp"
#include "decoder/section_list.hpp"
#include "host/standard/standard.hpp"
#include "validator/validator.hpp"

namespace lunatic::cli {
namespace {

std::string limits_text(const wasm::Limits& limits, const char* unit) {
  std::string text = "initial " + std::to_string(limits.min) + unit;
  text += limits.max ? ", max " + std::to_string(*limits.max) + unit : ", no max";
  return text;
}

std::string memory_text(const wasm::MemoryType& memory) {
  const wasm::Limits& limits = memory.limits;
  std::string text = "initial " + std::to_string(limits.min) + " pages (" +
                     std::to_string(uint64_t{limits.min} * wasm::kPageSize / 1024) + " KiB)";
  text += limits.max ? ", max " + std::to_string(*limits.max) + " pages" : ", no max";
  return text;
}

std::string table_text(const wasm::TableType& table) {
  return std::string(wasm::val_type_name(table.element)) + ", " + limits_text(table.limits, "");
}

std::string global_type_text(const wasm::GlobalType& global) {
  return std::string(global.is_mutable ? "mut " : "") + wasm::val_type_name(global.type);
}

/// A global's initial value when it is one simple instruction, else its instruction count.
std::string init_text(const wasm::ConstExpr& init) {
  if (init.instrs.size() != 1) return std::to_string(init.instrs.size()) + " instructions";
  const wasm::Instr& in = init.instrs[0];
  switch (in.op) {
    case wasm::Opcode::I32Const:
      return std::to_string(static_cast<int32_t>(static_cast<uint32_t>(in.c)));
    case wasm::Opcode::I64Const: return std::to_string(static_cast<int64_t>(in.c));
    case wasm::Opcode::GlobalGet: return "global.get " + std::to_string(in.a);
    case wasm::Opcode::RefFunc: return "ref.func " + std::to_string(in.a);
    default: return wasm::opcode_name(in.op);
  }
}

/// The type of an import, as "func (i32) -> (i32)", "memory initial 1 pages, no max", ...
std::string import_type_text(const wasm::Module& module, const wasm::Import& imp) {
  switch (imp.kind) {
    case wasm::ExternKind::Func: return "func " + module.types[imp.func_type].to_string();
    case wasm::ExternKind::Table: return "table " + table_text(imp.table);
    case wasm::ExternKind::Memory: return "memory " + memory_text(imp.memory);
    case wasm::ExternKind::Global: return "global " + global_type_text(imp.global);
  }
  return "?";
}

enum class ImportStatus { Provided, Mismatch, Unknown };

/// Whether this runtime has `imp`, with its type: the check `run` makes when it links.
ImportStatus import_status(const wasm::Module& module, const wasm::Import& imp,
                           const binding::Linker& linker, std::string& detail) {
  const binding::HostDefinition* def = linker.find(imp.module, imp.name);
  if (def == nullptr) return ImportStatus::Unknown;
  if (imp.kind != wasm::ExternKind::Func) {
    detail = "the runtime's is a function";
    return ImportStatus::Mismatch;
  }
  if (!(def->type == module.types[imp.func_type])) {
    detail = "the runtime's is " + def->type.to_string();
    return ImportStatus::Mismatch;
  }
  return ImportStatus::Provided;
}

std::string export_text(const wasm::Module& module, const wasm::Export& exp) {
  std::string text =
      std::string(wasm::extern_kind_name(exp.kind)) + " " + std::to_string(exp.index);
  if (exp.kind == wasm::ExternKind::Func) text += " " + module.function_type(exp.index).to_string();
  return text;
}

/// "name" width for aligned columns.
size_t width_of(size_t current, const std::string& text) { return std::max(current, text.size()); }

void pad(std::ostringstream& out, const std::string& text, size_t width) {
  out << text << std::string(width > text.size() ? width - text.size() : 0, ' ');
}

}  // namespace

Result<std::string> describe_module(const wasm::Module& module, std::span<const uint8_t> bytes,
                                    const binding::Linker& linker) {
  std::vector<decoder::SectionInfo> sections = TRY(decoder::list_sections(bytes));
  std::ostringstream out;

  // Imports, with the runtime's verdict, and per namespace.
  struct NamespaceCount {
    size_t imports = 0;
    size_t missing = 0;  // unknown or mismatched
  };
  std::map<std::string, NamespaceCount> namespaces;
  out << "Imports (" << module.imports.size() << "):\n";
  size_t name_width = 0;
  size_t type_width = 0;
  for (const wasm::Import& imp : module.imports) {
    name_width = width_of(name_width, imp.module + "::" + imp.name);
    type_width = width_of(type_width, import_type_text(module, imp));
  }
  size_t missing = 0;
  for (const wasm::Import& imp : module.imports) {
    std::string detail;
    ImportStatus status = import_status(module, imp, linker, detail);
    NamespaceCount& count = namespaces[imp.module];
    ++count.imports;
    out << "  ";
    pad(out, imp.module + "::" + imp.name, name_width + 2);
    pad(out, import_type_text(module, imp), type_width + 2);
    switch (status) {
      case ImportStatus::Provided: out << "provided"; break;
      case ImportStatus::Mismatch: out << "type mismatch (" << detail << ")"; break;
      case ImportStatus::Unknown: out << "unknown"; break;
    }
    if (status != ImportStatus::Provided) {
      ++count.missing;
      ++missing;
    }
    out << "\n";
  }
  out << "Host namespaces needed (" << namespaces.size() << "):\n";
  for (const auto& [name, count] : namespaces) {
    out << "  " << name << ": " << count.imports
        << (count.imports == 1 ? " import, " : " imports, ");
    if (count.missing == 0) {
      out << "all provided\n";
    } else {
      out << count.missing << " not provided by this runtime\n";
    }
  }
  out << (missing == 0 ? "Linking: every import is provided by this runtime\n"
                       : "Linking: " + std::to_string(missing) +
                             " import(s) not provided: `lunatic run` would fail to link\n");

  out << "Exports (" << module.exports.size() << "):\n";
  size_t export_width = 0;
  for (const wasm::Export& exp : module.exports) export_width = width_of(export_width, exp.name);
  for (const wasm::Export& exp : module.exports) {
    out << "  ";
    pad(out, exp.name, export_width + 2);
    out << export_text(module, exp) << "\n";
  }
  const wasm::Export* start = module.find_export("_start");
  out << "Entry: "
      << (start != nullptr && start->kind == wasm::ExternKind::Func
              ? "_start (a WASI command: `lunatic run` can run it)"
              : "no _start export (not a WASI command; other modules can spawn its exports)")
      << "\n";

  out << "Memories (" << module.total_memories() << "):\n";
  for (uint32_t i = 0; i < module.total_memories(); ++i) {
    out << "  memory " << i << ": " << memory_text(module.memory_type(i))
        << (i < module.imported_memories ? " (imported)" : "") << "\n";
  }
  out << "Tables (" << module.total_tables() << "):\n";
  for (uint32_t i = 0; i < module.total_tables(); ++i) {
    out << "  table " << i << ": " << table_text(module.table_type(i))
        << (i < module.imported_tables ? " (imported)" : "") << "\n";
  }
  out << "Globals (" << module.total_globals() << "):\n";
  for (uint32_t i = 0; i < module.total_globals(); ++i) {
    out << "  global " << i << ": " << global_type_text(module.global_type(i));
    if (i < module.imported_globals) {
      out << " (imported)";
    } else {
      out << " = " << init_text(module.globals[i - module.imported_globals].init);
    }
    out << "\n";
  }
  out << "Functions: " << module.imported_functions << " imported, " << module.functions.size()
      << " defined\n";
  out << "Start function: ";
  if (module.start) {
    std::string name = module.function_name(*module.start);
    out << "func " << *module.start << (name.empty() ? "" : " " + name) << "\n";
  } else {
    out << "none\n";
  }
  size_t data_bytes = 0;
  for (const wasm::DataSegment& segment : module.data) data_bytes += segment.bytes.size();
  out << "Data segments: " << module.data.size() << " (" << data_bytes << " bytes)\n";

  out << "Sections (" << sections.size() << "):\n";
  for (const decoder::SectionInfo& section : sections) {
    out << "  " << (section.id == 0 ? "custom \"" + section.name + "\"" : section.name) << ": "
        << section.size << " bytes";
    if (section.id == 0 && section.name == "name") {
      out << " (names for " << module.function_names.size() << " functions)";
    }
    out << "\n";
  }
  bool has_names = false;
  for (const decoder::SectionInfo& section : sections) {
    has_names = has_names || (section.id == 0 && section.name == "name");
  }
  out << "Name section: "
      << (has_names ? "present (trap backtraces show function names)"
                    : "absent (trap backtraces show function indices only)")
      << "\n";
  return out.str();
}

int inspect_module(const std::string& file, const wasm::Features& features) {
  Result<std::vector<uint8_t>> bytes = read_module_source(file, features);
  if (!bytes) return report_load_error(file, bytes.error(), kExitLoadError);
  // Decoded and validated, not lowered: inspect describes a module without preparing it to run.
  Result<wasm::Module> module = decoder::decode(*bytes, features);
  if (!module) return report_load_error(file, module.error(), kExitLoadError);
  if (Result<void> valid = validator::validate(*module, features); !valid.ok()) {
    return report_load_error(file, valid.error(), kExitLoadError);
  }
  Result<std::string> text = describe_module(*module, *bytes, *host::standard_linker());
  if (!text) return report_load_error(file, text.error(), kExitLoadError);
  std::printf("%s: valid WebAssembly module, %zu bytes\n%s", file.c_str(), bytes->size(),
              text->c_str());
  return 0;
}

}  // namespace lunatic::cli
