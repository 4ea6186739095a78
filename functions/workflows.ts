/**
 * Every workflow of the app, imported for the declarations they add to the table in
 * functions/registry.ts. Importing this registers nothing with a host: functions/index.ts does
 * that; the local driver and the tests import only this.
 *
 *   vaultlinkEvents               Event Grid trigger: resource events → vault signals   (event-grid.ts)
 *   vaultlinkSweep                timer: signal every vault in scope                    (sweep.ts)
 *   vaultlinkHousekeeping         timer: purge finished instance histories              (housekeeping.ts)
 *   vaultlinkVaultOrchestrator    per-vault orchestration + observe/apply activities    (vault-orchestration.ts)
 *   vaultlinkPrivateEndpointRouter PE hint → its vault(s)                               (private-endpoint-routing.ts)
 *   vaultlinkStatusList / vaultlinkStatusVault   GET /api/vaults[/{sub}/{rg}/{vault}]   (status-http.ts)
 *   vaultlinkDashboard            GET /api/dashboard: the status as one HTML page       (dashboard.ts)
 */
import './vault-orchestration';
import './private-endpoint-routing';
import './event-grid';
import './sweep';
import './status-http';
import './housekeeping';
import './dashboard';
