/** Marks source spans in the editor (the spans of the graph node under the mouse). */
import { StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, type DecorationSet } from '@codemirror/view';

export interface TextRange {
  from: number;
  to: number;
}

export const setHighlightedRanges = StateEffect.define<readonly TextRange[]>();

const mark = Decoration.mark({ class: 'cm-node-source' });

const highlightField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, tr) {
    let next = decorations.map(tr.changes);
    for (const effect of tr.effects) {
      if (!effect.is(setHighlightedRanges)) continue;
      const length = tr.state.doc.length;
      const ranges = effect.value
        .map((r) => ({ from: Math.min(r.from, length), to: Math.min(r.to, length) }))
        .filter((r) => r.to > r.from)
        .sort((a, b) => a.from - b.from || a.to - b.to);
      next = Decoration.set(ranges.map((r) => mark.range(r.from, r.to)));
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

export function spanHighlighting(): Extension {
  return highlightField;
}
