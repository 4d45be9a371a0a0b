// The website's explorer (book/_static/tm_explorer.js) against the package.
//
// Run by tests/tm/test_explorer_js.py, which first writes the package's answers with
// biascourse.tm.explorer_vectors; by hand:
//   python -c "import biascourse.tm as tm; tm.explorer_vectors('/tmp/v.json')"
//   TM_EXPLORER_VECTORS=/tmp/v.json node --test tests/js/test_tm_explorer.mjs
// Tolerances: curves 1e-9 relative to the largest magnitude of the curve (a curve that passes
// through zero, like M or R, has no relative error at its zero); crossing times 1e-6 relative.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";

const require = createRequire(import.meta.url);
const TM = require("../../book/_static/tm_explorer.js");
const path = process.env.TM_EXPLORER_VECTORS;
if (!path) throw new Error("set TM_EXPLORER_VECTORS to a file written by biascourse.tm.explorer_vectors");
const vectors = JSON.parse(readFileSync(path, "utf8"));

const CURVE_RTOL = 1e-9;
const CROSSING_RTOL = 1e-6;

function assertClose(actual, expected, rtol, what) {
  const scale = Math.max(...expected.map((x) => (x === null ? 0 : Math.abs(x))));
  let worst = 0;
  let where = -1;
  expected.forEach((x, i) => {
    if (x === null) {
      assert.ok(Number.isNaN(actual[i]), `${what}[${i}]: the package has NaN, the explorer ${actual[i]}`);
      return;
    }
    const error = Math.abs(actual[i] - x) / (scale || 1);
    if (!(error <= worst)) {
      worst = error;
      where = i;
    }
  });
  assert.ok(worst <= rtol, `${what}: relative error ${worst.toExponential(2)} at index ${where} ` +
    `(explorer ${actual[where]}, package ${expected[where]})`);
  return worst;
}

// JSON has no NaN or infinity: the vectors write them as "nan", "inf", "-inf".
const SPECIAL = { nan: NaN, inf: Infinity, "-inf": -Infinity };
const parse = (values) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? SPECIAL[v] : v]));

test("the vectors cover crossings, every phase and random starts", () => {
  assert.ok(vectors.cases.length >= 10);
  assert.ok(vectors.cases.filter((c) => c.crossings.length > 0).length >= 3);
  assert.ok(vectors.cases.some((c) => c.crossings.length >= 2));
  for (const driver of ["M", "R", "Q"]) assert.ok(vectors.cases.some((c) => c.phases.some((p) => p.driver === driver)));
  assert.ok(vectors.cases.some((c) => Object.keys(c.init).length > 0));
});

for (const c of vectors.cases) {
  test(`closed form, crossings and phases: ${c.name}`, () => {
    const p = TM.makeParams(c.params);
    for (const [name, value] of Object.entries(c.timescales)) {
      assert.ok(Math.abs(p[name] - value) <= 1e-12 * Math.abs(value), `${name}: ${p[name]} vs ${value}`);
    }
    const sol = TM.solve(p, c.t, c.init);
    for (const [name, expected] of Object.entries(c.curves)) {
      assertClose(sol[name], expected, CURVE_RTOL, name);
    }
    const found = TM.crossings(p, c.t_max, c.init, vectors.n_grid);
    assert.equal(found.length, c.crossings.length, `crossings: explorer ${found}, package ${c.crossings}`);
    found.forEach((t, i) => {
      assert.ok(Math.abs(t - c.crossings[i]) <= CROSSING_RTOL * c.crossings[i], `crossing ${i}: ${t} vs ${c.crossings[i]}`);
    });
    const phases = TM.phaseIntervals(p, c.t_max, c.init);
    assert.deepEqual(phases.map((ph) => ph.driver), c.phases.map((ph) => ph.driver));
    phases.forEach((ph, i) => {
      for (const end of ["start", "end"]) {
        const expected = c.phases[i][end];
        assert.ok(Math.abs(ph[end] - expected) <= 1e-9 * Math.max(expected, 1e-300), `phase ${i} ${end}: ${ph[end]} vs ${expected}`);
      }
    });
    const fixed = TM.fixedPoint(p);
    for (const [name, value] of Object.entries(c.fixed_point)) {
      assert.ok(Math.abs(fixed[name] - value) <= 1e-9 * Math.max(1, Math.abs(value)), `fixed point ${name}: ${fixed[name]} vs ${value}`);
    }
    TM.asymptoticErrors(p).forEach((e, i) => {
      assert.ok(Math.abs(e - c.asymptotic_errors[i]) <= 1e-9 * Math.abs(c.asymptotic_errors[i]), `asymptotic error ${i}`);
    });
  });
}

test("invalid parameters: the messages of TMParams and of tm.fixed_point, word for word", () => {
  assert.ok(vectors.invalid.length >= 10);
  for (const { params, message, source } of vectors.invalid) {
    if (source === "TMParams") {
      assert.throws(() => TM.makeParams(parse(params)), (error) => error.message === message,
        `${JSON.stringify(params)} should raise: ${message}`);
    } else {
      const p = TM.makeParams(parse(params));
      assert.equal(TM.instabilityMessage(p), message);
      assert.throws(() => TM.fixedPoint(p), (error) => error.message === message);
    }
  }
});

test("Python's number format", () => {
  const cases = [[0, "0"], [1.5, "1.5"], [-1.0000001, "-1"], [1e-5, "1e-05"], [123456789, "1.23457e+08"],
    [0.0001234, "0.0001234"], [100000, "100000"], [1e6, "1e+06"], [NaN, "nan"], [Infinity, "inf"], [2.5e-300, "2.5e-300"]];
  for (const [x, text] of cases) assert.equal(TM.formatG(x), text);
  assert.equal(TM.formatG(0.68812, 4), "0.6881");
  assert.equal(TM.formatG(12345.678, 4), "1.235e+04");
});
