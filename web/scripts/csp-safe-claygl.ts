// claygl (echarts-gl's WebGL engine) compiles its post-effect sizes, strings like
// "expr( [width * 1.0 / 2, height / 2] )", with `new Function` when a 3D chart is created. The
// dashboard's CSP (script-src 'self', no 'unsafe-eval') refuses that, logs a violation and the
// chart fails. This Vite plugin swaps the call for a tiny evaluator of exactly that grammar: a
// number or an array of products of width, height, dpr and numbers.
import type { Plugin } from "vite";

const CALL = "new Function('width', 'height', 'dpr', 'return ' + exprRes[1])";

// Source of the evaluator put into claygl's module; `src` is the text inside expr(...).
const EVALUATOR = `(function (src) {
  var terms = src.trim().replace(/^\\[|\\]$/g, "").split(",").map(function (t) {
    return t.trim().split(/\\s*([*/])\\s*/);
  });
  terms.forEach(function (parts) {
    parts.forEach(function (p, i) {
      if (i % 2 === 0 ? !/^(width|height|dpr|\\d+(\\.\\d+)?)$/.test(p) : !/^[*/]$/.test(p)) throw new Error("Invalid expression.");
    });
  });
  var isArray = /^\\s*\\[/.test(src);
  return function (width, height, dpr) {
    var env = { width: width, height: height, dpr: dpr };
    var values = terms.map(function (parts) {
      var v = parts[0] in env ? env[parts[0]] : Number(parts[0]);
      for (var i = 1; i < parts.length; i += 2) {
        var n = parts[i + 1] in env ? env[parts[i + 1]] : Number(parts[i + 1]);
        v = parts[i] === "*" ? v * n : v / n;
      }
      return v;
    });
    return isArray ? values : values[0];
  };
})(exprRes[1])`;

export function cspSafeClaygl(): Plugin {
  return {
    name: "csp-safe-claygl",
    enforce: "pre",
    transform(code, id) {
      if (!id.replace(/\\/g, "/").endsWith("claygl/src/createCompositor.js")) return null;
      if (!code.includes(CALL)) this.error("claygl's createCompositor changed: update scripts/csp-safe-claygl.ts");
      return { code: code.replace(CALL, EVALUATOR), map: null };
    },
  };
}
