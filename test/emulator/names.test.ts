/**
 * Resource names as Azure accepts them (emulator/names.ts), through the real SDK clients: Unicode
 * letters and digits (.NET `Char.IsLetterOrDigit`), the punctuation each type allows, the length
 * limits, and Azure's error codes for the rest. Names that ARM holds apart (the Kelvin sign is not
 * a `k`) make two resources.
 */
import { NetworkManagementClient } from '@azure/arm-network';
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { RecoveryServicesClient } from '@azure/arm-recoveryservices';
import { ResourceManagementClient } from '@azure/arm-resources';
import { isLetterOrDigit, resourceGroupNameProblem, resourceNameProblem } from '../../emulator/names';
import { FAST_POLLING, noRetrySdkClient, restErrorOf, startTestEmulator, type Emulator } from './helpers';

describe('resource names (emulator)', () => {
  let emu: Emulator;
  let resources: ResourceManagementClient;
  let network: NetworkManagementClient;
  let dns: PrivateDnsManagementClient;
  let vaults: RecoveryServicesClient;
  beforeAll(async () => {
    emu = await startTestEmulator();
    resources = noRetrySdkClient(emu, ResourceManagementClient);
    network = noRetrySdkClient(emu, NetworkManagementClient);
    dns = noRetrySdkClient(emu, PrivateDnsManagementClient);
    vaults = noRetrySdkClient(emu, RecoveryServicesClient);
    await resources.resourceGroups.createOrUpdate('rg-names', { location: 'uksouth' });
  });
  afterAll(() => emu.close());

  describe('resource groups', () => {
    it.each([
      ['Unicode letters', 'rg-équipe-données'],
      ['CJK letters', 'リソース-グループ'],
      ['non-Latin digits', 'rg-\u0661\u0662'],
      ['the Kelvin sign (a letter, Lu)', 'rg-spo\u212Ae-network'],
      ['parentheses, periods and underscores', 'rg_(prod).v2'],
      ['90 characters', 'r'.repeat(90)],
      ['1 character', 'r'],
    ])('accepts %s', async (_what, name) => {
      const rg = await resources.resourceGroups.createOrUpdate(name, { location: 'uksouth' });
      expect(rg.name).toBe(name);
      expect((await resources.resourceGroups.get(name.toUpperCase())).name).toBe(name);
    });

    it.each([
      ['91 characters', 'r'.repeat(91)],
      ['a trailing period', 'rg-names.'],
      ['a space', 'rg names'],
      ['a zero-width space', 'rg-\u200Bnames'],
      ['a combining accent', 'rg-e\u0301'],
      ['a character outside the BMP', 'rg-\u{1D400}'],
      ['an emoji', 'rg-\u{1F600}'],
      ['a plus sign', 'rg+names'],
      ['an at sign', 'rg@names'],
    ])('refuses %s with 400 InvalidResourceGroup', async (_what, name) => {
      expect(await restErrorOf(resources.resourceGroups.createOrUpdate(name, { location: 'uksouth' }))).toEqual({ statusCode: 400, code: 'InvalidResourceGroup' });
    });

    it('keeps rg-spo\u212Ae-network apart from rg-spoke-network (ARM compares without case folding)', async () => {
      await resources.resourceGroups.createOrUpdate('rg-spoke-network', { location: 'westeurope' });
      await resources.resourceGroups.createOrUpdate('rg-spo\u212Ae-network', { location: 'uksouth' });
      expect((await resources.resourceGroups.get('RG-SPOKE-NETWORK')).location).toBe('westeurope');
      expect((await resources.resourceGroups.get('RG-SPO\u212AE-NETWORK')).location).toBe('uksouth');
    });
  });

  describe('resources', () => {
    it('accepts a VNet, subnet and private DNS zone and link with Unicode letters, and refuses bad names with 400 InvalidResourceName', async () => {
      const vnet = await network.virtualNetworks.beginCreateOrUpdateAndWait('rg-names', 'vnet-ü_1', { location: 'uksouth', addressSpace: { addressPrefixes: ['10.9.0.0/16'] } }, FAST_POLLING);
      expect(vnet.name).toBe('vnet-ü_1');
      const refused = async (call: Promise<unknown>) => expect(await restErrorOf(call)).toEqual({ statusCode: 400, code: 'InvalidResourceName' });
      await refused(network.virtualNetworks.beginCreateOrUpdateAndWait('rg-names', 'v', { location: 'uksouth', addressSpace: { addressPrefixes: ['10.8.0.0/16'] } }, FAST_POLLING));
      await refused(network.virtualNetworks.beginCreateOrUpdateAndWait('rg-names', 'vnet-', { location: 'uksouth', addressSpace: { addressPrefixes: ['10.8.0.0/16'] } }, FAST_POLLING));
      await refused(network.virtualNetworks.beginCreateOrUpdateAndWait('rg-names', 'v'.repeat(65), { location: 'uksouth', addressSpace: { addressPrefixes: ['10.8.0.0/16'] } }, FAST_POLLING));
      await refused(network.subnets.beginCreateOrUpdateAndWait('rg-names', 'vnet-ü_1', '(pe)', { addressPrefix: '10.9.1.0/24' }, FAST_POLLING));
      await refused(network.privateEndpoints.beginCreateOrUpdateAndWait('rg-names', '-pe', { location: 'uksouth' }, FAST_POLLING));
      await refused(network.privateEndpoints.beginCreateOrUpdateAndWait('rg-names', 'pe\u200B1', { location: 'uksouth' }, FAST_POLLING));

      const zone = await dns.privateZones.beginCreateOrUpdateAndWait('rg-names', 'privatelink.blob.core.windows.net', { location: 'global' }, FAST_POLLING);
      expect(zone.name).toBe('privatelink.blob.core.windows.net');
      await refused(dns.privateZones.beginCreateOrUpdateAndWait('rg-names', 'localhost', { location: 'global' }, FAST_POLLING));
      await refused(dns.privateZones.beginCreateOrUpdateAndWait('rg-names', `${'a'.repeat(64)}.example`, { location: 'global' }, FAST_POLLING));
      await refused(dns.recordSets.createOrUpdate('rg-names', 'privatelink.blob.core.windows.net', 'A', 'a..b', { ttl: 10, aRecords: [{ ipv4Address: '10.9.1.4' }] }));
      const record = await dns.recordSets.createOrUpdate('rg-names', 'privatelink.blob.core.windows.net', 'A', 'ab_c-1', { ttl: 10, aRecords: [{ ipv4Address: '10.9.1.4' }] });
      expect(record.name).toBe('ab_c-1');
    });

    it('accepts a vault name of letters, digits and hyphens that starts with a letter, and refuses others', async () => {
      const vault = await vaults.vaults.beginCreateOrUpdateAndWait('rg-names', 'rsv-équipe-1', { location: 'uksouth', sku: { name: 'Standard' }, properties: {} }, FAST_POLLING);
      expect(vault.name).toBe('rsv-équipe-1');
      for (const bad of ['1rsv', 'r', 'rsv_1', 'rsv.1', 'r'.repeat(51)]) {
        expect([bad, await restErrorOf(vaults.vaults.beginCreateOrUpdateAndWait('rg-names', bad, { location: 'uksouth', sku: { name: 'Standard' }, properties: {} }, FAST_POLLING))]).toEqual([
          bad,
          { statusCode: 400, code: 'InvalidResourceName' },
        ]);
      }
    });
  });

  describe('the rules', () => {
    it('treat letters and digits as .NET Char.IsLetterOrDigit does, per UTF-16 code unit', () => {
      expect(['a', 'Z', 'é', '\u212A', 'ǅ', 'ʰ', 'あ', '٣', '9'].every(isLetterOrDigit)).toBe(true);
      expect(['_', '-', ' ', '\u0301', '\u200B', '\u2160', '½', '\uD835'].some(isLetterOrDigit)).toBe(false);
      expect(resourceGroupNameProblem('')).toMatch(/1 to 90/);
      expect(resourceNameProblem('Microsoft.Network/privateEndpoints', 'pe_')).toBeUndefined();
      expect(resourceNameProblem('Microsoft.Network/privateEndpoints', 'pe.')).toMatch(/end with/);
      expect(resourceNameProblem('Microsoft.Storage/storageAccounts', 'anything at all')).toBeUndefined();
    });
  });
});
