/** Which bindings may become module-level functions: every refused kind (packages/tests imports modules of the rest). */
import { describe, expect, it } from 'vitest';
import { unsafeExportName } from './export-names.js';

describe('unsafeExportName', () => {
  it('refuses reserved words, globals the module uses and helper names, for NAME and NAMEFlat', () => {
    expect(unsafeExportName('new')).toMatch(/'new' is a reserved word/);
    expect(unsafeExportName('arguments')).toMatch(/reserved word/);
    expect(unsafeExportName('Infinity')).toMatch(/would hide JavaScript's own 'Infinity'/);
    expect(unsafeExportName('Math')).toMatch(/hide JavaScript's own 'Math'/);
    expect(unsafeExportName('sech2')).toMatch(/may define a helper 'sech2'/);
    expect(unsafeExportName('score')).toBeUndefined();
    expect(unsafeExportName('newish')).toBeUndefined();
  });
});
