// Runs a WASI preview1 command on node's WASI (V8's Liftoff baseline, then TurboFan), for the
// compute benchmarks' "node" column. Mirrors `lunatic run`'s options that the benchmarks use:
//   node --experimental-wasi-unstable-preview1 wasi_run.mjs [--dir HOST[:GUEST]]... \
//        [--env K=V]... FILE.wasm [--] [ARGS...]
// The guest's argv is [FILE.wasm, ARGS...]; stdio is the process's; the exit status is the
// guest's (proc_exit, or 0 when _start returns).
import { readFile } from "node:fs/promises";
import { argv, exit, stderr } from "node:process";
import { WASI } from "node:wasi";

function usage(message) {
  stderr.write(`wasi_run.mjs: ${message}\n` +
               "usage: wasi_run.mjs [--dir HOST[:GUEST]]... [--env K=V]... FILE.wasm [--] [ARGS...]\n");
  exit(2);
}

const preopens = {};
const env = {};
let args = argv.slice(2);
while (args.length > 0 && args[0].startsWith("--")) {
  const [option, value] = args;
  if (value === undefined) usage(`${option} needs a value`);
  if (option === "--dir") {
    const colon = value.indexOf(":");
    const host = colon < 0 ? value : value.slice(0, colon);
    preopens[colon < 0 ? value : value.slice(colon + 1)] = host;
  } else if (option === "--env") {
    const eq = value.indexOf("=");
    if (eq < 0) usage(`--env wants K=V, got ${value}`);
    env[value.slice(0, eq)] = value.slice(eq + 1);
  } else {
    usage(`unknown option ${option}`);
  }
  args = args.slice(2);
}
if (args.length === 0) usage("no FILE.wasm");
const file = args[0];
const guestArgs = args[1] === "--" ? args.slice(2) : args.slice(1);

const wasi = new WASI({ version: "preview1", args: [file, ...guestArgs], env, preopens,
                        returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
