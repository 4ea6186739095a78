/**
 * The Functions app's entry point (package.json "main": dist/functions/index.js): importing a
 * workflow registers its functions with the host (Node.js v4 programming model).
 *
 *   vaultlinkEvents               Event Grid trigger: resource events → vault signals   (event-grid.ts)
 *   vaultlinkSweep                timer: signal every vault in scope                    (sweep.ts)
 *   vaultlinkVaultOrchestrator    per-vault orchestration + observe/apply activities    (vault-orchestration.ts)
 *   vaultlinkPrivateEndpointRouter PE hint → its vault(s)                               (private-endpoint-routing.ts)
 *   vaultlinkStatusList / vaultlinkStatusVault   GET /api/vaults[/{sub}/{rg}/{vault}]   (status-http.ts)
 */
import './vault-orchestration';
import './private-endpoint-routing';
import './event-grid';
import './sweep';
import './status-http';

export { registeredFunctions, getRegisteredFunction } from './registry';
