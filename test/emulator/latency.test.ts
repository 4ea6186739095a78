import { AZURE_LATENCY_PROFILE, LatencyModel } from '../../emulator';

describe('LatencyModel', () => {
  describe('AZURE_LATENCY_PROFILE', () => {
    it("covers issue 12's steps with their ranges and a source for each", () => {
      const ranges = Object.fromEntries(AZURE_LATENCY_PROFILE.map((s) => [s.step, [s.minSeconds, s.maxSeconds]]));
      expect(ranges).toMatchObject({ identity: [5, 30], roleAssignment: [1, 3], approval: [10, 60], privateEndpoint: [30, 90], dnsWrite: [1, 2] });
      expect(AZURE_LATENCY_PROFILE.every((s) => s.source.length > 0 && s.minSeconds <= s.maxSeconds)).toBe(true);
    });
  });

  describe('#requestMs', () => {
    it('draws within the scaled range, the same for the same seed', () => {
      const a = new LatencyModel(AZURE_LATENCY_PROFILE, 0.01, 7);
      const b = new LatencyModel(AZURE_LATENCY_PROFILE, 0.01, 7);
      const draws = Array.from({ length: 20 }, () => a.requestMs('PUT', 'Microsoft.Network/privateEndpoints/write'));
      expect(draws).toEqual(Array.from({ length: 20 }, () => b.requestMs('PUT', 'Microsoft.Network/privateEndpoints/write')));
      expect(draws.every((ms) => ms >= 300 && ms <= 900)).toBe(true);
      expect(new Set(draws).size).toBeGreaterThan(1);
    });

    it('matches operations by pattern and method, and gives 0 to what no step covers', () => {
      const m = LatencyModel.of('azure', 1, 1);
      expect(m.stepFor('PUT', 'Microsoft.Network/privateDnsZones/A/write')?.step).toBe('dnsWrite');
      expect(m.stepFor('PATCH', 'Microsoft.RecoveryServices/vaults/write')?.step).toBe('identity');
      expect(m.requestMs('GET', 'Microsoft.Network/privateEndpoints/read')).toBe(0);
      expect(LatencyModel.of('none', 1, 1).requestMs('PUT', 'Microsoft.Network/privateEndpoints/write')).toBe(0);
    });

    it('gives role assignment propagation, up to 10 minutes, for whoever models it', () => {
      const m = LatencyModel.of('azure', 1, 3);
      const ms = m.propagationMs();
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(600_000);
    });
  });
});
