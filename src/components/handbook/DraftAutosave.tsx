import { createTRPCClient, httpLink } from '@trpc/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DocumentKind } from '#db/schema/index.ts';
import { api } from '#src/lib/trpc-client.ts';
import type { AppRouter } from '#src/server/api/root.ts';
import './editor-islands.css';

/** The educator's text as the server last autosaved it (see handbook.editor). */
export interface ServerCopy {
  baseRevision: number;
  source: string;
  savedAt: number;
}

interface Props {
  /** The id of the editor's textarea (the form works without this island; it only adds safety nets). */
  textareaId: string;
  kind: DocumentKind;
  slug: string;
  /** The educator's automatically saved text on the server, when it differs from the newest revision. */
  serverCopy: ServerCopy | null;
  /** True right after a successful save: the browser's copy is then obsolete. */
  clear: boolean;
}

interface StoredDraft {
  text: string;
  baseRevision: number;
  savedAt: number;
}

/** How long typing must pause before the text is copied to this browser's storage. */
const BROWSER_COPY_DELAY_MS = 1500;
/** How often changed text is saved on the server. */
export const SERVER_AUTOSAVE_INTERVAL_MS = 10_000;
/** Browsers refuse keep-alive requests (the only kind that survives closing a tab) above 64 KiB. */
const KEEPALIVE_MAX_CHARS = 60_000;

/** A client whose requests outlive the page, for the save when the tab is hidden or closed. */
const keepaliveApi = createTRPCClient<AppRouter>({
  links: [httpLink({ url: '/api/trpc', fetch: (url, init) => fetch(url, { ...init, keepalive: true }) })],
});

function storageKey(kind: DocumentKind, slug: string): string {
  return `iecpa-handbook-draft:${kind}/${slug}`;
}

function readStored(key: string): StoredDraft | null {
  try {
    const raw = localStorage.getItem(key);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<StoredDraft>;
    if (typeof value.text !== 'string' || typeof value.baseRevision !== 'number' || typeof value.savedAt !== 'number') {
      return null;
    }
    return value as StoredDraft;
  } catch {
    return null;
  }
}

function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** As the site writes dates (23 November 2026, 14:02), in the educator's time zone. */
function dateTime(ms: number): string {
  const date = new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
  return `${date}, ${clockTime(ms)}`;
}

type Offer = StoredDraft & { from: 'server' | 'browser' };

/** The newer of the two copies that differs from the editor's text, if any. */
function offerFrom(server: ServerCopy | null, browser: StoredDraft | null, current: string): Offer | null {
  const candidates: Offer[] = [];
  if (server && server.source !== current)
    candidates.push({
      text: server.source,
      baseRevision: server.baseRevision,
      savedAt: server.savedAt,
      from: 'server',
    });
  if (browser && browser.text !== current) candidates.push({ ...browser, from: 'browser' });
  return candidates.sort((a, b) => b.savedAt - a.savedAt)[0] ?? null;
}

/**
 * Saves the editor's working text on the server every few seconds while it changes and when the page is
 * hidden (handbook.autosaveDraft: not a revision, refused when someone saved a newer revision, so no one's
 * draft is overwritten), keeps a copy in this browser as a last resort, and offers either back when the
 * editor opens with something the newest revision lacks.
 */
export function DraftAutosave({ textareaId, kind, slug, serverCopy, clear }: Props) {
  const key = storageKey(kind, slug);
  const [offer, setOffer] = useState<Offer | null>(null);
  const [status, setStatus] = useState<{ text: string; problem: boolean }>({ text: '', problem: false });
  // Set by the restore button; read by the save loop, which lives in the effect.
  const dirty = useRef(false);

  useEffect(() => {
    const textarea = document.getElementById(textareaId);
    if (!(textarea instanceof HTMLTextAreaElement)) return undefined;
    const baseInput = textarea.form?.elements.namedItem('baseRevision');
    // The hidden field is the base the form saves on; restoring an older copy changes it, so read it live.
    const baseRevision = () => (baseInput instanceof HTMLInputElement ? Number(baseInput.value) : 0);

    if (clear) localStorage.removeItem(key);
    const stored = readStored(key);
    if (stored && stored.text === textarea.value) localStorage.removeItem(key);
    setOffer(offerFrom(serverCopy, clear ? null : stored, textarea.value));

    let inFlight = false;
    let conflicted = false;
    // The editor's own form is saving or previewing the text: no autosave as the page unloads.
    let submitting = false;
    const onSubmit = () => {
      submitting = true;
    };
    // Back on the page (from the back-forward cache): the submission is over.
    const onPageShow = () => {
      submitting = false;
    };

    const saveOnServer = async (keepalive: boolean) => {
      if (!dirty.current || inFlight || conflicted || submitting) return;
      inFlight = true;
      const source = textarea.value;
      const client = keepalive && source.length <= KEEPALIVE_MAX_CHARS ? keepaliveApi : api;
      try {
        const result = await client.handbook.autosaveDraft.mutate({ kind, slug, baseRevision: baseRevision(), source });
        if (result.ok) {
          // Text typed while the request travelled is still unsaved.
          if (textarea.value === source) dirty.current = false;
          setStatus({ text: `Saved ${clockTime(result.savedAt)}`, problem: false });
        } else {
          conflicted = true;
          setStatus({
            text:
              `Not saved: ${result.conflict.latestAuthorName ?? 'someone else'} saved a newer draft (revision ` +
              `${result.conflict.latestRevision}) — your text is kept here. Press "Save draft" to see both texts and merge them.`,
            problem: true,
          });
        }
      } catch {
        setStatus({
          text: 'Not saved on the server (no connection?). A copy is kept in this browser; saving is retried.',
          problem: true,
        });
      } finally {
        inFlight = false;
      }
    };

    let copyTimer: ReturnType<typeof setTimeout> | undefined;
    const onInput = () => {
      dirty.current = true;
      clearTimeout(copyTimer);
      copyTimer = setTimeout(() => {
        const draft: StoredDraft = { text: textarea.value, baseRevision: baseRevision(), savedAt: Date.now() };
        try {
          localStorage.setItem(key, JSON.stringify(draft));
        } catch {
          // Storage full or blocked: the server copy still runs; nothing else to do here.
        }
      }, BROWSER_COPY_DELAY_MS);
    };
    // Text typed before this island was hydrated (a slow connection) fired no input event it could hear.
    if (textarea.value !== textarea.defaultValue) onInput();
    const interval = setInterval(() => void saveOnServer(false), SERVER_AUTOSAVE_INTERVAL_MS);
    const onHide = () => {
      if (document.visibilityState === 'hidden') void saveOnServer(true);
    };
    const onPageHide = () => void saveOnServer(true);
    textarea.addEventListener('input', onInput);
    textarea.form?.addEventListener('submit', onSubmit);
    document.addEventListener('visibilitychange', onHide);
    window.addEventListener('pagehide', onPageHide);
    window.addEventListener('pageshow', onPageShow);
    return () => {
      clearTimeout(copyTimer);
      clearInterval(interval);
      textarea.removeEventListener('input', onInput);
      textarea.form?.removeEventListener('submit', onSubmit);
      document.removeEventListener('visibilitychange', onHide);
      window.removeEventListener('pagehide', onPageHide);
      window.removeEventListener('pageshow', onPageShow);
    };
  }, [textareaId, kind, slug, key, serverCopy, clear]);

  const restore = () => {
    const textarea = document.getElementById(textareaId);
    if (offer && textarea instanceof HTMLTextAreaElement) {
      textarea.value = offer.text;
      // Save against the revision the text was written on: if someone saved since, the server reports the
      // conflict and shows both texts instead of silently undoing their edit.
      const base = textarea.form?.elements.namedItem('baseRevision');
      if (base instanceof HTMLInputElement) base.value = String(offer.baseRevision);
      // Let the preview and the copies see the restored text.
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
      textarea.focus();
    }
    setOffer(null);
    setStatus({
      text: 'Unsaved text restored. It is saved automatically; "Save draft" makes it a revision.',
      problem: false,
    });
  };
  const discard = () => {
    localStorage.removeItem(key);
    if (offer?.from === 'server' || serverCopy)
      void api.handbook.discardAutosave.mutate({ kind, slug }).catch(() => {});
    setOffer(null);
    setStatus({ text: '', problem: false });
  };

  return (
    <div class="draft-autosave">
      {offer && (
        <div class="hb-box hb-box--info" role="status">
          <p>
            {offer.from === 'server' ? 'The server kept' : 'This browser kept'} text you had not saved as a draft (
            {dateTime(offer.savedAt)}, written on revision {offer.baseRevision}).
          </p>
          <div class="button-row">
            <button type="button" class="button" onClick={restore}>
              Restore unsaved text
            </button>
            <button type="button" class="button button--secondary" onClick={discard}>
              Discard it
            </button>
          </div>
        </div>
      )}
      <p
        class={`meta autosave-status${status.problem ? ' autosave-status--problem' : ''}`}
        aria-live="polite"
        data-testid="autosave-status"
      >
        {status.text || 'Changes are saved automatically every few seconds.'}
      </p>
    </div>
  );
}
