// A public header that leaks a layer's header: scripts/check_layers.py must refuse it.
#pragma once

#include <vector>

#include <lunatic/clean.hpp>

#include "common/result.hpp"
