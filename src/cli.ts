import { runCli } from './cli/run-cli.js';

// `npm run kirim -- <command>`: the commands live in src/cli/ and are tested in-process via runCli.
process.exitCode = await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });
