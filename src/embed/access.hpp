// What the public handles hide: their Impl structs, the one friend (detail::Access) that
// makes and opens them, and the conversions between the public value types and the layers'.
// Only src/embed includes it.
#pragma once

#include <lunatic/environment.hpp>
#include <lunatic/introspection.hpp>
#include <lunatic/linker.hpp>
#include <lunatic/module.hpp>
#include <lunatic/runtime.hpp>
#include <lunatic/trap.hpp>
#include <lunatic/value.hpp>

#include <memory>

#include "binding/linker.hpp"
#include "engine/compiled_module.hpp"
#include "engine/trap.hpp"
#include "engine/value.hpp"
#include "runtime/environment.hpp"
#include "runtime/ids.hpp"
#include "runtime/introspection.hpp"

namespace lunatic {

struct Module::Impl {
  std::shared_ptr<const engine::CompiledModule> compiled;
};

struct Linker::Impl {
  std::shared_ptr<binding::Linker> linker;
};

struct Environment::Impl {
  std::shared_ptr<runtime::Environment> environment;
};

namespace detail {

/// Makes public handles from the layers' objects and opens them again.
struct Access {
  static Module module(std::shared_ptr<const engine::CompiledModule> compiled) {
    return Module(std::make_shared<const Module::Impl>(Module::Impl{std::move(compiled)}));
  }
  /// Null for an empty handle.
  static std::shared_ptr<const engine::CompiledModule> compiled(const Module& module) {
    return module.impl_ ? module.impl_->compiled : nullptr;
  }
  static const std::shared_ptr<binding::Linker>& linker(const Linker& linker) {
    return linker.impl_->linker;
  }
  static Environment environment(std::shared_ptr<runtime::Environment> environment) {
    return Environment(
        std::make_shared<Environment::Impl>(Environment::Impl{std::move(environment)}));
  }
  /// Null for an empty handle.
  static std::shared_ptr<runtime::Environment> environment(const Environment& environment) {
    return environment.impl_ ? environment.impl_->environment : nullptr;
  }
};

}  // namespace detail

/// The conversions between public values and the layers' (convert.cpp). The enums share
/// their numbering (static_asserts in convert.cpp), so most of this is copying fields.
namespace embed {

engine::Value to_internal(const Value& value);
Value to_public(const engine::Value& value);
runtime::ExitStatus to_internal(const ExitStatus& status);
ExitStatus to_public(const runtime::ExitStatus& status);
binding::AllowList to_internal(const AllowList& allowed);
runtime::EnvironmentConfig to_internal(const EnvironmentConfig& config);
EnvironmentConfig to_public(const runtime::EnvironmentConfig& config);
ProcessInfo to_public(const runtime::ProcessInfo& info);
CrashInfo to_public(const runtime::CrashInfo& info);
EnvironmentInfo to_public(const runtime::EnvironmentInfo& info);
NodeInfo to_public(const runtime::NodeInfo& info);

}  // namespace embed
}  // namespace lunatic
