import { useEffect, useRef, useState } from 'preact/hooks';
import type { DocumentKind } from '#db/schema/index.ts';
import { api } from '#src/lib/trpc-client.ts';
import './editor-islands.css';
import { headingsBefore } from './source-position.ts';

interface Props {
  /** The id of the editor's textarea; the island only reads it (the form works without JavaScript). */
  textareaId: string;
  kind: DocumentKind;
  slug: string;
}

/** How long typing must pause before the text is sent for a new preview. */
export const PREVIEW_DEBOUNCE_MS = 400;

interface BrokenLinkView {
  url: string;
  line: number;
  column: number;
  reason: string;
}

type View =
  | { state: 'empty' }
  | { state: 'rendered'; title: string; html: string; brokenLinks: BrokenLinkView[] }
  | { state: 'invalid'; messages: string[] };

function errorMessage(error: unknown): string {
  return error instanceof Error && error.message ? error.message : 'The server did not answer.';
}

/**
 * The editor's live preview. The HTML comes from the server's `handbook.preview`, which renders with the
 * renderer and sanitiser of the published pages (no script, no event handlers, no dangerous URLs); the
 * browser never renders Markdown itself, so what the educator sees is what readers will get.
 */
export function LivePreview({ textareaId, kind, slug }: Props) {
  // False in the server's rendering and until hydration: without JavaScript nothing would ever fill the box.
  const [mounted, setMounted] = useState(false);
  const [view, setView] = useState<View>({ state: 'empty' });
  const [status, setStatus] = useState<'idle' | 'updating' | 'failed'>('idle');
  const [failure, setFailure] = useState('');
  const body = useRef<HTMLElement>(null);

  /** Scrolls the preview to the section that holds the editor's caret. */
  const followCaret = () => {
    const textarea = document.getElementById(textareaId);
    const container = body.current;
    if (!(textarea instanceof HTMLTextAreaElement) || !container) return;
    const index = headingsBefore(textarea.value, textarea.selectionStart);
    const heading = index > 0 ? container.querySelectorAll('h1, h2, h3, h4, h5, h6')[index - 1] : null;
    // The container is positioned, so a heading's offsetTop is measured from its top.
    container.scrollTop = heading instanceof HTMLElement ? Math.max(0, heading.offsetTop - 8) : 0;
  };

  // The page's Preview button and its server-rendered preview are for browsers without JavaScript; beside
  // the live preview they would show the same text twice.
  useEffect(() => {
    setMounted(true);
    const fallbacks = [...document.querySelectorAll<HTMLElement>('[data-preview-fallback]')];
    for (const element of fallbacks) element.hidden = true;
    return () => {
      for (const element of fallbacks) element.hidden = false;
    };
  }, []);

  // After each new rendering, show the part being edited.
  useEffect(() => {
    if (view.state === 'rendered') followCaret();
  }, [view]);

  useEffect(() => {
    const textarea = document.getElementById(textareaId);
    if (!(textarea instanceof HTMLTextAreaElement)) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // One request at a time (a render costs the server about 0.1 s for a long chapter): text typed while
    // one is out is sent when it returns.
    let inFlight = false;
    let again = false;
    let disposed = false;

    const refresh = async () => {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      again = false;
      setStatus('updating');
      try {
        const result = await api.handbook.preview.mutate({ kind, slug, source: textarea.value });
        if (disposed) return;
        setView(
          result.ok
            ? { state: 'rendered', title: result.title, html: result.html, brokenLinks: result.brokenLinks }
            : { state: 'invalid', messages: result.messages },
        );
        setStatus('idle');
      } catch (error) {
        if (disposed) return;
        setFailure(errorMessage(error));
        setStatus('failed');
      } finally {
        inFlight = false;
        if (again && !disposed) void refresh();
      }
    };
    const onInput = () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, PREVIEW_DEBOUNCE_MS);
    };
    textarea.addEventListener('input', onInput);
    textarea.addEventListener('click', followCaret);
    textarea.addEventListener('keyup', followCaret);
    void refresh();
    return () => {
      disposed = true;
      clearTimeout(timer);
      textarea.removeEventListener('input', onInput);
      textarea.removeEventListener('click', followCaret);
      textarea.removeEventListener('keyup', followCaret);
    };
  }, [textareaId, kind, slug]);

  if (!mounted) return null;
  return (
    <section class="live-preview" aria-labelledby="live-preview-title">
      <div class="live-preview__head">
        <h3 id="live-preview-title">Live preview</h3>
        <p class="meta live-preview__status" role="status">
          {status === 'updating'
            ? 'Updating…'
            : status === 'failed'
              ? `Not updated: ${failure} Your text is unaffected; keep typing to try again.`
              : view.state === 'rendered'
                ? 'Up to date'
                : ''}
        </p>
      </div>
      {view.state === 'invalid' && (
        <div class="hb-box hb-box--error">
          <p>
            <strong>The text cannot be shown yet:</strong>
          </p>
          <ul>
            {view.messages.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </div>
      )}
      {view.state === 'rendered' && (
        <>
          {view.brokenLinks.length > 0 && (
            <div class="hb-box hb-box--warning">
              <p>
                <strong>Broken links</strong> (fix them before submitting for review):
              </p>
              <ul>
                {view.brokenLinks.map((l) => (
                  <li key={`${l.line}:${l.column}:${l.url}`}>
                    {l.line > 0 ? `Line ${l.line}, column ${l.column}` : 'Front matter'}: <code>{l.url}</code>:{' '}
                    {l.reason}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {/* It scrolls (following the caret), so keyboard users need to reach it to scroll it themselves. */}
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable (WCAG 2.1.1) */}
          <section class="prose live-preview__body" ref={body} tabIndex={0} aria-label="Preview of the text">
            <p class="live-preview__title">
              <strong>{view.title}</strong>
            </p>
            {/* Sanitised on the server by the published pages' renderer (see handbook.preview). */}
            <div dangerouslySetInnerHTML={{ __html: view.html }} />
          </section>
        </>
      )}
    </section>
  );
}
