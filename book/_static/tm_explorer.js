/* Live explorer of the teacher-mixture theory for the course website (chapters 3 and 4).
 *
 * What it computes: the closed form of biascourse.tm.solve (online SGD on the teacher-mixture model,
 * N -> infinity, student without a bias), the per-group MSE and misclassification, the order
 * parameters R_+-, M, Q, the timescales, the crossing times of eps_+ - eps_- (root bracketing on the
 * grid of biascourse.tm.crossings, then bisection), the phases of bias
 * (biascourse.tm.phases.phase_intervals) and the fixed point. Parameter bounds and error messages
 * are those of biascourse.tm.TMParams and biascourse.tm.fixed_point, word for word. Derivations:
 * book/derivations/tm_dynamics.md (closed form) and book/derivations/tm_phases.md (phases).
 * tests/js/test_tm_explorer.mjs checks it against vectors written by biascourse.tm.explorer_vectors.
 *
 * How it draws: hand-written SVG, no plotting library. Why: the whole explorer is one unminified file
 * of about 47 kB served from the site's own _static folder, so it works offline (every page loads it,
 * from the browser's cache after the first, and it does nothing where there is no explorer); a plotting library (Plotly ~3.5 MB, Vega ~800 kB, even uPlot ~50 kB plus a
 * canvas) would be larger than the theory it shows, would need a package registry and a build
 * step to ship, and none of them redraws faster than rewriting four <path> strings: an update of
 * 400 time points (theory, crossings, phases and SVG) takes a few milliseconds, under one frame.
 *
 * Loading: a plain script. In a browser it defines window.TMExplorer and mounts every
 * <div class="tm-explorer"> of the page (configured by data attributes, see mount()); under Node
 * `require("book/_static/tm_explorer.js")` returns the same functions, for the tests.
 */
(function (root, factory) {
  "use strict";
  const api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.TMExplorer = api;
  }
  if (typeof document !== "undefined" && typeof window !== "undefined") {
    const start = () => api.mountAll(document);
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", start);
    } else {
      start();
    }
  }
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  const SITE_URL = "https://biascourse.github.io/biascourse/";
  const STABILITY_PAGE = SITE_URL + "book/derivations/tm_dynamics.html#deriv-tm-stability";
  const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
  const FIELDS = ["rho", "delta_plus", "delta_minus", "v", "T", "alpha_plus", "alpha_minus",
    "m_plus", "m_minus", "eta", "eta_b"];
  const DEFAULTS = { rho: 0.5, delta_plus: 1, delta_minus: 1, v: 0, T: 1, alpha_plus: 0, alpha_minus: 0,
    m_plus: 0, m_minus: 0, eta: 0.1, eta_b: 0 };
  /* name: [low, high, text, open_low, open_high], as TMParams.__post_init__ checks them */
  const RANGES = [
    ["rho", 0, 1, "(0, 1)", true, true],
    ["delta_plus", 0, Infinity, "(0, inf)", true, false],
    ["delta_minus", 0, Infinity, "(0, inf)", true, false],
    ["v", 0, Infinity, "[0, inf)", false, false],
    ["T", -1, 1, "[-1, 1]", false, false],
    ["eta", 0, Infinity, "(0, inf)", true, false],
    ["eta_b", 0, Infinity, "[0, inf)", false, false],
  ];

  // ----- number formatting as Python's format(x, "g") -----------------------------------------

  /** Python's `format(x, f".{precision}g")`, so that messages match the package's word for word. */
  function formatG(x, precision = 6) {
    if (Number.isNaN(x)) return "nan";
    if (x === Infinity) return "inf";
    if (x === -Infinity) return "-inf";
    if (x === 0) return Object.is(x, -0) ? "-0" : "0";
    const p = Math.max(1, precision);
    const exponential = x.toExponential(p - 1);
    const exponent = parseInt(exponential.slice(exponential.indexOf("e") + 1), 10);
    const strip = (s) => (s.indexOf(".") >= 0 ? s.replace(/\.?0+$/, "") : s);
    if (exponent >= -4 && exponent < p) {
      return strip(x.toFixed(p - 1 - exponent));
    }
    const mantissa = strip(exponential.slice(0, exponential.indexOf("e")));
    const sign = exponent < 0 ? "-" : "+";
    const digits = String(Math.abs(exponent)).padStart(2, "0");
    return `${mantissa}e${sign}${digits}`;
  }

  // ----- special functions ----------------------------------------------------------------------

  /* W. J. Cody's rational approximations of erf and erfc (ACM TOMS 715, CALERF), full double precision. */
  const ERF_A = [3.16112374387056560e0, 1.13864154151050156e2, 3.77485237685302021e2,
    3.20937758913846947e3, 1.85777706184603153e-1];
  const ERF_B = [2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3,
    2.84423683343917062e3];
  const ERF_C = [5.64188496988670089e-1, 8.88314979438837594e0, 6.61191906371416295e1,
    2.98635138197400131e2, 8.81952221241769090e2, 1.71204761263407058e3, 2.05107837782607147e3,
    1.23033935479799725e3, 2.15311535474403846e-8];
  const ERF_D = [1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2,
    1.62138957456669019e3, 3.29079923573345963e3, 4.36261909014324716e3, 3.43936767414372164e3,
    1.23033935480374942e3];
  const ERF_P = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
    1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2];
  const ERF_Q = [2.56852019228982242e0, 1.87295284992346047e0, 5.27905102951428412e-1,
    6.05183413124413191e-2, 2.33520497626869185e-3];
  const SQRPI = 5.6418958354775628695e-1; // 1 / sqrt(pi)

  /** erf (jint 0) or erfc (jint 1) of x. */
  function calerf(x, jint) {
    const y = Math.abs(x);
    let result;
    if (y <= 0.46875) {
      const ysq = y > 1.11e-16 ? y * y : 0;
      let xnum = ERF_A[4] * ysq;
      let xden = ysq;
      for (let i = 0; i < 3; i++) {
        xnum = (xnum + ERF_A[i]) * ysq;
        xden = (xden + ERF_B[i]) * ysq;
      }
      result = (x * (xnum + ERF_A[3])) / (xden + ERF_B[3]);
      return jint === 0 ? result : 1 - result;
    }
    if (y <= 4) {
      let xnum = ERF_C[8] * y;
      let xden = y;
      for (let i = 0; i < 7; i++) {
        xnum = (xnum + ERF_C[i]) * y;
        xden = (xden + ERF_D[i]) * y;
      }
      result = (xnum + ERF_C[7]) / (xden + ERF_D[7]);
      const ysq = Math.trunc(y * 16) / 16;
      const del = (y - ysq) * (y + ysq);
      result = Math.exp(-ysq * ysq) * Math.exp(-del) * result;
    } else if (y >= 26.543) {
      result = 0;
    } else {
      const ysq = 1 / (y * y);
      let xnum = ERF_P[5] * ysq;
      let xden = ysq;
      for (let i = 0; i < 4; i++) {
        xnum = (xnum + ERF_P[i]) * ysq;
        xden = (xden + ERF_Q[i]) * ysq;
      }
      result = (ysq * (xnum + ERF_P[4])) / (xden + ERF_Q[4]);
      result = (SQRPI - result) / y;
      const yt = Math.trunc(y * 16) / 16;
      const del = (y - yt) * (y + yt);
      result = Math.exp(-yt * yt) * Math.exp(-del) * result;
    }
    if (jint === 0) {
      result = 0.5 - result + 0.5;
      return x < 0 ? -result : result;
    }
    return x < 0 ? 2 - result : result;
  }

  const erf = (x) => calerf(x, 0);
  const erfc = (x) => calerf(x, 1);

  /** Standard normal CDF (as scipy.special.ndtr: erf near 0, erfc in the tails). */
  function ndtr(a) {
    if (Number.isNaN(a)) return NaN;
    const x = a * Math.SQRT1_2;
    const z = Math.abs(x);
    if (z < Math.SQRT1_2) return 0.5 + 0.5 * erf(x);
    const y = 0.5 * erfc(z);
    return x > 0 ? 1 - y : y;
  }

  /** (exp(x) - 1) / x, finite at 0 (scipy.special.exprel). */
  function exprel(x) {
    if (Math.abs(x) < 1e-16) return 1;
    if (x > 717) return Infinity;
    return Math.expm1(x) / x;
  }

  /* Gauss-Legendre nodes and weights on [-1, 1] (half of each symmetric set) for A. Genz's
     bivariate normal algorithm (TVPACK BVND, Drezner-Wesolowsky with Genz's refinements). */
  const GL = [
    { w: [0.1713244923791705, 0.3607615730481384, 0.4679139345726904],
      x: [-0.9324695142031522, -0.6612093864662647, -0.238619186083197] },
    { w: [0.04717533638651177, 0.1069393259953183, 0.1600783285433464, 0.2031674267230659,
      0.2334925365383547, 0.2491470458134029],
      x: [-0.9815606342467191, -0.904117256370475, -0.769902674194305, -0.5873179542866171,
        -0.3678314989981802, -0.1252334085114692] },
    { w: [0.01761400713915212, 0.04060142980038694, 0.06267204833410906, 0.08327674157670475,
      0.1019301198172404, 0.1181945319615184, 0.1316886384491766, 0.1420961093183821,
      0.1491729864726037, 0.1527533871307259],
      x: [-0.9931285991850949, -0.9639719272779138, -0.9122344282513259, -0.8391169718222188,
        -0.7463319064601508, -0.636053680726515, -0.5108670019508271, -0.3737060887154196,
        -0.2277858511416451, -0.07652652113349733] },
  ];
  const TWOPI = 2 * Math.PI;

  /** Upper probability P(X > dh, Y > dk) of standard normals with correlation r (Genz's BVND). */
  function bvnUpper(dh, dk, r) {
    const rule = Math.abs(r) < 0.3 ? GL[0] : Math.abs(r) < 0.75 ? GL[1] : GL[2];
    let h = dh;
    let k = dk;
    let hk = h * k;
    let bvn = 0;
    if (Math.abs(r) < 0.925) {
      if (Math.abs(r) > 0) {
        const hs = (h * h + k * k) / 2;
        const asr = Math.asin(r);
        for (let i = 0; i < rule.w.length; i++) {
          for (const is of [-1, 1]) {
            const sn = Math.sin((asr * (is * rule.x[i] + 1)) / 2);
            bvn += rule.w[i] * Math.exp((sn * hk - hs) / (1 - sn * sn));
          }
        }
        bvn = (bvn * asr) / (2 * TWOPI);
      }
      return bvn + ndtr(-h) * ndtr(-k);
    }
    if (r < 0) {
      k = -k;
      hk = -hk;
    }
    if (Math.abs(r) < 1) {
      const as = (1 - r) * (1 + r);
      let a = Math.sqrt(as);
      const bs = (h - k) * (h - k);
      const c = (4 - hk) / 8;
      const d = (12 - hk) / 16;
      let asr = -(bs / as + hk) / 2;
      if (asr > -100) bvn = a * Math.exp(asr) * (1 - (c * (bs - as) * (1 - (d * bs) / 5)) / 3 + (c * d * as * as) / 5);
      if (-hk < 100) {
        const b = Math.sqrt(bs);
        bvn -= Math.exp(-hk / 2) * Math.sqrt(TWOPI) * ndtr(-b / a) * b * (1 - (c * bs * (1 - (d * bs) / 5)) / 3);
      }
      a /= 2;
      for (let i = 0; i < rule.w.length; i++) {
        for (const is of [-1, 1]) {
          const xs = (a * (is * rule.x[i] + 1)) ** 2;
          const rs = Math.sqrt(1 - xs);
          asr = -(bs / xs + hk) / 2;
          if (asr > -100) {
            bvn += a * rule.w[i] * Math.exp(asr) *
              (Math.exp((-hk * xs) / (2 * (1 + rs) * (1 + rs))) / rs - (1 + c * xs * (1 + d * xs)));
          }
        }
      }
      bvn = -bvn / TWOPI;
    }
    if (r > 0) return bvn + ndtr(-Math.max(h, k));
    bvn = -bvn;
    if (k > h) bvn += h < 0 ? ndtr(k) - ndtr(h) : ndtr(-h) - ndtr(-k);
    return bvn;
  }

  /** P(X <= h, Y <= k) for standard normals with correlation r in [-1, 1] (tm.bivariate_normal_cdf). */
  function bivariateNormalCdf(h, k, r) {
    if (Number.isNaN(h) || Number.isNaN(k) || Number.isNaN(r)) return NaN;
    if (r >= 1) return ndtr(Math.min(h, k));
    if (r <= -1) return Math.max(ndtr(h) + ndtr(k) - 1, 0);
    if (h === 0 && k === 0) return 0.25 + Math.asin(r) / TWOPI;
    return bvnUpper(-h, -k, r);
  }

  // ----- parameters -----------------------------------------------------------------------------

  /** Smallest eigenvalue of a symmetric matrix (cyclic Jacobi rotations; exact to rounding, as eigvalsh). */
  function smallestEigenvalue(matrix) {
    const a = matrix.map((row) => row.slice());
    const n = a.length;
    for (let sweep = 0; sweep < 50; sweep++) {
      let off = 0;
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i][j] ** 2;
      if (off === 0) break;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          if (a[i][j] === 0) continue;
          const theta = (a[j][j] - a[i][i]) / (2 * a[i][j]);
          const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          const c = 1 / Math.sqrt(t * t + 1);
          const s = t * c;
          for (let k = 0; k < n; k++) {
            const aki = a[k][i];
            const akj = a[k][j];
            a[k][i] = c * aki - s * akj;
            a[k][j] = s * aki + c * akj;
          }
          for (let k = 0; k < n; k++) {
            const aik = a[i][k];
            const ajk = a[j][k];
            a[i][k] = c * aik - s * ajk;
            a[j][k] = s * aik + c * ajk;
          }
        }
      }
    }
    return Math.min(...a.map((row, i) => row[i]));
  }

  /**
   * A validated parameter set with its derived constants, like biascourse.tm.TMParams (one model).
   * Throws an Error with TMParams' message for a value out of its range or an impossible geometry.
   */
  function makeParams(values) {
    const p = {};
    for (const name of Object.keys(values || {})) {
      if (!FIELDS.includes(name)) throw new Error(`unknown parameter ${name}; expected one of ${FIELDS.join(", ")}`);
    }
    for (const name of FIELDS) {
      const value = values && values[name] !== undefined ? Number(values[name]) : DEFAULTS[name];
      if (!Number.isFinite(value)) throw new Error(`${name} must be finite; got ${formatG(value)}`);
      p[name] = value;
    }
    for (const [name, low, high, text, openLow, openHigh] of RANGES) {
      const x = p[name];
      const bad = (openLow ? x <= low : x < low) || (openHigh ? x >= high : x > high);
      if (bad) throw new Error(`${name} must be in ${text}; got ${formatG(x)}`);
    }
    const V = p.v ** 2;
    const gram = [[1, p.T, p.m_plus], [p.T, 1, p.m_minus], [p.m_plus, p.m_minus, V]];
    const scale = 1 + Math.max(...gram.flat().map(Math.abs));
    if (smallestEigenvalue(gram) < -1e-10 * scale) {
      throw new Error(
        "the Gram matrix [[1, T, m_plus], [T, 1, m_minus], [m_plus, m_minus, v**2]] of " +
        "(W_T^+, W_T^-, v) must be positive semi-definite (teachers of norm 1 and a shift " +
        `of norm v cannot have these overlaps); got T=${formatG(p.T)}, m_plus=${formatG(p.m_plus)}, ` +
        `m_minus=${formatG(p.m_minus)}, v=${formatG(p.v)}. Need m_plus**2 <= v**2, m_minus**2 <= v**2 and, ` +
        "for |T| = 1, m_minus = T * m_plus"
      );
    }
    if (p.eta_b !== 0) {
      throw new Error("the explorer uses the closed form, which has no trained bias; set eta_b = 0");
    }
    const rho = p.rho;
    p.V = V;
    p.delta_mix = rho * p.delta_plus + (1 - rho) * p.delta_minus;
    p.delta2_mix = rho * p.delta_plus ** 2 + (1 - rho) * p.delta_minus ** 2;
    p.tau_M = 1 / (p.eta * (p.V + p.delta_mix));
    p.tau_R = 1 / (p.eta * p.delta_mix);
    p.tau_Q = 1 / (2 * p.eta * p.delta_mix - p.eta ** 2 * p.delta2_mix);
    p.eta_max = (2 * p.delta_mix) / p.delta2_mix;
    p.a_plus = p.m_plus + p.alpha_plus;
    p.a_minus = -p.m_minus + p.alpha_minus;
    p.E_plus = erf(p.a_plus / Math.sqrt(2 * p.delta_plus));
    p.E_minus = erf(p.a_minus / Math.sqrt(2 * p.delta_minus));
    p.G_plus = SQRT_2_OVER_PI * Math.exp(-(p.a_plus ** 2) / (2 * p.delta_plus));
    p.G_minus = SQRT_2_OVER_PI * Math.exp(-(p.a_minus ** 2) / (2 * p.delta_minus));
    p.stable = p.eta < p.eta_max;
    return Object.freeze(p);
  }

  /** The message of biascourse.tm.fixed_point for eta >= eta_max (null when the model is stable). */
  function instabilityMessage(p) {
    if (p.stable) return null;
    return `eta must be below the stable bound eta_max = 2 Delta^mix / Delta^2mix = ${formatG(p.eta_max, 4)}; ` +
      `got eta = ${formatG(p.eta)}. Above it the student norm Q diverges and the fixed point does not exist ` +
      `(${STABILITY_PAGE})`;
  }

  /** The constants of the ODEs (tm.coefficients). */
  function coefficients(p) {
    const rho = p.rho;
    const q = 1 - rho;
    const sp = Math.sqrt(p.delta_plus);
    const sm = Math.sqrt(p.delta_minus);
    const { E_plus: Ep, E_minus: Em, G_plus: Gp, G_minus: Gm, eta } = p;
    const E_bar = rho * Ep - q * Em;
    const E_bar_delta = rho * p.delta_plus * Ep - q * p.delta_minus * Em;
    const g_plus = rho * sp * Gp + q * sm * Gm * p.T;
    const g_minus = rho * sp * Gp * p.T + q * sm * Gm;
    const h = rho * sp * p.m_plus * Gp + q * sm * p.m_minus * Gm;
    return {
      E_bar, E_bar_delta, g_plus, g_minus, h,
      c1: p.V * E_bar + h,
      c2: p.m_plus * E_bar + g_plus,
      c3: p.m_minus * E_bar + g_minus,
      c4: eta ** 2 * p.delta_mix,
      c5: 2 * eta * (E_bar - eta * E_bar_delta),
      c6: -eta * (2 - eta * p.delta_mix),
      c7: 2 * eta * rho * sp * Gp * (1 - eta * p.delta_plus),
      c8: 2 * eta * q * sm * Gm * (1 - eta * p.delta_minus),
      c9: 2 * eta * p.delta_mix - eta ** 2 * p.delta2_mix,
    };
  }

  // ----- the closed form ------------------------------------------------------------------------

  const ORDER = ["R_plus", "R_minus", "M", "Q"];

  function checkInit(init) {
    const state = { R_plus: 0, R_minus: 0, M: 0, Q: 0 };
    for (const name of Object.keys(init || {})) {
      if (name === "b") {
        if (Number(init.b) !== 0) throw new Error("the explorer's closed form has no student bias: b must be 0");
        continue;
      }
      if (!ORDER.includes(name)) throw new Error(`init keys must be among ${ORDER.join(", ")}; got ${name}`);
      const value = Number(init[name]);
      if (!Number.isFinite(value)) throw new Error(`${name} must be finite; got ${init[name]}`);
      state[name] = value;
    }
    if (state.Q < 0) throw new Error(`Q must be in [0, inf) (it is |W|^2 / N); got ${formatG(state.Q)}`);
    return state;
  }

  /** (exp(-l t) - exp(-c t)) / (c - l), finite at resonance, for c <= 0 and for l = 0 (tm._ode._relaxation). */
  function relaxation(t, rate, sourceRate) {
    return t * Math.exp(-Math.min(rate, sourceRate) * t) * exprel(-Math.abs(rate - sourceRate) * t);
  }

  /** The constants of the closed form from an initial state: a function of t giving R_+, R_-, M, Q. */
  function closedForm(p, init) {
    const k = coefficients(p);
    const s0 = checkInit(init);
    const rateM = 1 / p.tau_M;
    const rateR = 1 / p.tau_R;
    const c9 = k.c9;
    const Minf = k.c1 / (p.V + p.delta_mix);
    const k1 = s0.M - Minf;
    const Rinf = [(k.c2 - p.m_plus * Minf) / p.delta_mix, (k.c3 - p.m_minus * Minf) / p.delta_mix];
    const k2 = [p.m_plus, p.m_minus].map((m) => (p.V > 0 ? (m * k1) / p.V : 0));
    const k3 = [s0.R_plus - Rinf[0] - k2[0], s0.R_minus - Rinf[1] - k2[1]];
    const sourceInf = k.c4 + k.c5 * Minf + k.c6 * Minf ** 2 + k.c7 * Rinf[0] + k.c8 * Rinf[1];
    const f1 = (k.c5 + 2 * k.c6 * Minf) * k1 + k.c7 * k2[0] + k.c8 * k2[1];
    const f2 = k.c6 * k1 ** 2;
    const f3 = k.c7 * k3[0] + k.c8 * k3[1];
    const Q0 = s0.Q;
    return function at(t, out) {
      const decayM = Math.exp(-rateM * t);
      const decayR = Math.exp(-rateR * t);
      out.M = Minf + k1 * decayM;
      out.R_plus = Rinf[0] + k2[0] * decayM + k3[0] * decayR;
      out.R_minus = Rinf[1] + k2[1] * decayM + k3[1] * decayR;
      let Q = Q0 * Math.exp(-c9 * t);
      Q += sourceInf * relaxation(t, c9, 0);
      Q += f1 * relaxation(t, c9, rateM);
      Q += f2 * relaxation(t, c9, 2 * rateM);
      Q += f3 * relaxation(t, c9, rateR);
      out.Q = Q;
      return out;
    };
  }

  /** Per-group MSE with the 1/2 of the loss (tm.group_mse, b = 0). */
  function groupMse(p, R_plus, R_minus, M, Q) {
    const mp = M;
    const mm = -M;
    return [
      0.5 * (1 + mp ** 2 + p.delta_plus * Q - 2 * mp * p.E_plus - 2 * Math.sqrt(p.delta_plus) * p.G_plus * R_plus),
      0.5 * (1 + mm ** 2 + p.delta_minus * Q - 2 * mm * p.E_minus - 2 * Math.sqrt(p.delta_minus) * p.G_minus * R_minus),
    ];
  }

  /** Per-group misclassification probability (tm.group_error_rate, b = 0); NaN where Q = 0. */
  function groupErrorRate(p, R_plus, R_minus, M, Q) {
    const sqrtQ = Q > 0 ? Math.sqrt(Q) : NaN;
    const out = [];
    for (const [c, R, delta, a] of [[1, R_plus, p.delta_plus, p.a_plus], [-1, R_minus, p.delta_minus, p.a_minus]]) {
      const hA = -(c * M) / (Math.sqrt(delta) * sqrtQ);
      const hB = Number.isNaN(hA) ? NaN : -a / Math.sqrt(delta);
      const r = Math.min(1, Math.max(-1, R / sqrtQ));
      out.push(ndtr(hA) + ndtr(hB) - 2 * bivariateNormalCdf(hA, hB, r));
    }
    return out;
  }

  /**
   * Order parameters and per-group errors at the times t (tm.solve, method "closed_form").
   * Returns Float64Arrays t, R_plus, R_minus, M, Q, eps_plus, eps_minus, eps, err_plus, err_minus, err.
   */
  function solve(p, t, init) {
    const times = Float64Array.from(t);
    for (const x of times) {
      if (!(x >= 0) || !Number.isFinite(x)) throw new Error(`t must be in [0, inf) and finite; got ${formatG(x)}`);
    }
    const n = times.length;
    const out = { t: times };
    for (const name of [...ORDER, "eps_plus", "eps_minus", "eps", "err_plus", "err_minus", "err"]) {
      out[name] = new Float64Array(n);
    }
    const at = closedForm(p, init);
    const s = {};
    for (let i = 0; i < n; i++) {
      at(times[i], s);
      out.R_plus[i] = s.R_plus;
      out.R_minus[i] = s.R_minus;
      out.M[i] = s.M;
      out.Q[i] = s.Q;
      const [ep, em] = groupMse(p, s.R_plus, s.R_minus, s.M, s.Q);
      const [pp, pm] = groupErrorRate(p, s.R_plus, s.R_minus, s.M, s.Q);
      out.eps_plus[i] = ep;
      out.eps_minus[i] = em;
      out.eps[i] = p.rho * ep + (1 - p.rho) * em;
      out.err_plus[i] = pp;
      out.err_minus[i] = pm;
      out.err[i] = p.rho * pp + (1 - p.rho) * pm;
    }
    return out;
  }

  // ----- grids as numpy makes them ----------------------------------------------------------------

  function linspace(start, stop, num) {
    const out = new Float64Array(num);
    const step = (stop - start) / (num - 1);
    for (let i = 0; i < num; i++) out[i] = i * step + start;
    if (num > 1) out[num - 1] = stop;
    return out;
  }

  function geomspace(start, stop, num) {
    const exponents = linspace(Math.log10(start), Math.log10(stop), num);
    const out = exponents.map((e) => 10 ** e);
    out[0] = start;
    if (num > 1) out[num - 1] = stop;
    return out;
  }

  function checkHorizon(tMax, count, name) {
    if (!Number.isFinite(tMax) || !(tMax > 0)) throw new Error(`t_max must be in (0, inf); got ${formatG(tMax)}`);
    if (!Number.isInteger(count) || count < 2) throw new Error(`${name} must be in [2, inf); got ${count}`);
  }

  // ----- crossings ------------------------------------------------------------------------------

  /**
   * Times in (0, tMax] at which eps_+ - eps_- changes sign (tm.crossings): sign changes bracketed on
   * the same grid (geometric from tMax 1e-7 and linear, nGrid points each), each root then found by
   * bisection on the exact solution to 1e-12 tMax.
   */
  function crossings(p, tMax, init, nGrid = 4000) {
    checkHorizon(tMax, nGrid, "n_grid");
    const at = closedForm(p, init);
    const s = {};
    const gap = (t) => {
      at(t, s);
      const [ep, em] = groupMse(p, s.R_plus, s.R_minus, s.M, s.Q);
      return ep - em;
    };
    const all = Array.from(geomspace(tMax * 1e-7, tMax, nGrid)).concat(Array.from(linspace(0, tMax, nGrid).subarray(1)));
    all.sort((a, b) => a - b);
    const grid = all.filter((x, i) => i === 0 || x !== all[i - 1]);
    const values = grid.map(gap);
    const roots = [];
    for (let i = 0; i + 1 < grid.length; i++) {
      if (Math.sign(values[i]) * Math.sign(values[i + 1]) < 0) {
        let lo = grid[i];
        let hi = grid[i + 1];
        let fLo = values[i];
        while (hi - lo > 1e-12 * tMax) {
          const mid = 0.5 * (lo + hi);
          const fMid = gap(mid);
          if (fMid === 0) {
            lo = hi = mid;
            break;
          }
          if (Math.sign(fMid) === Math.sign(fLo)) {
            lo = mid;
            fLo = fMid;
          } else {
            hi = mid;
          }
        }
        roots.push(0.5 * (lo + hi));
      }
    }
    return roots;
  }

  // ----- phases of bias ---------------------------------------------------------------------------

  const DRIVERS = { M: "class imbalance", R: "saliency", Q: "representation" };

  /** The three terms of d(eps_+ - eps_-)/dt at a state (tm.phases.bias_drivers), keyed M, R, Q. */
  function driverTerms(p, k, s) {
    const { R_plus, R_minus, M, Q } = s;
    const D = k.E_bar - M;
    const dRp = p.eta * (p.m_plus * D + k.g_plus - p.delta_mix * R_plus);
    const dRm = p.eta * (p.m_minus * D + k.g_minus - p.delta_mix * R_minus);
    const dM = p.eta * (p.V * D + k.h - p.delta_mix * M);
    const [ep, em] = groupMse(p, R_plus, R_minus, M, Q);
    let dQ = 0;
    for (const [c, pc, delta, E, G, R, eps] of [
      [1, p.rho, p.delta_plus, p.E_plus, p.G_plus, R_plus, ep],
      [-1, 1 - p.rho, p.delta_minus, p.E_minus, p.G_minus, R_minus, em],
    ]) {
      dQ += pc * (2 * p.eta * (c * M * (E - c * M) + Math.sqrt(delta) * G * R - delta * Q) + p.eta ** 2 * delta * 2 * eps);
    }
    return {
      M: (M - p.E_plus) * dM - (-M - p.E_minus) * -dM,
      R: -Math.sqrt(p.delta_plus) * p.G_plus * dRp + Math.sqrt(p.delta_minus) * p.G_minus * dRm,
      Q: 0.5 * p.delta_plus * dQ - 0.5 * p.delta_minus * dQ,
    };
  }

  /**
   * The phases of bias (tm.phases.phase_intervals): [{start, end, driver}] where one driver has the
   * largest contribution to d(eps_+ - eps_-)/dt, on nTimes geometric times from tMax 1e-6.
   */
  function phaseIntervals(p, tMax, init, nTimes = 2000) {
    checkHorizon(tMax, nTimes, "n_times");
    const t = geomspace(tMax * 1e-6, tMax, nTimes);
    const k = coefficients(p);
    const at = closedForm(p, init);
    const keys = Object.keys(DRIVERS);
    const labels = new Int8Array(nTimes);
    const s = {};
    for (let i = 0; i < nTimes; i++) {
      const terms = driverTerms(p, k, at(t[i], s));
      let best = -1;
      let size = 0;
      keys.forEach((key, j) => {
        const value = Math.abs(terms[key]);
        if (value > size) {
          size = value;
          best = j;
        }
      });
      labels[i] = best;
    }
    const phases = [];
    let i = 0;
    while (i < nTimes) {
      let j = i + 1;
      while (j < nTimes && labels[j] === labels[i]) j++;
      if (labels[i] >= 0) {
        phases.push({
          start: i === 0 ? 0 : Math.sqrt(t[i - 1] * t[i]),
          end: j === nTimes ? tMax : Math.sqrt(t[j - 1] * t[j]),
          driver: keys[labels[i]],
        });
      }
      i = j;
    }
    return phases;
  }

  // ----- the fixed point ----------------------------------------------------------------------------

  /** The fixed point (tm.fixed_point, no trained bias); throws fixed_point's message if eta >= eta_max. */
  function fixedPoint(p) {
    const message = instabilityMessage(p);
    if (message) throw new Error(message);
    const k = coefficients(p);
    const M = k.c1 / (p.V + p.delta_mix);
    const D = k.E_bar - M;
    const R_plus = (p.m_plus * D + k.g_plus) / p.delta_mix;
    const R_minus = (p.m_minus * D + k.g_minus) / p.delta_mix;
    const [ep, em] = groupMse(p, R_plus, R_minus, M, 0);
    let source = 0;
    for (const [c, pc, delta, E, G, R, eps] of [
      [1, p.rho, p.delta_plus, p.E_plus, p.G_plus, R_plus, ep],
      [-1, 1 - p.rho, p.delta_minus, p.E_minus, p.G_minus, R_minus, em],
    ]) {
      source += pc * (2 * p.eta * (c * M * (E - c * M) + Math.sqrt(delta) * G * R) + p.eta ** 2 * delta * 2 * eps);
    }
    return { R_plus, R_minus, M, Q: source / k.c9 };
  }

  /** Per-group MSE at the fixed point (tm.phases.asymptotic_errors); [NaN, NaN] where eta >= eta_max. */
  function asymptoticErrors(p) {
    if (!p.stable) return [NaN, NaN];
    const s = fixedPoint(p);
    return groupMse(p, s.R_plus, s.R_minus, s.M, s.Q);
  }

  /** Everything the explorer draws for one parameter set: the theory on nTimes points and the summaries. */
  function compute(p, options = {}) {
    const horizon = options.horizon ?? 6;
    const nTimes = options.nTimes ?? 400;
    const tMax = horizon * Math.max(p.tau_M, p.tau_R, p.tau_Q);
    const t = options.logTime ? geomspace(tMax * 1e-3, tMax, nTimes) : linspace(0, tMax, nTimes);
    const sol = solve(p, t, options.init);
    const tCross = crossings(p, tMax, options.init, options.nGrid ?? 1000);
    const atCross = solve(p, tCross, options.init);
    const phases = options.phases === false ? [] : phaseIntervals(p, tMax, options.init);
    return { params: p, tMax, sol, crossings: tCross, atCrossings: atCross, phases, asymptotic: asymptoticErrors(p) };
  }

  // ----- drawing --------------------------------------------------------------------------------------

  const COLORS = { "+": "#1f5fbf", "-": "#d62728", total: "#7b3fa0" }; // biascourse.plotting.COLORS
  const ORDER_COLORS = { R_plus: COLORS["+"], R_minus: COLORS["-"], M: "#2ca02c", Q: "#ff7f0e" }; // tm.explore
  const PHASE_COLORS = { M: "#d9ead3", R: "#fff2cc", Q: "#e6e6e6" }; // tm.explore.PHASE_COLORS
  const TIMESCALES = [["tau_M", "2 3", "τ_M"], ["tau_R", "7 4", "τ_R"], ["tau_Q", "9 3 2 3", "τ_Q"]];
  const SVG_NS = "http://www.w3.org/2000/svg";

  const PANELS = {
    loss: {
      title: "per-group loss (MSE)",
      series: [["eps_plus", COLORS["+"], "ε₊", 2.2], ["eps_minus", COLORS["-"], "ε₋", 2.2], ["eps", COLORS.total, "ε (total)", 1.4]],
      crossings: true,
    },
    error: {
      title: "per-group misclassification",
      series: [["err_plus", COLORS["+"], "P₊", 2.2], ["err_minus", COLORS["-"], "P₋", 2.2]],
    },
    order: {
      title: "order parameters",
      series: [["R_plus", ORDER_COLORS.R_plus, "R₊", 2.2], ["R_minus", ORDER_COLORS.R_minus, "R₋", 2.2],
        ["M", ORDER_COLORS.M, "M", 2.2], ["Q", ORDER_COLORS.Q, "Q", 2.2]],
    },
  };

  /* [name, kind, min, max, step, label]; log sliders hold log10 of the value (as the notebook's). */
  const SLIDERS = [
    ["rho", "lin", 0.02, 0.98, 0.01, "ρ"],
    ["delta_plus", "log", -1.5, 0.7, 0.01, "Δ₊"],
    ["delta_minus", "log", -1.5, 0.7, 0.01, "Δ₋"],
    ["v", "lin", 0, 6, 0.05, "v"],
    ["T", "lin", -1, 1, 0.01, "T"],
    ["alpha_plus", "lin", -2, 2, 0.01, "α₊"],
    ["alpha_minus", "lin", -2, 2, 0.01, "α₋"],
    ["m_plus", "lin", -3, 3, 0.05, "m₊"],
    ["m_minus", "lin", -3, 3, 0.05, "m₋"],
    ["eta", "log", -3, 0.3, 0.01, "η"],
    ["horizon", "lin", 1, 30, 0.5, "horizon"],
  ];

  const STYLE = `
.tmx{margin:1em 0;font-size:14px;line-height:1.35}
.tmx-controls{display:grid;grid-template-columns:repeat(auto-fill,minmax(185px,1fr));gap:2px 14px;margin-bottom:6px}
.tmx-control{display:grid;grid-template-columns:4.5em 1fr 3.4em;align-items:center;gap:4px}
.tmx-control label{font-weight:600;white-space:nowrap}
.tmx-control input{width:100%;min-width:0;margin:0}
.tmx-control output{font-variant-numeric:tabular-nums;text-align:right}
.tmx-check{display:flex;align-items:center;gap:6px}
.tmx-panels{display:flex;flex-wrap:wrap;gap:8px}
.tmx-panel{flex:1 1 250px;min-width:0}
.tmx-panel svg{display:block;width:100%;height:250px;overflow:visible}
.tmx-panel svg text{font-family:inherit;font-size:12px;fill:#222}
.tmx-panel svg .tmx-title{font-size:13px;font-weight:600}
.tmx-legend{display:flex;flex-wrap:wrap;gap:2px 12px;font-size:13px;margin:2px 0 0 44px}
.tmx-key{display:inline-flex;align-items:center;gap:4px;white-space:nowrap}
.tmx-swatch{display:inline-block;width:18px;height:0;border-top:3px solid}
.tmx-box{display:inline-block;width:14px;height:12px;border:1px solid #aaa}
.tmx-summary{margin:.5em 0 0}
.tmx-summary p{margin:.2em 0}
.tmx-message{color:#b00020;font-weight:600;margin:.5em 0;overflow-wrap:anywhere}
.tmx-message:empty{display:none}
`;

  function svg(tag, attrs, parent) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (parent) parent.appendChild(node);
    return node;
  }

  function html(tag, attrs, parent, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  /** 3 significant digits, as the notebook explorer prints (".3g"). */
  const short = (x) => formatG(x, 3);

  /** About `count` round tick values (1, 2, 5 x 10^k) covering [low, high]. */
  function niceTicks(low, high, count = 5) {
    const span = high - low || Math.abs(high) || 1;
    const raw = span / count;
    const power = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
    const ticks = [];
    for (let x = Math.ceil(low / step) * step; x <= high + step * 1e-9; x += step) ticks.push(Math.abs(x) < step * 1e-9 ? 0 : x);
    return ticks;
  }

  function logTicks(low, high) {
    const ticks = [];
    for (let e = Math.ceil(Math.log10(low) - 1e-9); e <= Math.floor(Math.log10(high) + 1e-9); e++) ticks.push(10 ** e);
    return ticks;
  }

  function tickLabel(x) {
    if (x === 0) return "0";
    const a = Math.abs(x);
    if (a >= 1e-3 && a < 1e5) return formatG(x, 4);
    const e = Math.round(Math.log10(a));
    if (Math.abs(a - 10 ** e) < 1e-9 * a) return `${x < 0 ? "−" : ""}1e${e}`;
    return formatG(x, 3);
  }

  /** Draw one panel into an <svg>, replacing its content; width in CSS pixels. */
  function drawPanel(node, spec, result, options, width) {
    while (node.firstChild) node.removeChild(node.firstChild);
    const height = 250;
    node.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const m = { left: 44, right: 8, top: 22, bottom: 34 };
    const w = Math.max(40, width - m.left - m.right);
    const h = height - m.top - m.bottom;
    const { sol, tMax, params } = result;
    const t = sol.t;
    const tLow = options.logTime ? t[0] : 0;
    let yLow = Infinity;
    let yHigh = -Infinity;
    for (const [name] of spec.series) {
      if (name === "M" && params.V === 0) continue;
      for (const y of sol[name]) {
        if (Number.isFinite(y)) {
          if (y < yLow) yLow = y;
          if (y > yHigh) yHigh = y;
        }
      }
    }
    if (!Number.isFinite(yLow)) {
      yLow = 0;
      yHigh = 1;
    }
    const pad = (yHigh - yLow) * 0.06 || Math.abs(yHigh) * 0.1 || 0.1;
    yLow -= pad;
    yHigh += pad;
    const xOf = options.logTime
      ? (x) => m.left + (w * Math.log(x / tLow)) / Math.log(tMax / tLow)
      : (x) => m.left + (w * x) / tMax;
    const yOf = (y) => m.top + (h * (yHigh - y)) / (yHigh - yLow);
    const id = `tmx-clip-${node.dataset.panelId}`;
    const clip = svg("clipPath", { id }, svg("defs", {}, node));
    svg("rect", { x: m.left, y: m.top, width: w, height: h }, clip);
    const plot = svg("g", { "clip-path": `url(#${id})` }, node);
    for (const phase of result.phases) {
      const x0 = xOf(Math.max(phase.start, tLow));
      const x1 = xOf(phase.end);
      if (x1 > x0) svg("rect", { x: x0, y: m.top, width: x1 - x0, height: h, fill: PHASE_COLORS[phase.driver] }, plot);
    }
    const xTicks = options.logTime ? logTicks(tLow, tMax) : niceTicks(0, tMax);
    const yTicks = niceTicks(yLow, yHigh, 5);
    for (const x of xTicks) svg("line", { x1: xOf(x), x2: xOf(x), y1: m.top, y2: m.top + h, stroke: "#000", "stroke-opacity": 0.08 }, plot);
    for (const y of yTicks) svg("line", { x1: m.left, x2: m.left + w, y1: yOf(y), y2: yOf(y), stroke: "#000", "stroke-opacity": 0.08 }, plot);
    for (const [name, dash, text] of TIMESCALES) {
      if (name === "tau_M" && params.V === 0) continue;
      const tau = params[name];
      if (tau > tLow && tau <= tMax) {
        svg("line", { x1: xOf(tau), x2: xOf(tau), y1: m.top, y2: m.top + h, stroke: "#595959", "stroke-width": 1.2, "stroke-dasharray": dash }, plot);
        const label = svg("text", { x: xOf(tau) + 3, y: m.top + 12 + 13 * TIMESCALES.findIndex((e) => e[0] === name) }, plot);
        label.textContent = "τ";
        svg("tspan", { "baseline-shift": "sub", "font-size": "9px" }, label).textContent = text.slice(-1);
      }
    }
    for (const [name, color, , lineWidth] of spec.series) {
      if (name === "M" && params.V === 0) continue;
      const y = sol[name];
      let d = "";
      let pen = false;
      for (let i = 0; i < t.length; i++) {
        if (!Number.isFinite(y[i]) || (options.logTime && t[i] <= 0)) {
          pen = false;
          continue;
        }
        d += `${pen ? "L" : "M"}${xOf(t[i]).toFixed(1)} ${yOf(y[i]).toFixed(1)}`;
        pen = true;
      }
      svg("path", { d, fill: "none", stroke: color, "stroke-width": lineWidth, "stroke-linejoin": "round", opacity: lineWidth < 2 ? 0.85 : 1 }, plot);
    }
    if (spec.crossings) {
      result.crossings.forEach((tc, i) => {
        if (tc >= tLow) svg("circle", { cx: xOf(tc), cy: yOf(result.atCrossings.eps_plus[i]), r: 4.5, fill: "#000" }, plot);
      });
    }
    svg("rect", { x: m.left, y: m.top, width: w, height: h, fill: "none", stroke: "#444", "stroke-width": 1 }, node);
    for (const x of xTicks) {
      const label = svg("text", { x: xOf(x), y: m.top + h + 14, "text-anchor": "middle" }, node);
      label.textContent = tickLabel(x);
    }
    for (const y of yTicks) {
      const label = svg("text", { x: m.left - 4, y: yOf(y) + 4, "text-anchor": "end" }, node);
      label.textContent = tickLabel(y);
    }
    const xLabel = svg("text", { x: m.left + w / 2, y: height - 4, "text-anchor": "middle" }, node);
    xLabel.textContent = "t (steps / N)";
    const title = svg("text", { x: m.left + w / 2, y: 14, "text-anchor": "middle", class: "tmx-title" }, node);
    title.textContent = spec.title;
  }

  function legendFor(spec, params) {
    const box = html("div", { class: "tmx-legend" });
    for (const [name, color, text] of spec.series) {
      if (name === "M" && params && params.V === 0) continue;
      const key = html("span", { class: "tmx-key" }, box);
      html("span", { class: "tmx-swatch", style: `border-color:${color}` }, key);
      key.appendChild(document.createTextNode(text));
    }
    if (spec.crossings) {
      const key = html("span", { class: "tmx-key" }, box);
      key.appendChild(document.createTextNode("● crossing"));
    }
    return box;
  }

  let instances = 0;

  /**
   * Mount an explorer into `element` (a <div class="tm-explorer">). Data attributes:
   * data-params (JSON of TMParams fields to start from), data-init (JSON initial state, e.g.
   * {"Q": 0.25}; default W = 0), data-panels (comma list of loss, error, order), data-phases
   * ("false": no shading or list of phases), data-log-time ("true": logarithmic time axis),
   * data-horizon (t_max as a multiple of the slowest timescale; default 6), data-sliders (comma
   * list of slider names; default all), data-n-times (default 400), data-n-grid (crossing grid,
   * default 1000, as the notebook explorer). Returns the explorer: element.tmExplorer.
   */
  function mount(element) {
    if (element.tmExplorer) return element.tmExplorer;
    if (!document.getElementById("tmx-style")) {
      html("style", { id: "tmx-style" }, document.head, STYLE);
    }
    const data = element.dataset;
    const start = { ...DEFAULTS, ...JSON.parse(data.params || "{}") };
    const init = JSON.parse(data.init || "{}");
    const panelNames = (data.panels || "loss,error,order").split(",").map((s) => s.trim());
    const showPhases = data.phases !== "false";
    const names = data.sliders ? data.sliders.split(",").map((s) => s.trim()) : SLIDERS.map((s) => s[0]);
    const explorer = {
      element, init, nTimes: Number(data.nTimes || 400), nGrid: Number(data.nGrid || 1000),
      values: { ...start, horizon: Number(data.horizon || 6) }, logTime: data.logTime === "true",
      params: null, result: null, message: "", lastUpdateMs: NaN, update: null,
    };
    element.classList.add("tmx");
    element.textContent = "";
    const controls = html("form", { class: "tmx-controls", "aria-label": "model parameters" }, element);
    controls.addEventListener("submit", (event) => event.preventDefault());
    const readouts = {};
    for (const [name, kind, low, high, step, text] of SLIDERS) {
      if (!names.includes(name)) continue;
      const id = `tmx-${instances}-${name}`;
      const row = html("div", { class: "tmx-control" }, controls);
      html("label", { for: id, title: name }, row, text);
      const value = explorer.values[name];
      const position = kind === "log" ? Math.log10(value) : value;
      const input = html("input", { type: "range", id, name, min: low, max: high, step, "data-kind": kind }, row);
      input.value = String(Math.min(high, Math.max(low, position)));
      readouts[name] = html("output", { for: id }, row);
      input.addEventListener("input", () => {
        explorer.values[name] = kind === "log" ? 10 ** Number(input.value) : Number(input.value);
        explorer.update();
      });
    }
    const checkRow = html("div", { class: "tmx-check" }, controls);
    const check = html("input", { type: "checkbox", id: `tmx-${instances}-log` }, checkRow);
    check.checked = explorer.logTime;
    html("label", { for: check.id }, checkRow, "log time axis");
    check.addEventListener("change", () => {
      explorer.logTime = check.checked;
      explorer.update();
    });
    const message = html("p", { class: "tmx-message", role: "alert" }, element);
    const panelBox = html("div", { class: "tmx-panels" }, element);
    const panels = panelNames.map((name, i) => {
      const spec = PANELS[name];
      if (!spec) throw new Error(`unknown panel ${name}; expected loss, error or order`);
      const box = html("div", { class: "tmx-panel" }, panelBox);
      const node = svg("svg", { role: "img", "aria-label": spec.title }, box);
      node.dataset.panelId = `${instances}-${i}`;
      const legend = legendFor(spec, null);
      box.appendChild(legend);
      return { spec, node, box, legend };
    });
    const keys = html("div", { class: "tmx-legend tmx-keys" }, element);
    const summary = html("div", { class: "tmx-summary", "aria-live": "polite" }, element);
    instances += 1;

    function render() {
      const result = explorer.result;
      for (const panel of panels) {
        const width = Math.round(panel.box.getBoundingClientRect().width) || 320;
        drawPanel(panel.node, panel.spec, result, explorer, width);
        const legend = legendFor(panel.spec, result.params);
        panel.box.replaceChild(legend, panel.legend);
        panel.legend = legend;
      }
    }

    function describe(result) {
      const p = result.params;
      summary.textContent = "";
      const tau = (p.V > 0 ? [["M", p.tau_M]] : []).concat([["R", p.tau_R], ["Q", p.tau_Q]]);
      const line1 = html("p", {}, summary);
      line1.appendChild(document.createTextNode("Timescales: "));
      tau.forEach(([index, value], i) => {
        line1.appendChild(document.createTextNode(`${i ? ", " : ""}τ`));
        html("sub", {}, line1, index);
        line1.appendChild(document.createTextNode(` = ${short(value)}`));
      });
      line1.appendChild(document.createTextNode("; η"));
      html("sub", {}, line1, "max");
      line1.appendChild(document.createTextNode(` = ${short(p.eta_max)}; horizon t = ${short(result.tMax)}.`));
      const line2 = html("p", { class: "tmx-crossings" }, summary);
      line2.dataset.crossings = JSON.stringify(result.crossings);
      line2.appendChild(document.createTextNode("Crossings of ε₊ and ε₋: "));
      html("b", {}, line2, result.crossings.length ? "t = " + result.crossings.map(short).join(", ") : "none");
      const [ep, em] = result.asymptotic;
      const winner = ep < em ? "+" : em < ep ? "−" : null;
      line2.appendChild(document.createTextNode(
        winner ? `; in the long run group ${winner} has the lower loss (ε₊ → ${short(ep)}, ε₋ → ${short(em)}).`
          : `; in the long run the two groups have the same loss (${short(ep)}).`));
      if (result.phases.length) {
        const line3 = html("p", { class: "tmx-phases" }, summary);
        line3.appendChild(document.createTextNode("Phases of bias: "));
        result.phases.forEach((phase, i) => {
          if (i) line3.appendChild(document.createTextNode(" → "));
          html("b", {}, line3, DRIVERS[phase.driver]);
          line3.appendChild(document.createTextNode(` [${short(phase.start)}, ${short(phase.end)}]`));
        });
        line3.appendChild(document.createTextNode("."));
      }
      keys.textContent = "";
      for (const driver of [...new Set(result.phases.map((ph) => ph.driver))]) {
        const key = html("span", { class: "tmx-key" }, keys);
        html("span", { class: "tmx-box", style: `background:${PHASE_COLORS[driver]}` }, key);
        key.appendChild(document.createTextNode(`${DRIVERS[driver]} (${driver} drives the bias)`));
      }
      for (const [name, dash] of TIMESCALES) {
        if (name === "tau_M" && p.V === 0) continue;
        const key = html("span", { class: "tmx-key" }, keys);
        const line = svg("svg", { width: 24, height: 8 }, key);
        svg("line", { x1: 0, x2: 24, y1: 4, y2: 4, stroke: "#595959", "stroke-width": 1.5, "stroke-dasharray": dash }, line);
        const symbol = html("span", {}, key, "τ");
        html("sub", {}, symbol, name.slice(-1));
      }
    }

    explorer.update = function update() {
      const begin = typeof performance !== "undefined" ? performance.now() : Date.now();
      for (const [name, kind] of SLIDERS) {
        if (readouts[name]) readouts[name].textContent = short(explorer.values[name]);
      }
      const values = {};
      for (const name of FIELDS) values[name] = explorer.values[name];
      try {
        const p = makeParams(values);
        const unstable = instabilityMessage(p);
        if (unstable) throw new Error(unstable);
        explorer.params = p;
        explorer.result = compute(p, {
          horizon: explorer.values.horizon, nTimes: explorer.nTimes, nGrid: explorer.nGrid,
          logTime: explorer.logTime, init: explorer.init, phases: showPhases,
        });
        explorer.message = "";
        message.textContent = "";
        panelBox.hidden = false;
        keys.hidden = false;
        describe(explorer.result);
        render();
      } catch (error) {
        explorer.params = null;
        explorer.result = null;
        explorer.message = error.message;
        message.textContent = error.message;
        panelBox.hidden = true;
        keys.hidden = true;
        summary.textContent = "";
      }
      element.getBoundingClientRect(); // the layout of the new drawing is part of the update's cost
      explorer.lastUpdateMs = (typeof performance !== "undefined" ? performance.now() : Date.now()) - begin;
    };

    if (typeof ResizeObserver !== "undefined") {
      let lastWidth = 0;
      new ResizeObserver(() => {
        const width = Math.round(panelBox.getBoundingClientRect().width);
        if (width && width !== lastWidth && explorer.result) {
          lastWidth = width;
          render();
        }
      }).observe(panelBox);
    }
    element.tmExplorer = explorer;
    explorer.update();
    return explorer;
  }

  function mountAll(root) {
    return Array.from(root.querySelectorAll("div.tm-explorer")).map(mount);
  }

  return {
    SITE_URL, FIELDS, DRIVERS, formatG, erf, erfc, ndtr, exprel, bivariateNormalCdf, makeParams,
    instabilityMessage, coefficients, solve, crossings, phaseIntervals, fixedPoint, asymptoticErrors,
    compute, linspace, geomspace, mount, mountAll,
  };
});
