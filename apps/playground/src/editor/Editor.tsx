/**
 * The source editor: CodeMirror 6 with the language's highlighting and live
 * diagnostics. CodeMirror owns the text; the page hears about it through
 * `check`, which @codemirror/lint calls (debounced) after every change and
 * whose answer becomes the squiggles and hover messages.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching } from '@codemirror/language';
import { lintGutter, linter, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import type { EditorDiagnostic } from '../worker/protocol.js';
import { setHighlightedRanges, spanHighlighting, type TextRange } from './highlight-spans.js';
import { expressionLanguage, highlightStyle } from './language.js';

/** Milliseconds of quiet after a keystroke before the program is checked again. */
export const CHECK_DELAY_MS = 250;

export interface EditorHandle {
  setText(text: string): void;
  highlight(ranges: readonly TextRange[]): void;
  /** Puts the cursor at `offset` and scrolls it into view. */
  reveal(offset: number): void;
}

interface EditorProps {
  initialText: string;
  /** Checks the text; the answer is shown in the editor. */
  check: (text: string) => Promise<EditorDiagnostic[]>;
  /** Called on every edit (before the debounced check). */
  onEdit?: () => void;
}

export const Editor = forwardRef<EditorHandle, EditorProps>(function Editor({ initialText, check, onEdit }, ref) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // The latest callbacks, read by the long-lived CodeMirror extensions.
  const callbacks = useRef({ check, onEdit });
  callbacks.current = { check, onEdit };

  useEffect(() => {
    const lint = linter(async (v): Promise<Diagnostic[]> => {
      const text = v.state.doc.toString();
      const found = await callbacks.current.check(text);
      const length = v.state.doc.length;
      return found.map((d) => ({
        from: Math.min(d.from, length),
        to: Math.min(Math.max(d.to, d.from), length),
        severity: d.severity,
        source: d.code,
        message: d.message,
      }));
    }, { delay: CHECK_DELAY_MS });
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: initialText,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightActiveLine(),
          history(),
          bracketMatching(),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          expressionLanguage,
          highlightStyle,
          lint,
          lintGutter(),
          spanHighlighting(),
          EditorView.lineWrapping,
          EditorView.updateListener.of((u) => {
            if (u.docChanged) callbacks.current.onEdit?.();
          }),
          EditorView.contentAttributes.of({ 'aria-label': 'program source', 'data-testid': 'editor-content' }),
        ],
      }),
    });
    view.current = editor;
    return () => editor.destroy();
    // The editor is created once; later text arrives through setText.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useImperativeHandle(ref, () => ({
    setText(text) {
      const v = view.current;
      if (v) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
    },
    highlight(ranges) {
      view.current?.dispatch({ effects: setHighlightedRanges.of(ranges) });
    },
    reveal(offset) {
      const v = view.current;
      if (!v) return;
      const at = Math.min(offset, v.state.doc.length);
      v.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      v.focus();
    },
  }), []);

  return <div className="editor" ref={host} />;
});
