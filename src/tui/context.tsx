// What every component and key handler can reach: the state store (read with selectors),
// the controller (the only way to change data), the theme, the prompt history, and the
// sizes the last frame was laid out with.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { Controller } from './controller.js';
import type { PromptHistory } from './history.js';
import type { TuiState, TuiStore } from './state.js';
import type { Theme } from './theme.js';

/** Sizes of the last frame that keys depend on (page up/down, moves by visual line). */
export interface Layout {
  /** Rows the tree (or a list panel) shows at once. */
  pageSize: number;
  /** Cells of the text area of the notes editor. */
  editorWidth: number;
}

export interface TuiContextValue {
  tui: TuiStore;
  controller: Controller;
  theme: Theme;
  history: PromptHistory;
  quit(): void;
  /** Written by App on every render; read by key handlers. */
  layout: Layout;
  /**
   * Hands the terminal to another program (the $EDITOR) while `run` runs, and takes it
   * back as it was: the alternate screen, raw input, a full redraw.
   */
  suspend<T>(run: () => T): T;
}

export const TuiContext = createContext<TuiContextValue | null>(null);

export function useTuiContext(): TuiContextValue {
  const value = useContext(TuiContext);
  if (!value) throw new Error('internal: component outside <TuiContext>');
  return value;
}

export function useTui<T>(selector: (state: TuiState) => T): T {
  return useStore(useTuiContext().tui, selector);
}
