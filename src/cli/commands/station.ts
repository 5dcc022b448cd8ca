// Placeholder: filled by the issue that owns this command.
import type { Command } from 'commander';
export function registerStation(_program: Command): void {}
