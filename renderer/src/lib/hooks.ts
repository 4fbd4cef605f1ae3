import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppEvent } from '../../../shared/api/events.ts';
import { onEvent } from './api.ts';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload(): void;
}

/**
 * Loads data with `load`, and loads it again when the core reports a change that `affects`
 * (debounced, so a burst of events causes one reload).
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], affects: (e: AppEvent) => boolean = () => false): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (e: unknown) => live && setState((s) => ({ data: s.data, error: e instanceof Error ? e.message : String(e), loading: false })),
    );
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const affectsRef = useRef(affects);
  affectsRef.current = affects;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = onEvent((e) => {
      if (!affectsRef.current(e)) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(reload, 150);
    });
    return () => { off(); if (timer) clearTimeout(timer); };
  }, [reload]);
  return { ...state, reload };
}

export function changedFor(caseId: string) {
  return (e: AppEvent) => e.type === 'changed' && (e.caseId === caseId || e.caseId === null);
}

/** One user action in flight: whether it runs, and the message of its last failure. */
export interface Action {
  busy: boolean;
  error: string | null;
  /** Runs `fn` with `busy` set and the last error cleared; a failure becomes `error` and gives null. */
  run<T>(fn: () => Promise<T>): Promise<T | null>;
  setError(message: string | null): void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | null> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return null;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, setError };
}
