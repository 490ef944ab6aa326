import { useEffect, useState } from 'preact/hooks';

interface Props {
  /** The id of the editor's textarea (the form works without this island; it only adds a safety net). */
  textareaId: string;
  /** One key per document, e.g. "chapter/the-equipment". */
  documentKey: string;
  /** The revision the editor was opened on; an autosave from another base is still offered, with a note. */
  baseRevision: number;
  /** True right after a successful save: the stored copy is then obsolete. */
  clear: boolean;
}

interface StoredDraft {
  text: string;
  baseRevision: number;
  savedAt: number;
}

/** How long typing must pause before the text is copied to this browser's storage. */
const AUTOSAVE_DELAY_MS = 1500;

function storageKey(documentKey: string): string {
  return `iecpa-handbook-draft:${documentKey}`;
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

/**
 * Copies the editor's text to this browser's storage while the educator types, and offers it back after a
 * closed tab, a crash or a lost connection. Drafts on the server are revisions (append-only), so saving
 * them on every pause would flood the history; the browser copy covers the gap between saves.
 */
export function DraftAutosave({ textareaId, documentKey, baseRevision, clear }: Props) {
  const key = storageKey(documentKey);
  const [offer, setOffer] = useState<StoredDraft | null>(null);
  const [status, setStatus] = useState('');

  useEffect(() => {
    const textarea = document.getElementById(textareaId);
    if (!(textarea instanceof HTMLTextAreaElement)) return undefined;
    if (clear) localStorage.removeItem(key);
    const stored = readStored(key);
    if (stored && stored.text !== textarea.value) setOffer(stored);
    else if (stored) localStorage.removeItem(key);

    let timer: ReturnType<typeof setTimeout> | undefined;
    const onInput = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const draft: StoredDraft = { text: textarea.value, baseRevision, savedAt: Date.now() };
        try {
          localStorage.setItem(key, JSON.stringify(draft));
          setStatus(
            `Copy kept in this browser at ${new Date(draft.savedAt).toLocaleTimeString()}. Save the draft to store it for everyone.`,
          );
        } catch {
          setStatus('This browser could not keep a copy (storage full or blocked). Save the draft to keep your work.');
        }
      }, AUTOSAVE_DELAY_MS);
    };
    textarea.addEventListener('input', onInput);
    return () => {
      clearTimeout(timer);
      textarea.removeEventListener('input', onInput);
    };
  }, [textareaId, key, baseRevision, clear]);

  const restore = () => {
    const textarea = document.getElementById(textareaId);
    if (offer && textarea instanceof HTMLTextAreaElement) {
      textarea.value = offer.text;
      // Save against the revision the text was written on: if someone saved since, the server reports the
      // conflict and shows both texts instead of silently undoing their edit.
      const base = textarea.form?.elements.namedItem('baseRevision');
      if (base instanceof HTMLInputElement) base.value = String(offer.baseRevision);
      textarea.focus();
    }
    setOffer(null);
    setStatus('Unsaved text restored. Save the draft to keep it.');
  };
  const discard = () => {
    localStorage.removeItem(key);
    setOffer(null);
    setStatus('');
  };

  return (
    <div class="draft-autosave">
      {offer && (
        <div class="notice notice--info" role="status">
          <p>
            This browser kept text you had not saved ({new Date(offer.savedAt).toLocaleString()}
            {offer.baseRevision !== baseRevision ? `, written on revision ${offer.baseRevision}` : ''}).
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
      <p class="meta" aria-live="polite">
        {status}
      </p>
    </div>
  );
}
