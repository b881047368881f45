// What every component can reach: the state store (read with selectors), the controller
// (the only way to change data), the theme and the prompt history.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { Controller } from './controller.js';
import type { PromptHistory } from './history.js';
import type { TuiState, TuiStore } from './state.js';
import type { Theme } from './theme.js';

export interface TuiContextValue {
  tui: TuiStore;
  controller: Controller;
  theme: Theme;
  history: PromptHistory;
  quit(): void;
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
