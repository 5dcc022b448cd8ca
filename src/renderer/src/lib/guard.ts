import { useNotices } from '../stores/notices';
import type { Guard } from './useFmt';

/** An action whose failure becomes a visible notice naming what failed and the engine's reason. */
export function useGuard(): Guard {
  const notices = useNotices();
  return async (what, action) => {
    try {
      return await action();
    } catch (err) {
      notices.fail(what, err);
      return undefined;
    }
  };
}
