// lunatic::process::spawn: a new process from a module (the caller's own, or one compiled with
// compile_module) in an environment (the caller's, or one made from a config inside it),
// running an exported function with arguments given as 17-byte records.
#include <cstring>
#include <vector>

#include "engine/fuel_meter.hpp"
#include "engine/store.hpp"
#include "host/process/internal.hpp"
#include "host/shared/resources.hpp"
#include "runtime/process.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::host::process {
namespace {

using runtime::Process;

/// One parameter record: [type u8][value u128 little endian], as in the original runtime.
constexpr uint32_t kParamRecord = 17;
/// The most records a spawn takes (the Web's limit on a function's parameters): each becomes a
/// 24-byte engine::Value, so a guest cannot make the host allocate more than ~24 KB for them.
constexpr size_t kMaxParams = 1000;

/// Fuel charged to the caller per spawn, before the spawn: a spawn costs ~10-25 us of host
/// time here (docs/design.md "Spawn speed"), what ~10,000 interpreted instructions take, so a
/// process with a fuel budget cannot spend the host's CPU on spawns in a loop.
constexpr uint64_t kSpawnFuel = 10'000;
/// The fuel a spawn of `module` costs: kSpawnFuel, plus the bytes instantiation writes (active
/// data segments copied into the memory, the null slots of a small table, the elements
/// written into tables) at the rate of the bulk instructions (engine::bulk_fuel), which write
/// the same way. A big table (engine::Table::kMappedBytes) is a mapping whose null slots are
/// never written, so its slots cost nothing here: its mapping is part of kSpawnFuel's work.
/// Its memory is still charged in full to the environment's budget (the guest may write it).
uint64_t spawn_fuel(const wasm::Module& module) {
  constexpr uint64_t kSlotBytes = sizeof(engine::Slot);  // an element written
  uint64_t bytes = 0;
  for (const wasm::DataSegment& d : module.data) {
    if (d.mode == wasm::SegmentMode::Active) bytes += d.bytes.size();
  }
  for (const wasm::TableType& t : module.tables) {
    bytes += engine::Table::initial_write_bytes(t.limits.min);
  }
  for (const wasm::ElemSegment& e : module.elements) bytes += e.items.size() * kSlotBytes;
  return kSpawnFuel + engine::bulk_fuel(bytes);
}

/// The records of `params` as Values, or a trap for a partial record or an unknown type.
HostResult<std::vector<engine::Value>> decode_params(const CallContext& ctx,
                                                     const GuestSpan<uint8_t>& params) {
  if (params.size() % kParamRecord != 0) {
    return shared::misuse(ctx, "parameters of " + std::to_string(params.size()) +
                                   " bytes are not whole 17-byte records");
  }
  if (params.size() / kParamRecord > kMaxParams) {
    return shared::misuse(ctx, std::to_string(params.size() / kParamRecord) +
                                   " parameters: more than a spawn takes (" +
                                   std::to_string(kMaxParams) + ")");
  }
  std::span<const uint8_t> bytes = params.bytes();
  std::vector<engine::Value> values;
  values.reserve(params.size() / kParamRecord);
  for (size_t at = 0; at < bytes.size(); at += kParamRecord) {
    uint64_t low = 0;
    std::memcpy(&low, bytes.data() + at + 1, sizeof low);
    switch (bytes[at]) {
      case 0x7F: values.push_back(engine::Value::i32(static_cast<int32_t>(low))); break;
      case 0x7E: values.push_back(engine::Value::i64(static_cast<int64_t>(low))); break;
      case 0x7D: values.push_back(engine::Value::f32_bits(static_cast<uint32_t>(low))); break;
      case 0x7C: values.push_back(engine::Value::f64_bits(low)); break;
      case 0x7B: {  // v128: all 16 bytes
        uint64_t high = 0;
        std::memcpy(&high, bytes.data() + at + 1 + sizeof low, sizeof high);
        values.push_back(engine::Value::v128(low, high));
        break;
      }
      default:
        return shared::misuse(ctx, "parameter " + std::to_string(at / kParamRecord + 1) +
                                       " has unsupported type byte " + std::to_string(bytes[at]));
    }
  }
  return values;
}

}  // namespace

/// Arguments: link tag (0: not linked), config id (-1: the caller's environment), module id
/// (-1: the caller's module), the exported function's name, parameter records, an
/// out-pointer for a u64. Returns 0 with the new process id written, or 1 with an error id
/// written: too many processes, an import the environment does not allow (named), memory past
/// the limit, no such export or wrong parameters. Traps: unknown config or module id, a range
/// outside memory, bad UTF-8, malformed parameter records; "out of fuel" when the caller's
/// fuel cannot pay for the spawn (spawn_fuel: kSpawnFuel, and the bulk rate,
/// engine::bulk_fuel, of the bytes instantiation writes).
HostResult<int32_t> spawn(CallContext& ctx, int64_t link_tag, int64_t config_id, int64_t module_id,
                          GuestString function, GuestSpan<uint8_t> params,
                          GuestPtr<uint64_t> id_out) {
  Process& self = ctx.host<Process>();
  runtime::SpawnOptions options;
  if (config_id == -1) {
    options.environment = self.environment();
  } else {
    auto config =
        shared::lookup<shared::ConfigResource>(ctx, "config", static_cast<uint64_t>(config_id));
    if (!config.ok()) return std::move(config).trap();
    options.environment = config.value()->environment(*self.environment());
  }
  if (module_id == -1) {
    options.module = self.module();
    options.module_name = self.module_name();
  } else {
    auto module =
        shared::lookup<shared::ModuleResource>(ctx, "module", static_cast<uint64_t>(module_id));
    if (!module.ok()) return std::move(module).trap();
    options.module = module.value()->module();
  }
  auto args = decode_params(ctx, params);
  if (!args.ok()) return std::move(args).trap();
  if (!ctx.host_call()->charge_fuel(spawn_fuel(options.module->wasm))) {
    return engine::Trap::of(engine::TrapKind::OutOfFuel);
  }
  options.args = std::move(args).value();
  options.entry = std::string(function.view());
  options.spawner = &self;
  if (link_tag != 0) {
    options.link_to = &self;
    options.link_tag = link_tag;
  }
  Result<runtime::ProcessId> id = self.runtime().spawn(std::move(options));
  if (!id.ok()) {
    id_out.write(shared::new_error(self, "spawn: " + id.error().to_string()));
    return 1;
  }
  id_out.write(*id);
  return 0;
}

}  // namespace lunatic::host::process
