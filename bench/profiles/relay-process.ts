/**
 * A TestRelay in its own process, for the profiles bench: a relay's work (SQL, signature checks on EVENT) would
 * otherwise take the bench process's thread from the methods timed — real peers and strfry are other processes.
 * Optional argument: a JSONL file of events to seed. Prints `READY <url> <port>`; stops when stdin closes.
 */
import { readFile } from 'node:fs/promises';
import { TestRelay, type NostrEvent } from '../../src/devkit';

const relay = await TestRelay.start({ port: 0 });
const seedFile = process.argv[2];
if (seedFile) {
  const lines = (await readFile(seedFile, 'utf8')).split('\n').filter((l) => l.length > 0);
  await relay.seed(lines.map((l) => JSON.parse(l) as NostrEvent));
}
process.stdout.write(`READY ${relay.url} ${relay.port}\n`);
process.stdin.resume();
process.stdin.on('close', () => {
  void relay.stop().finally(() => process.exit(0));
});
