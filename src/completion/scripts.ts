// The completion scripts `flow completion bash|zsh|fish` prints. Each hands the line up
// to the cursor to `flow __complete`, which classifies its words with the parser's own
// table and prints the candidates in the shell's format; the scripts only pass them on.
// (Our own scripts rather than @bomb.sh/tab: this keeps one classifier — the parser's —
// and one process per keystroke with a bundle made for it.)

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const BASH = `# flow completion for bash. Install: eval "$(flow completion bash)" in ~/.bashrc
_flow_complete() {
  local line="\${COMP_LINE:0:COMP_POINT}" cur="\${COMP_WORDS[COMP_CWORD]}" item
  COMPREPLY=()
  while IFS= read -r item; do
    [[ -n $item ]] && COMPREPLY+=("$item")
  done < <(flow __complete bash "$line" "$cur" 2>/dev/null)
}
complete -F _flow_complete flow
`;

const ZSH = `#compdef flow
# flow completion for zsh. Install: eval "$(flow completion zsh)" in ~/.zshrc (after
# compinit), or save it as _flow in a directory of $fpath.
_flow() {
  local -a items
  items=("\${(@f)$(flow __complete zsh "$LBUFFER" 2>/dev/null)}")
  items=("\${(@)items:#}")
  (( \${#items} )) && _describe -t values flow items
}
if [[ "\${funcstack[1]}" == _flow ]]; then
  _flow "$@"
else
  compdef _flow flow
fi
`;

const FISH = `# flow completion for fish. Install: flow completion fish > ~/.config/fish/completions/flow.fish
function __flow_complete
    flow __complete fish (commandline -cp) 2>/dev/null
end
complete -c flow -f -a '(__flow_complete)'
`;

export function completionScript(shell: Shell): string {
  return { bash: BASH, zsh: ZSH, fish: FISH }[shell];
}
