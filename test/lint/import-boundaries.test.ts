import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The lint rules that keep sim/ and src/ apart (eslint.config.js), tried on code that breaks them. */
describe('import boundaries (eslint.config.js)', () => {
  const eslint = new ESLint({ cwd: ROOT });
  const restrictions = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
    return result.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.message);
  };
  const SIM_ONLY = /sim\/ is standalone/;
  const NO_SIM = /src\/ does not import the simulator/;

  it.each([
    ['sim/stanzas/iq/x.ts', 'imports src/', "import { loadConfig } from '../../../src/config/index.js';\nexport const c = loadConfig;\n", SIM_ONLY],
    ['sim/x.ts', 're-exports test/', "export { startTestSim } from '../test/support/sim.js';\n", SIM_ONLY],
    ['sim/main.ts', 'import()s bench/', "export const b = () => import('../bench/run.js');\n", SIM_ONLY],
    ['src/api/x.ts', 'imports sim/', "import { startSimulator } from '../../sim/index.js';\nexport const s = startSimulator;\n", NO_SIM],
    ['src/main.ts', 'import()s sim/', "export const s = () => import('../sim/index.js');\n", NO_SIM],
    ['src/sessions/baileys/x.ts', 're-exports sim/', "export * from '../../../sim/index.js';\n", NO_SIM],
    ['src/api/y.ts', 'imports baileys', "import makeWASocket from 'baileys';\nexport const m = makeWASocket;\n", /Only src\/sessions\/baileys\//],
    ['src/sandbox.ts', 'imports baileys', "import makeWASocket from 'baileys';\nexport const m = makeWASocket;\n", /Only src\/sessions\/baileys\//],
    ['src/sessions/x.ts', 'reads process.env', 'export const e = process.env.X;\n', /Read configuration in src\/config/],
  ])('refuses: %s %s', async (file, _what, code, message) => {
    expect(await restrictions(file, code)).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    ['src/sandbox.ts', 'import()s sim/ (the in-process sandbox)', "export const s = () => import('../sim/index.js');\n"],
    ['src/sandbox.ts', 'imports sim/', "import { startSimulator } from '../sim/index.js';\nexport const s = startSimulator;\n"],
    ['src/sessions/baileys/y.ts', 'imports baileys', "import makeWASocket from 'baileys';\nexport const m = makeWASocket;\n"],
    ['sim/testing/x.ts', 'imports baileys and its own modules', "import makeWASocket from 'baileys';\nimport { World } from '../world/world.js';\nexport const m = [makeWASocket, World];\n"],
    ['src/config/x.ts', 'reads process.env', 'export const e = process.env.X;\n'],
    ['sim/config.ts', 'reads process.env', 'export const e = process.env.X;\n'],
  ])('allows: %s %s', async (file, _what, code) => {
    expect(await restrictions(file, code)).toEqual([]);
  });
});
