/**
 * Virtual network peerings (`Microsoft.Network/virtualNetworks/{v}/virtualNetworkPeerings/{p}`),
 * as `@azure/arm-network`'s `virtualNetworkPeerings` client uses them, minimally: PUT / GET /
 * DELETE / list, long-running like the rest of Microsoft.Network.
 *
 * What Azure does and the emulator does too (learn.microsoft.com "Create, change, or delete a
 * virtual network peering"; the REST spec's VirtualNetworkPeeringCreate/Get examples):
 * - a peering is one-way: A→B alone is `Initiated`; once B→A exists both are `Connected`; when one
 *   side is deleted the other shows `Disconnected` (it must be deleted and made again);
 * - creating one needs `virtualNetworkPeerings/write` on the local VNet (the pipeline's check) and
 *   `Microsoft.Network/virtualNetworks/peer/action` on the remote one (`LinkedAuthorizationFailed`);
 * - VNets with overlapping address spaces cannot be peered (`VnetAddressSpacesOverlap`); a VNet
 *   cannot be peered with itself.
 *
 * Reachability for Azure Backup's jobs ({@link vnetsConnected}): a VM reaches a private IP in its
 * own VNet, or in a VNet directly peered with it in both directions (`Connected`, with
 * `allowVirtualNetworkAccess` on both sides). Peering is not transitive.
 */
import { randomUUID } from 'node:crypto';
import { parentResourceId, parseResourceId, tryParseResourceId } from '../../shared/domain/ids';
import { ArmError, armErrors, type JsonObject } from '../arm';
import type { ArmContext, ArmResponse, ProviderApi } from '../server';
import type { ResourceStore, StoredResource } from '../store';
import { arr, obj, propsOf, str } from './json';
import { InvalidAddressPrefixError, parseIpv4Prefix, prefixesOverlap, type Ipv4Prefix } from './network-addresses';

export const VIRTUAL_NETWORK_PEERING_TYPE = 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings';
export const VIRTUAL_NETWORK_PEER_ACTION = 'Microsoft.Network/virtualNetworks/peer/action';
const VIRTUAL_NETWORK_TYPE = 'Microsoft.Network/virtualNetworks';
/** The emulator's own memory in the stored peering (never rendered). */
const HIDDEN = 'x-emulator';

export type PeeringState = 'Initiated' | 'Connected' | 'Disconnected';

function key(id: string | undefined): string | undefined {
  return id === undefined ? undefined : tryParseResourceId(id)?.key;
}

function remoteOf(peering: StoredResource): string | undefined {
  return str(obj(propsOf(peering)['remoteVirtualNetwork'])?.['id']);
}

/** The peering from `fromVnetId` to `toVnetId`, if one exists. */
function peeringBetween(store: ResourceStore, fromVnetId: string, toVnetId: string): StoredResource | undefined {
  const to = key(toVnetId);
  return store.children(fromVnetId, VIRTUAL_NETWORK_PEERING_TYPE).find((p) => key(remoteOf(p)) === to);
}

export function peeringState(store: ResourceStore, peering: StoredResource): PeeringState {
  const local = parentResourceId(peering.id);
  const remote = remoteOf(peering);
  if (local !== undefined && remote !== undefined && store.has(remote) && peeringBetween(store, remote, local)) return 'Connected';
  return obj(peering.resource[HIDDEN])?.['everConnected'] === true ? 'Disconnected' : 'Initiated';
}

function allowsAccess(peering: StoredResource): boolean {
  return propsOf(peering)['allowVirtualNetworkAccess'] !== false;
}

/** True when a VM in `fromVnetId` can reach private IPs in `toVnetId`: the same VNet, or a Connected peering both ways allowing access. */
export function vnetsConnected(store: ResourceStore, fromVnetId: string, toVnetId: string): boolean {
  const from = key(fromVnetId);
  const to = key(toVnetId);
  if (from === undefined || to === undefined) return false;
  if (from === to) return true;
  const there = peeringBetween(store, fromVnetId, toVnetId);
  const back = peeringBetween(store, toVnetId, fromVnetId);
  return there !== undefined && back !== undefined && allowsAccess(there) && allowsAccess(back);
}

function addressSpace(vnet: StoredResource): Ipv4Prefix[] {
  return arr(obj(propsOf(vnet)['addressSpace'])?.['addressPrefixes'])
    .filter((p): p is string => typeof p === 'string')
    .flatMap((t) => {
      try {
        return [parseIpv4Prefix(t)];
      } catch (e) {
        if (e instanceof InvalidAddressPrefixError) return [];
        throw e;
      }
    });
}

function render(store: ResourceStore, stored: StoredResource): JsonObject {
  const { [HIDDEN]: _hidden, ...resource } = stored.resource;
  const remoteId = remoteOf(stored);
  const remote = remoteId === undefined ? undefined : store.get(remoteId);
  const state = peeringState(store, stored);
  return {
    ...resource,
    etag: `W/"${stored.etag}"`,
    properties: {
      ...propsOf(stored),
      peeringState: state,
      peeringSyncLevel: state === 'Connected' ? 'FullyInSync' : 'RemoteNotInSync',
      remoteAddressSpace: { addressPrefixes: remote ? addressSpace(remote).map((p) => p.text) : [] },
      provisioningState: 'Succeeded',
    },
  };
}

/** A VNet's peerings as its GET shows them (`properties.virtualNetworkPeerings`). */
export function virtualNetworkPeeringsOf(store: ResourceStore, vnetId: string): JsonObject[] {
  return store.children(vnetId, VIRTUAL_NETWORK_PEERING_TYPE).map((p) => render(store, p));
}

function badContent(why: string): ArmError {
  return armErrors.badRequest('InvalidRequestFormat', `Cannot parse the request. ${why}`);
}

/** PUT of a peering as `ctx.caller`: checks, then stores it (and marks both sides connected when the pair is complete). */
function ensurePeering(ctx: ArmContext, store: ResourceStore, peeringId: string): { status: 200 | 201; stored: StoredResource } {
  const localId = parentResourceId(peeringId) as string;
  const local = store.get(localId);
  if (!local) throw armErrors.resourceNotFound(VIRTUAL_NETWORK_TYPE, parseResourceId(localId).name, parseResourceId(localId).resourceGroup);
  const body = ctx.requireBody();
  const props = obj(body['properties']) ?? {};
  const remoteRaw = str(obj(props['remoteVirtualNetwork'])?.['id']);
  const remoteParsed = remoteRaw === undefined ? undefined : tryParseResourceId(remoteRaw);
  if (!remoteParsed || remoteParsed.type.toLowerCase() !== VIRTUAL_NETWORK_TYPE.toLowerCase()) throw badContent(`Peering ${peeringId} needs properties.remoteVirtualNetwork.id, a virtual network id.`);
  const remote = store.get(remoteParsed.id);
  if (!remote) {
    throw armErrors.badRequest('InvalidResourceReference', `Resource ${remoteParsed.id} referenced by resource ${peeringId} was not found. Please make sure that the referenced resource exists.`);
  }
  if (remote.key === local.key) throw armErrors.badRequest('CannotPeerVirtualNetworkWithItself', `Virtual network ${local.id} cannot be peered with itself.`);
  ctx.authorizeLinked(VIRTUAL_NETWORK_PEER_ACTION, remote.id);
  const previous = store.get(peeringId);
  if (previous && key(remoteOf(previous)) !== remote.key) throw armErrors.badRequest('CannotChangeRemoteVirtualNetwork', `The remote virtual network of peering ${previous.id} cannot be changed.`);
  const overlap = addressSpace(local).find((a) => addressSpace(remote).some((b) => prefixesOverlap(a, b)));
  if (overlap) {
    throw armErrors.badRequest('VnetAddressSpacesOverlap', `Cannot create or update peering ${peeringId}. Virtual networks ${local.id} and ${remote.id} cannot be peered because their address spaces overlap (${overlap.text}).`);
  }
  const flag = (name: string, fallback: boolean): boolean => (typeof props[name] === 'boolean' ? (props[name] as boolean) : fallback);
  const id = previous?.id ?? `${local.id}/virtualNetworkPeerings/${parseResourceId(peeringId).name}`;
  const back = peeringBetween(store, remote.id, local.id);
  const everConnected = back !== undefined || obj(previous?.resource[HIDDEN])?.['everConnected'] === true;
  const stored = store.put(
    id,
    {
      name: parseResourceId(id).name,
      id,
      type: VIRTUAL_NETWORK_PEERING_TYPE,
      properties: {
        remoteVirtualNetwork: { id: remote.id },
        allowVirtualNetworkAccess: flag('allowVirtualNetworkAccess', true),
        allowForwardedTraffic: flag('allowForwardedTraffic', false),
        allowGatewayTransit: flag('allowGatewayTransit', false),
        useRemoteGateways: flag('useRemoteGateways', false),
        resourceGuid: str(propsOf(previous)['resourceGuid']) ?? randomUUID(),
      },
      [HIDDEN]: { everConnected },
    },
    { principalId: ctx.caller.principalId },
  );
  if (back && obj(back.resource[HIDDEN])?.['everConnected'] !== true) store.put(back.id, { ...back.resource, [HIDDEN]: { everConnected: true } });
  return { status: previous ? 200 : 201, stored };
}

/** Registers the peering routes; called by the network provider. */
export function registerVirtualNetworkPeerings(api: ProviderApi): void {
  const { store } = api;
  const BASE = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}/virtualNetworkPeerings';
  const idOf = (ctx: ArmContext): string => {
    if (ctx.resourceId === undefined) throw armErrors.badRequest('InvalidRequestUri', `${ctx.path} names no resource.`);
    return ctx.resourceId;
  };
  const vnetIdOf = (ctx: ArmContext): string =>
    `/subscriptions/${ctx.params['subscriptionId']}/resourceGroups/${ctx.params['resourceGroupName']}/providers/${VIRTUAL_NETWORK_TYPE}/${ctx.params['virtualNetworkName']}`;
  const notFound = (ctx: ArmContext): ArmError =>
    armErrors.resourceNotFound(VIRTUAL_NETWORK_PEERING_TYPE, `${ctx.params['virtualNetworkName']}/${ctx.params['virtualNetworkPeeringName']}`, ctx.params['resourceGroupName']);

  api.route('PUT', `${BASE}/{virtualNetworkPeeringName}`, (ctx): ArmResponse => {
    const { status, stored } = ensurePeering(ctx, store, idOf(ctx));
    return ctx.longRunning({
      status,
      body: { ...render(store, stored), properties: { ...(obj(render(store, stored)['properties']) ?? {}), provisioningState: 'Updating' } },
      complete: () => {
        const current = store.get(stored.id);
        if (!current) throw notFound(ctx);
        return render(store, current);
      },
    });
  });
  api.route('GET', `${BASE}/{virtualNetworkPeeringName}`, (ctx) => {
    const stored = store.get(idOf(ctx));
    if (!stored) throw notFound(ctx);
    return { status: 200, body: render(store, stored) };
  });
  api.route('GET', BASE, (ctx) => {
    const vnet = store.get(vnetIdOf(ctx));
    if (!vnet) throw armErrors.resourceNotFound(VIRTUAL_NETWORK_TYPE, ctx.params['virtualNetworkName'] as string, ctx.params['resourceGroupName']);
    return { status: 200, body: { value: store.children(vnet.id, VIRTUAL_NETWORK_PEERING_TYPE).map((p) => render(store, p)) } };
  });
  api.route('DELETE', `${BASE}/{virtualNetworkPeeringName}`, (ctx): ArmResponse => {
    const stored = store.get(idOf(ctx));
    if (!stored) return { status: 204, events: [] };
    return ctx.longRunning({
      status: 202,
      complete: () => {
        store.delete(stored.id);
      },
    });
  });
}
