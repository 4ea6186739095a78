import { InvocationContext } from '@azure/functions';
import { setVaultReconcilerFactory, type VaultReconciler } from '../../functions/deps';
import { invocationReconcileLogger, runInInvocation } from '../../functions/log';
import { getRegisteredFunction } from '../../functions/registry';
import { APPLY_ACTION_ACTIVITY, OBSERVE_AND_PLAN_ACTIVITY } from '../../functions/vault-orchestration';
import type { PlannedAction } from '../../shared/plan/types';
import '../../functions/workflows';
import { vaultId } from './fake-reconciler';

function invocation(name: string): { ctx: InvocationContext; lines: { level: string; text: string }[] } {
  const lines: { level: string; text: string }[] = [];
  const ctx = new InvocationContext({ functionName: name, invocationId: `${name}-1`, logHandler: (level, ...args) => void lines.push({ level, text: args.map(String).join(' ') }) });
  return { ctx, lines };
}

describe('functions/log', () => {
  describe('#invocationReconcileLogger', () => {
    it('writes through the logger of the invocation it runs in, across awaits, with the level kept', async () => {
      const a = invocation('a');
      const b = invocation('b');
      await Promise.all([
        runInInvocation(a.ctx, async () => {
          await new Promise((r) => setTimeout(r, 5));
          invocationReconcileLogger.warn('slow read', { vaultId: 'v-a' });
        }),
        runInInvocation(b.ctx, async () => invocationReconcileLogger.info('read', { vaultId: 'v-b' })),
      ]);
      expect(a.lines).toEqual([{ level: 'warning', text: JSON.stringify({ source: 'vaultlink.reconcile', message: 'slow read', vaultId: 'v-a' }) }]);
      expect(b.lines.map((l) => JSON.parse(l.text).vaultId)).toEqual(['v-b']);
    });

    it('falls back to the console outside any invocation', () => {
      const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      invocationReconcileLogger.error('no invocation', { vaultId: 'v' });
      expect(spy).toHaveBeenCalledWith(expect.stringContaining('"message":"no invocation"'));
      spy.mockRestore();
    });
  });

  it("ties the reconciler's lines to the activity invocation that ran it", async () => {
    const VAULT = vaultId('rsv-log');
    const reconciler: VaultReconciler = {
      observeAndPlan: async (id) => {
        invocationReconcileLogger.info('observed vault', { vaultId: id });
        return { plan: { vaultId: id, mode: 'audit', actions: [], findings: [], checklist: [], requeue: false, followUpAfter: undefined }, observedAt: '2026-11-29T10:00:00.000Z', vaultExists: true };
      },
      applyAction: async () => {
        throw new Error('unused');
      },
      listVaultsInScope: async () => [],
      vaultsForPrivateEndpoint: async () => [],
    };
    const restore = setVaultReconcilerFactory(() => reconciler);
    try {
      const { ctx, lines } = invocation(OBSERVE_AND_PLAN_ACTIVITY);
      await getRegisteredFunction(OBSERVE_AND_PLAN_ACTIVITY, 'activity').handler({ vaultId: VAULT, correlationId: 'c1' }, ctx);
      const sources = lines.map((l) => JSON.parse(l.text) as { source: string; vaultId: string });
      expect(sources.map((s) => s.source)).toEqual(['vaultlink.reconcile', 'vaultlink']);
      expect(sources.every((s) => s.vaultId === VAULT)).toBe(true);
    } finally {
      restore();
    }
  });

  it('gives every applied action its vault, correlation id, action, rule and outcome as fields of one line', async () => {
    const VAULT = vaultId('rsv-audit');
    const action = { key: 'approve:pe-1', kind: 'approve-connection', vaultId: VAULT, connectionName: 'pe-1.x', privateEndpointId: 'pe-1', rule: 'spoke-team', description: 'vaultlink' } as unknown as PlannedAction;
    const reconciler: VaultReconciler = {
      observeAndPlan: async () => {
        throw new Error('unused');
      },
      applyAction: async (a) => ({ key: a.key, kind: a.kind, status: 'applied', message: 'approved' }),
      listVaultsInScope: async () => [],
      vaultsForPrivateEndpoint: async () => [],
    } as VaultReconciler;
    const restore = setVaultReconcilerFactory(() => reconciler);
    try {
      const { ctx, lines } = invocation(APPLY_ACTION_ACTIVITY);
      await getRegisteredFunction(APPLY_ACTION_ACTIVITY, 'activity').handler({ vaultId: VAULT, correlationId: 'corr-9', action }, ctx);
      expect(lines.map((l) => JSON.parse(l.text))).toEqual([
        expect.objectContaining({ source: 'vaultlink', decision: 'action.outcome', vaultId: VAULT, correlationId: 'corr-9', action: 'approve:pe-1', kind: 'approve-connection', rule: 'spoke-team', outcome: 'applied' }),
      ]);
    } finally {
      restore();
    }
  });
});
