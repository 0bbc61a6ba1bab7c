import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One shell command of a README walkthrough, as a reader would type it. */
export interface WalkthroughCommand {
  /** The command as written, continuation lines and multi-line quotes included, without its comment. */
  readonly text: string;
  /** Its trailing comment, without the `#` ('' when none). */
  readonly comment: string;
  /** The terminal a `# terminal N` comment put it in (1 until one says otherwise). */
  readonly terminal: number;
}

export interface Walkthrough {
  readonly commands: readonly WalkthroughCommand[];
  /** The section's text outside its code blocks, where the README says what should happen. */
  readonly prose: string;
}

/**
 * The section of a Markdown file between `<!-- walkthrough:NAME … -->` and `<!-- /walkthrough:NAME -->`, split into
 * the commands of its fenced `sh` blocks and its prose. Throws when the markers are missing, so that a README edit
 * that drops them fails the test instead of silently testing nothing.
 * @example readWalkthrough('README.md', 'plugins').commands[0] // { text: 'KABAR_QUIET_HOURS=none npm start', terminal: 1, … }
 */
export function readWalkthrough(file: string, name: string): Walkthrough {
  const markdown = readFileSync(file, 'utf8');
  const section = new RegExp(`<!-- walkthrough:${name}\\b[^>]*-->([\\s\\S]*?)<!-- /walkthrough:${name} -->`).exec(markdown)?.[1];
  if (section === undefined) throw new Error(`${file} has no <!-- walkthrough:${name} --> … <!-- /walkthrough:${name} --> section`);
  const blocks = [...section.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
  if (blocks.length === 0) throw new Error(`the walkthrough:${name} section of ${file} has no \`\`\`sh block`);
  let terminal = 1;
  const commands = blocks.flatMap((block) =>
    splitCommands(block).map(({ text, comment }) => {
      terminal = Number(/\bterminal (\d+)/i.exec(comment)?.[1] ?? terminal);
      return { text, comment, terminal };
    }),
  );
  return { commands: commands.filter((c) => c.text !== ''), prose: section.replace(/^```[\s\S]*?^```$/gm, '') };
}

/**
 * Splits shell text into commands the way a shell reads lines: a newline ends a command unless it is escaped with a
 * backslash or inside quotes; `#` at the start of a word starts a comment that runs to the end of the line.
 */
function splitCommands(block: string): { text: string; comment: string }[] {
  const commands: { text: string; comment: string }[] = [];
  let text = '';
  let comment = '';
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < block.length; i++) {
    const char = block[i] ?? '';
    if (quote === null && char === '#' && (text === '' || /\s$/.test(text))) {
      const end = block.indexOf('\n', i);
      comment = block.slice(i + 1, end === -1 ? undefined : end).trim();
      i = (end === -1 ? block.length : end) - 1;
      continue;
    }
    if (quote === null && char === '\n') {
      commands.push({ text: text.trim(), comment });
      text = '';
      comment = '';
      continue;
    }
    if (char === '\\' && quote !== "'") {
      text += char + (block[i + 1] ?? '');
      i++;
      continue;
    }
    if (char === "'" || char === '"') quote = quote === null ? char : quote === char ? null : quote;
    text += char;
  }
  if (text.trim() !== '' || comment !== '') commands.push({ text: text.trim(), comment });
  return commands;
}

/** What one command of runInOrder printed, and whether it started (the run stops at the first failure). */
export interface StepOutput {
  readonly started: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

const STEP_MARK = /^@@step (\d+)$/m;

/**
 * Runs a walkthrough's commands in order in one bash that stops at the first failure, as a reader pasting them into
 * one terminal would (a variable one command sets is there for the next), and returns each one's stdout and stderr.
 */
export function runInOrder(commands: readonly string[], options: { readonly cwd: string; readonly env: Readonly<Record<string, string>> }): Promise<{ code: number; steps: StepOutput[] }> {
  // A mark before each command, on both streams, splits the output by step.
  const script = ['set -euo pipefail', ...commands.map((command, i) => `printf '\\n@@step ${String(i)}\\n'; printf '\\n@@step ${String(i)}\\n' >&2\n${command}`)].join('\n');
  return new Promise((done) => {
    execFile('bash', ['-c', script], { cwd: options.cwd, env: options.env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const split = (output: string): string[] => output.split(STEP_MARK).filter((_, i) => i % 2 === 0).slice(1);
      const [outs, errs] = [split(stdout), split(stderr)];
      const steps = commands.map((_, i) => ({ started: outs[i] !== undefined, stdout: outs[i] ?? '', stderr: errs[i] ?? '' }));
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, steps });
    });
  });
}
