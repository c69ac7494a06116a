// Placeholder until the command is built (see the open issues).
import { UsageError } from '../api.ts';
import type { Command } from './args.ts';

const command: Command = async () => {
  throw new UsageError("'run' is not available yet");
};
export default command;
