// Placeholder until the validator lands.
#include "validator/validator.hpp"

namespace lunatic::validator {

Result<void> validate(const wasm::Module&) { return Error(Phase::Validate, "validator not implemented yet"); }

}  // namespace lunatic::validator
