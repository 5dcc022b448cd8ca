/** One instance only: a second launch hands over to the first, which shows its window. */
export interface AppLike {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance', listener: (...args: unknown[]) => void): unknown;
  quit(): void;
}

/** True when this process is the one instance; otherwise it asks the app to quit and answers false. */
export function claimSingleInstance(app: AppLike, onSecondLaunch: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => onSecondLaunch());
  return true;
}
