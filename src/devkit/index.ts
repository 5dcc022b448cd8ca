// The devkit: real components for tests, benches and the demo (a relay, a kubo stand-in, keys, events,
// station roots). Plain Node, no electron, no test framework.
export * from './relay';
export * from './kubo-standin';
export * from './keys';
export * from './events';
export * from './station-builder';
export * from './strfry-standin-station';
export * from './ports';
