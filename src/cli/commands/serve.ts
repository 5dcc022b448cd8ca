// Placeholder: filled by the issue that owns this command.
import type { Command } from 'commander';
export function registerServe(_program: Command): void {}
