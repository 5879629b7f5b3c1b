-- CPU-bound Lua for the compute benchmarks (bench/run_compute_bench.py): recursive calls,
-- table sort, string building and pattern matching. Deterministic (its own integer
-- generator, no clock, no os.*), integers only in the printed line, so every runtime prints
-- the same. Raises no error: the wasm32-wasi Lua aborts on errors (bench/programs/lua_wasi.h).
-- Usage: lua compute.lua [scale]   (scale 1 = the benchmark; --quick runs a smaller one)

local scale = tonumber(arg and arg[1]) or 1

-- 1. Recursive fib: calls, returns, integer adds.
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
local fib_n = scale >= 1 and 27 or 20
local fib_result = fib(fib_n)

-- A 32-bit linear congruential generator (Numerical Recipes constants), integer-only.
local seed = 12345
local function next_random()
  seed = (seed * 1664525 + 1013904223) & 0xffffffff
  return seed
end

-- 2. Sort 200k numbers with table.sort (comparisons through Lua's default '<'), then a
-- checksum over positions so the order matters.
local sort_n = math.floor(200000 * scale)
local numbers = {}
for i = 1, sort_n do numbers[i] = next_random() % 1000000 end
table.sort(numbers)
local sorted_ok = 1
local sort_sum = 0
for i = 1, sort_n do
  if i > 1 and numbers[i - 1] > numbers[i] then sorted_ok = 0 end
  sort_sum = (sort_sum * 31 + numbers[i] * (i % 7 + 1)) % 1000000007
end

-- 3. Build 100k strings, join them, then take them apart again with gmatch.
local string_n = math.floor(100000 * scale)
local parts = {}
for i = 1, string_n do
  parts[i] = string.format("key%d=%s;", i, string.rep(string.char(97 + i % 26), i % 5 + 1))
end
local text = table.concat(parts)
local fields, key_sum, value_len = 0, 0, 0
for key, value in text:gmatch("key(%d+)=(%a+);") do
  fields = fields + 1
  key_sum = key_sum + tonumber(key)
  value_len = value_len + #value
end
local words = 0
for _ in text:gmatch("%a+") do words = words + 1 end
local upper = text:sub(1, 60000):upper():gsub("KEY", "k")

print(string.format("lua fib(%d)=%d sort n=%d ok=%d sum=%d strings n=%d len=%d fields=%d "
                    .. "keysum=%d vlen=%d words=%d upper=%d",
                    fib_n, fib_result, sort_n, sorted_ok, sort_sum, string_n, #text, fields,
                    key_sum, value_len, words, #upper))
