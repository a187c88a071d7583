/**
 * Which bindings may be exported as functions of their own (`compile --export
 * NAME` makes `NAME` and `NAMEFlat` at the module's top level). The language
 * allows any identifier as a binding, but a module-level function may not be
 * a reserved word, must not hide a global the module itself uses (a function
 * named `Math` or `Infinity` would make every later use of it wrong), nor a
 * helper the op table may add.
 */
import { OP_LIST } from '@autodiff/ir';

/** Reserved words of strict-mode ECMAScript modules, and the two names strict code may not bind. */
const RESERVED = new Set([
  'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'implements', 'import', 'in', 'instanceof', 'interface',
  'let', 'new', 'null', 'package', 'private', 'protected', 'public', 'return', 'static', 'super', 'switch', 'this', 'throw',
  'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'eval', 'arguments',
]);

/** Globals a generated module reads (and the standard ones a later version may), which an export must not hide. */
const GLOBALS = new Set([
  'Array', 'ArrayBuffer', 'BigInt', 'Boolean', 'DataView', 'Date', 'Error', 'Float32Array', 'Float64Array', 'Function',
  'Infinity', 'Int16Array', 'Int32Array', 'Int8Array', 'JSON', 'Map', 'Math', 'NaN', 'Number', 'Object', 'Promise', 'Proxy',
  'RangeError', 'Reflect', 'RegExp', 'Set', 'String', 'Symbol', 'TypeError', 'Uint16Array', 'Uint32Array', 'Uint8Array',
  'Uint8ClampedArray', 'WeakMap', 'WeakSet', 'WebAssembly', 'globalThis', 'isFinite', 'isNaN', 'undefined',
]);

/** Why `binding` cannot be exported as a module-level function, or undefined when it can. */
export function unsafeExportName(binding: string): string | undefined {
  for (const name of [binding, `${binding}Flat`]) {
    if (RESERVED.has(name)) return `cannot export '${binding}': '${name}' is a reserved word in JavaScript; rename the binding`;
    if (GLOBALS.has(name)) return `cannot export '${binding}': a function '${name}' would hide JavaScript's own '${name}', which the module uses; rename the binding`;
    if (OP_LIST.some((op) => op.helper?.name === name)) return `cannot export '${binding}': the module may define a helper '${name}'; rename the binding`;
  }
  return undefined;
}
