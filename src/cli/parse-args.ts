export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  positional: string[];
  values: Map<string, string>;
  switches: Set<string>;
}

export interface ArgSpec {
  /** Options that take a value: `--to fs` or `--to=fs`. */
  values?: readonly string[];
  /** Options without a value: `--delete-source`. */
  switches?: readonly string[];
  /** Exact number of positional arguments, with their names for the error message. */
  positional?: readonly string[];
}

/** A strict parser: unknown options, missing values and extra arguments are UsageErrors. */
export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const out: ParsedArgs = { positional: [], values: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      out.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (spec.values?.includes(name)) {
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      if (out.values.has(name)) throw new UsageError(`--${name} given twice`);
      out.values.set(name, value);
    } else if (spec.switches?.includes(name) && eq < 0) {
      out.switches.add(name);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  const want = spec.positional ?? [];
  if (out.positional.length < want.length) throw new UsageError(`missing ${want[out.positional.length]}`);
  if (out.positional.length > want.length) throw new UsageError(`unexpected argument '${out.positional[want.length]}'`);
  return out;
}
