// Placeholder until WASI lands.
