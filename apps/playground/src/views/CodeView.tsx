/** The generated TypeScript module, read-only and highlighted, with copy and download. */
import { EditorState } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { useEffect, useRef, useState } from 'react';
import { highlightStyle, typescriptLanguage } from '../editor/language.js';

export function CodeView({ code }: { code: string }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const [copied, setCopied] = useState<'copied' | 'failed' | undefined>();

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: '',
        extensions: [lineNumbers(), typescriptLanguage, highlightStyle, EditorState.readOnly.of(true), EditorView.editable.of(false)],
      }),
    });
    view.current = v;
    return () => v.destroy();
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== code) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: code } });
  }, [code]);

  const copy = () => {
    navigator.clipboard.writeText(code).then(() => setCopied('copied'), () => setCopied('failed'));
    setTimeout(() => setCopied(undefined), 1500);
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([code], { type: 'text/typescript' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'gradient.ts';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <div className="code">
      <div className="toolbar">
        <button type="button" onClick={copy} data-testid="copy-code">{copied ?? 'copy'}</button>
        <button type="button" onClick={download} data-testid="download-code">download gradient.ts</button>
        <span className="muted">A standalone module: no imports, <code>forward</code>, <code>backward</code> and flat forms.</span>
      </div>
      <div className="code-editor" ref={host} data-testid="generated-code" />
    </div>
  );
}
