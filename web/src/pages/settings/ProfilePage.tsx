import { Link } from "react-router";
import { readSignedIn } from "../../auth/session";
import { KeysCard } from "./KeysCard";
import { WebhooksCard } from "./WebhooksCard";
import "./settings.css";

/** /settings/profile: who is signed in, their API keys (the secret shown once) and their webhooks. */
export default function ProfilePage() {
  const user = readSignedIn();
  return (
    <div className="page settings-page">
      <div className="page-head">
        <h1>Profile</h1>
        <Link to="/settings/org">Organization settings</Link>
      </div>
      <section className="settings-card">
        <h2>Account</h2>
        <p>
          Signed in as <strong data-testid="profile-username">{user?.username}</strong>
        </p>
      </section>
      <KeysCard />
      <WebhooksCard />
    </div>
  );
}
