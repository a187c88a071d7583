/** Pure helpers shared by the command and the compile API (no Node module here: the API runs in browsers). */
import type { CheckedProgram } from '@autodiff/parser';
import { nearestName, quoted } from '@autodiff/parser';

/**
 * The arguments of the `unknownBinding` row (E232) for a name given to
 * export that is not a binding of the program: the option that named it,
 * the name, a "did you mean" hint and the program's bindings.
 */
export function unknownBindingArgs(checked: CheckedProgram, name: string, flag: string): [string, string, string, string[]] {
  const bindings = [...checked.bindings.keys()];
  const near = nearestName(name, bindings);
  return [flag, name, near ? `; did you mean ${quoted(near)}?` : '', bindings];
}
