// ink-text-input for one line. Enter submits the latest text even when it arrives in the
// same read as the text before it (a paste, or keys sent faster than a frame): the
// wrapped input would submit the value of its last render, losing what was just typed.
// A line break inside a chunk submits the text before it.
import TextInput from 'ink-text-input';
import { useRef } from 'react';

export interface LineInputProps {
  value: string;
  onChange(value: string): void;
  onSubmit(value: string): void;
  focus: boolean;
  placeholder?: string;
}

export function LineInput({ value, onChange, onSubmit, focus, placeholder }: LineInputProps) {
  const latest = useRef(value);
  latest.current = value;
  return (
    <TextInput
      value={value}
      placeholder={placeholder}
      focus={focus}
      onChange={(next) => {
        const end = next.search(/[\r\n]/);
        latest.current = end < 0 ? next : next.slice(0, end);
        onChange(latest.current);
        if (end >= 0) onSubmit(latest.current);
      }}
      onSubmit={() => onSubmit(latest.current)}
    />
  );
}
