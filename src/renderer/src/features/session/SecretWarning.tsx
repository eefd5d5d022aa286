// The warning that the sign-in is not protected by the system keyring, until the user dismisses
// it for this run; Settings repeats it for good.
import { useSession } from './useSession.js';

export function SecretWarning() {
  const warning = useSession((s) => s.secretWarning);
  const dismissed = useSession((s) => s.secretWarningDismissed);
  if (!warning || dismissed === warning) return null;
  return (
    <div role="alert" className="banner banner-warning">
      <span>{warning}</span>
      <button
        type="button"
        onClick={() => useSession.setState({ secretWarningDismissed: warning })}
      >
        Dismiss warning
      </button>
    </div>
  );
}
