// lnsim draw: a repro's trace (or a seed's) as an SVG message-sequence picture.
import { UsageError } from '../api.ts';
import { DEFAULT_DRAW_EVENTS, drawSequenceSvg, type DrawOptions } from '../reports/draw.ts';
import { replay, sourceFromArgs } from '../ui/replay-source.ts';
import { intFlag, parseFlags, writeOutFile, checkOutFile, type Command } from './args.ts';

const HELP = `usage: lnsim draw FILE -o OUT.svg [--around-violation N | --from I --to J | --max-events M]
       lnsim draw --scenario NAME --seed S [--bug ID]... -o OUT.svg [...]

Draws the trace as a message-sequence picture (standalone SVG, any browser):
lifelines per node, messages as arrows, writes and durable persists, crashes
and restarts, disconnects, blocks, and the violation marked.

  -o, --out OUT.svg       where to write it ('-' for stdout)
  --around-violation N    the violation and the N events before it
  --from I / --to J       events I..J (trace indices)
  --max-events M          otherwise, at most M events, ending at the violation (default ${DEFAULT_DRAW_EVENTS})
  --show-timers           include timer events (left out by default)

Exit codes: 0 written, 2 bad usage or bad input.
`;

const command: Command = async (args, io) => {
  const { values, positionals } = parseFlags(
    'draw',
    args,
    {
      out: { type: 'string', short: 'o' },
      'around-violation': { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'max-events': { type: 'string' },
      'show-timers': { type: 'boolean' },
      scenario: { type: 'string' },
      seed: { type: 'string' },
      bug: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (values.out === undefined) throw new UsageError("draw: say where to write the picture with -o OUT.svg (or '-o -' for stdout)");
  const windowFlags = [values['around-violation'] !== undefined, values.from !== undefined || values.to !== undefined, values['max-events'] !== undefined].filter(Boolean).length;
  if (windowFlags > 1) throw new UsageError('draw: give one of --around-violation, --from/--to and --max-events');
  const options: DrawOptions = {
    aroundViolation: values['around-violation'] === undefined ? undefined : intFlag('draw', 'around-violation', values['around-violation'], 0),
    from: values.from === undefined ? undefined : intFlag('draw', 'from', values.from, 0),
    to: values.to === undefined ? undefined : intFlag('draw', 'to', values.to, 0),
    maxEvents: intFlag('draw', 'max-events', values['max-events'], DEFAULT_DRAW_EVENTS, 1),
    hide: values['show-timers'] ? [] : ['timer'],
  };
  if (options.from !== undefined && options.to !== undefined && options.to < options.from) throw new UsageError(`draw: --to ${options.to} is before --from ${options.from}`);
  if (values.out !== '-') checkOutFile('draw', values.out, 'failure.svg');
  const source = await sourceFromArgs('draw', positionals, values);
  const run = replay(source, { keepRecords: true });
  const records = run.records ?? [];
  if (records.length === 0) throw new UsageError(`draw: the run of ${source.title} has no events to draw`);
  if (options.from !== undefined && options.from >= records.length) throw new UsageError(`draw: --from ${options.from} is past the last event (#${records.length - 1})`);
  const svg = drawSequenceSvg(records, { ...options, title: `${source.scenario.name}${source.seed !== null ? ` seed ${source.seed}` : ''}${source.bugs.length ? ` bugs ${source.bugs.join(',')}` : ''} (${source.title})`, nodes: run.world.nodeIds() });
  if (values.out === '-') {
    io.stdout.write(svg);
    return 0;
  }
  const out = values.out;
  writeOutFile('draw', out, svg, 'failure.svg');
  io.stdout.write(`wrote ${out} (${records.length} events${run.violation ? `, violation of ${run.violation.invariant} at #${run.violation.event}` : ''})\n`);
  return 0;
};

export default command;
