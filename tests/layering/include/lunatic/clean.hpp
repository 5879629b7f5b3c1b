// A public header as it should be: standard headers only (scripts/check_layers.py accepts it).
#pragma once

#include <cstdint>
