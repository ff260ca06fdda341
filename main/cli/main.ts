// `hookline <command>`: dispatches to one command module. The only file that reads process globals.
import { AppError } from '../../common/errors';
import { UsageError, type CliIo, type Command } from './cli-io';

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  listen: {
    summary: 'subscribe to a channel: store, verify and forward each request',
    load: async () => (await import('./listen-command')).runListenCommand,
  },
  requests: {
    summary: 'read the local history: requests list | requests show ID',
    load: async () => (await import('./requests-command')).runRequestsCommand,
  },
  replay: {
    summary: 'send stored requests again, as captured or edited',
    load: async () => (await import('./replay-command')).runReplayCommand,
  },
  export: {
    summary: 'export the history as HAR, JSON or cURL',
    load: async () => (await import('./export-command')).runExportCommand,
  },
  verify: {
    summary: "verify one request's signature offline",
    load: async () => (await import('./verify-command')).runVerifyCommand,
  },
  send: {
    summary: 'send a correctly signed sample webhook to a URL',
    load: async () => (await import('./send-command')).runSendCommand,
  },
  secrets: {
    summary: 'secrets for verification and workflows: secrets set NAME | list | delete NAME',
    load: async () => (await import('./secrets-command')).runSecretsCommand,
  },
  relay: {
    summary: 'run a relay',
    load: async () => (await import('../../relay/relay-command')).runRelayCommand,
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Usage: hookline <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nEvery command takes --help.\n`;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name ? 0 : 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr.write(`hookline: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command(args, io);
  } catch (e: unknown) {
    if (e instanceof UsageError) {
      io.stderr.write(`hookline ${name}: ${e.message}\nRun 'hookline ${name} --help' for usage.\n`);
      return 2;
    }
    if (e instanceof AppError) {
      io.stderr.write(`hookline ${name}: ${e.message}\n`);
      return 1;
    }
    io.stderr.write(`hookline ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

function processIo(): CliIo {
  const stopSignal = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    stopSignal,
  };
}
