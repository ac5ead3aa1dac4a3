#!/usr/bin/env node
// Runs an ONNX model with ONNX Runtime (onnxruntime-node, CPU) as qc's independent oracle and
// benchmark baseline: .npy inputs in, .npy outputs out, optional latency statistics as JSON.
'use strict';

const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');
const { readNpy, writeNpy } = require('./npy.js');

const USAGE = `usage: node run_ort.js MODEL.onnx --input NAME=FILE.npy [--input ...] [--out DIR]
                   [--threads N] [--bench N] [--warmup N] [--opt-level LEVEL]

  --input NAME=FILE.npy  feed graph input NAME from FILE.npy (dtype as stored; repeatable);
                         plain FILE.npy is accepted when the model has exactly one input
  --out DIR              write every graph output as DIR/<name>.npy (characters other than
                         [A-Za-z0-9._-] in the name become '_'); DIR is created if missing
  --threads N            intra-op threads (default 1); inter-op threads are always 1
  --bench N              after warm-up, time N runs and print one JSON line to stdout:
                         {"median_ms", "p10_ms", "p90_ms", "min_ms", "mean_ms", ...}
  --warmup N             warm-up runs before timing (default 10; only with --bench)
  --opt-level LEVEL      ONNX Runtime graph optimization level: disabled, basic, extended
                         or all (default all: includes QDQ -> QLinearConv/QLinearAdd fusion)

Messages go to stderr.`;

function fail(msg) {
  process.stderr.write(`run_ort: error: ${msg}\n`);
  process.exit(1);
}

function parseCount(flag, text, min) {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) < min) {
    fail(`${flag} needs an integer >= ${min}, got '${text}'`);
  }
  return Number(text);
}

function parseArgs(argv) {
  const opts = { model: null, inputs: [], out: null, threads: 1, bench: 0, warmup: 10, optLevel: 'all' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    } else if (a === '--input') {
      const v = value();
      const eq = v.indexOf('=');
      opts.inputs.push(eq < 0 ? { name: null, file: v } : { name: v.slice(0, eq), file: v.slice(eq + 1) });
    } else if (a === '--out') {
      opts.out = value();
    } else if (a === '--threads') {
      opts.threads = parseCount(a, value(), 1);
    } else if (a === '--bench') {
      opts.bench = parseCount(a, value(), 1);
    } else if (a === '--warmup') {
      opts.warmup = parseCount(a, value(), 0);
    } else if (a === '--opt-level') {
      opts.optLevel = value();
      if (!['disabled', 'basic', 'extended', 'all'].includes(opts.optLevel)) {
        fail(`--opt-level must be disabled, basic, extended or all, got '${opts.optLevel}'`);
      }
    } else if (a.startsWith('-')) {
      fail(`unknown option '${a}'\n${USAGE}`);
    } else if (opts.model === null) {
      opts.model = a;
    } else {
      fail(`unexpected argument '${a}' (model already given as '${opts.model}')`);
    }
  }
  if (opts.model === null) fail(`no model given\n${USAGE}`);
  return opts;
}

// Linear interpolation between closest ranks (numpy.percentile's default).
function percentile(sorted, p) {
  const pos = (sorted.length - 1) * p / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function round3(x) {
  return Math.round(x * 1000) / 1000;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const session = await ort.InferenceSession.create(opts.model, {
    graphOptimizationLevel: opts.optLevel,
    executionProviders: ['cpu'],
    executionMode: 'sequential',
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
  });

  const feeds = {};
  for (const inp of opts.inputs) {
    let name = inp.name;
    if (name === null) {
      if (session.inputNames.length !== 1) {
        fail(`'--input ${inp.file}' has no NAME= but the model has inputs ${JSON.stringify(session.inputNames)}`);
      }
      name = session.inputNames[0];
    }
    if (!session.inputNames.includes(name)) {
      fail(`model has no input '${name}' (inputs: ${JSON.stringify(session.inputNames)})`);
    }
    if (name in feeds) fail(`input '${name}' given twice`);
    const t = readNpy(inp.file);
    feeds[name] = new ort.Tensor(t.type, t.data, t.shape);
  }
  const missing = session.inputNames.filter((n) => !(n in feeds));
  if (missing.length > 0) fail(`missing --input for ${JSON.stringify(missing)}`);

  const results = await session.run(feeds);

  if (opts.out !== null) {
    fs.mkdirSync(opts.out, { recursive: true });
    for (const name of session.outputNames) {
      const t = results[name];
      const file = path.join(opts.out, name.replace(/[^A-Za-z0-9._-]/g, '_') + '.npy');
      writeNpy(file, t.type, t.data, t.dims);
      process.stderr.write(`run_ort: wrote ${file} (${t.type} [${t.dims.join(', ')}])\n`);
    }
  }

  if (opts.bench > 0) {
    for (let i = 0; i < opts.warmup; i++) await session.run(feeds);
    const ms = [];
    for (let i = 0; i < opts.bench; i++) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const sorted = ms.slice().sort((a, b) => a - b);
    process.stdout.write(JSON.stringify({
      model: opts.model,
      runtime: 'onnxruntime-node',
      ort_version: require('onnxruntime-node/package.json').version,
      threads: opts.threads,
      opt_level: opts.optLevel,
      warmup: opts.warmup,
      runs: opts.bench,
      median_ms: round3(percentile(sorted, 50)),
      p10_ms: round3(percentile(sorted, 10)),
      p90_ms: round3(percentile(sorted, 90)),
      min_ms: round3(sorted[0]),
      mean_ms: round3(ms.reduce((a, b) => a + b, 0) / ms.length),
    }) + '\n');
  }
}

main().catch((e) => fail(e && e.message ? e.message : String(e)));
