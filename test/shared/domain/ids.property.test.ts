import fc from 'fast-check';
import {
  childResourceId,
  InvalidResourceIdError,
  normalizeResourceId,
  parentResourceId,
  parseResourceId,
  resourceGroupResourceId,
  resourceIdKey,
  resourceInGroupId,
  sameResourceId,
  subscriptionResourceId,
  tryParseResourceId,
} from '../../../shared/domain/ids';

// Names as ARM allows them in practice: letters, digits and . _ - ( ), never "." or ".." alone
// (a leading alphanumeric rules both out), e.g. "privatelink.blob.core.windows.net", "rg-backup".
const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._()-]{0,23}$/);
const subscriptionId = fc.oneof(fc.uuid(), name);
// Resource types never read as the "providers" keyword (ARM has no such type).
const typeName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,15}$/).filter((t) => t.toLowerCase() !== 'providers');
const namespace = fc.oneof(
  fc.constantFrom('Microsoft.RecoveryServices', 'Microsoft.Network', 'Microsoft.Authorization', 'Microsoft.Storage'),
  fc.tuple(typeName, typeName).map(([a, b]) => `${a}.${b}`),
);

interface BuiltId {
  subscriptionId: string;
  resourceGroup: string;
  namespace: string;
  types: string[];
  names: string[];
  id: string;
}

/** A resource in a resource group with one to three nested types, built with the module's own builder. */
const builtId: fc.Arbitrary<BuiltId> = fc
  .record({ subscriptionId, resourceGroup: name, namespace, depth: fc.integer({ min: 1, max: 3 }) })
  .chain(({ depth, ...rest }) =>
    fc.record({ types: fc.array(typeName, { minLength: depth, maxLength: depth }), names: fc.array(name, { minLength: depth, maxLength: depth }) }).map(({ types, names }) => ({
      ...rest,
      types,
      names,
      id: resourceInGroupId(rest.subscriptionId, rest.resourceGroup, `${rest.namespace}/${types.join('/')}`, ...names),
    })),
  );

/** Any well-formed id: a subscription, a resource group, or a resource. */
const anyId = fc.oneof(
  subscriptionId.map((s) => subscriptionResourceId(s)),
  fc.tuple(subscriptionId, name).map(([s, rg]) => resourceGroupResourceId(s, rg)),
  builtId.map((b) => b.id),
);

/** Re-cases an ASCII id character by character, as ids arrive from different clients. */
function recase(id: string, mask: readonly boolean[]): string {
  if (mask.length === 0) return id;
  return [...id].map((c, i) => (mask[i % mask.length] ? c.toUpperCase() : c.toLowerCase())).join('');
}
const caseMask = fc.array(fc.boolean(), { minLength: 1, maxLength: 64 });

/** Ways an attacker (or a buggy client) bends an id; each must be refused, never repaired. */
const hostileEdit = fc.constantFrom<[string, (segments: string[], at: number) => string]>(
  ['a ".." segment', (s, at) => [...s.slice(0, at), '..', ...s.slice(at)].join('/')],
  ['a "." segment', (s, at) => [...s.slice(0, at), '.', ...s.slice(at)].join('/')],
  ['a segment replaced by ".."', (s, at) => s.map((x, i) => (i === at ? '..' : x)).join('/')],
  ['"%2F" inside a segment', (s, at) => s.map((x, i) => (i === at ? `${x}%2F${x}` : x)).join('/')],
  ['"%2f" inside a segment', (s, at) => s.map((x, i) => (i === at ? `${x}%2f${x}` : x)).join('/')],
  ['an encoded back-slash', (s, at) => s.map((x, i) => (i === at ? `${x}%5C` : x)).join('/')],
  ['a back-slash for a separator', (s, at) => [s.slice(0, at).join('/'), s.slice(at).join('/')].join('\\')],
  ['a back-slash inside a segment', (s, at) => s.map((x, i) => (i === at ? `${x}\\` : x)).join('/')],
  // after the first segment: an empty one in front would be the tolerated leading "//"
  ['an empty segment inside', (s, at) => [...s.slice(0, Math.max(at, 2)), '', ...s.slice(Math.max(at, 2))].join('/')],
  ['two trailing slashes', (s) => `${s.join('/')}//`],
);

describe('ids (properties)', () => {
  describe('#normalizeResourceId', () => {
    it('is idempotent', () => {
      fc.assert(
        fc.property(anyId, caseMask, (id, mask) => {
          const once = normalizeResourceId(recase(id, mask).replace(/^\/subscriptions/i, '/subscriptions'));
          expect(normalizeResourceId(once)).toBe(once);
        }),
      );
    });

    it('spells the keywords as ARM does, whatever the input casing', () => {
      fc.assert(
        fc.property(builtId, caseMask, (b, mask) => {
          const canonical = normalizeResourceId(recase(b.id, mask));
          expect(canonical.startsWith('/subscriptions/')).toBe(true);
          expect(canonical).toContain('/resourceGroups/');
          expect(canonical).toContain('/providers/');
        }),
      );
    });
  });

  describe('#resourceIdKey', () => {
    it('is the same whatever the casing of the id', () => {
      fc.assert(fc.property(anyId, caseMask, (id, mask) => expect(resourceIdKey(recase(id, mask))).toBe(resourceIdKey(id))));
    });

    it('ignores leading slashes and one trailing slash', () => {
      fc.assert(
        fc.property(anyId, fc.integer({ min: 1, max: 4 }), fc.boolean(), (id, extraLeading, trailing) => {
          const bent = '/'.repeat(extraLeading) + id + (trailing ? '/' : '');
          expect(resourceIdKey(bent)).toBe(resourceIdKey(id));
          expect(sameResourceId(bent, id)).toBe(true);
        }),
      );
    });
  });

  describe('#parseResourceId', () => {
    it('round-trips what the builders build', () => {
      fc.assert(
        fc.property(builtId, (b) => {
          const p = parseResourceId(b.id);
          expect(p.id).toBe(b.id);
          expect(p.subscriptionId).toBe(b.subscriptionId);
          expect(p.resourceGroup).toBe(b.resourceGroup);
          expect(p.type).toBe(`${b.namespace}/${b.types.join('/')}`);
          expect(p.name).toBe(b.names[b.names.length - 1]);
          expect(p.segments.map((s) => [s.namespace, s.type, s.name])).toEqual(b.types.map((t, i) => [b.namespace, t, b.names[i]]));
        }),
      );
    });

    it('round-trips children through childResourceId and parentResourceId', () => {
      fc.assert(
        fc.property(builtId, typeName, name, (b, childType, childName) => {
          const child = childResourceId(b.id, childType, childName);
          const p = parseResourceId(child);
          expect(p.name).toBe(childName);
          expect(p.type).toBe(`${b.namespace}/${[...b.types, childType].join('/')}`);
          expect(parentResourceId(child)).toBe(b.id);
        }),
      );
    });

    it('types an extension resource by its own provider block, even in the namespace of the resource it extends', () => {
      // e.g. …/Microsoft.Insights/components/app/providers/Microsoft.Insights/diagnosticSettings/d
      fc.assert(
        fc.property(builtId, fc.boolean(), namespace, typeName, name, (b, sameNamespace, otherNamespace, extensionType, extensionName) => {
          const extensionNamespace = sameNamespace ? b.namespace : otherNamespace;
          const extension = normalizeResourceId(`${b.id}/providers/${extensionNamespace}/${extensionType}/${extensionName}`);
          const p = parseResourceId(extension);
          expect(p.type).toBe(`${extensionNamespace}/${extensionType}`);
          expect(p.name).toBe(extensionName);
          expect(parentResourceId(extension)).toBe(b.id);
        }),
      );
    });

    it('gives the resource group as the parent of a top-level resource, and the subscription as its parent', () => {
      fc.assert(
        fc.property(subscriptionId, name, namespace, typeName, name, (s, rg, ns, type, n) => {
          const id = resourceInGroupId(s, rg, `${ns}/${type}`, n);
          expect(parentResourceId(id)).toBe(resourceGroupResourceId(s, rg));
          expect(parentResourceId(resourceGroupResourceId(s, rg))).toBe(subscriptionResourceId(s));
        }),
      );
    });

    it('always refuses ids with "..", encoded separators, back-slashes or empty segments', () => {
      fc.assert(
        fc.property(anyId, hostileEdit, fc.nat(), (id, [_what, edit], n) => {
          const segments = id.split('/'); // ['', 'subscriptions', …]
          // never position 0: a leading "//" is tolerated on purpose (SDK clients send it)
          const at = 1 + (n % (segments.length - 1));
          const hostile = edit(segments, at);
          expect(() => parseResourceId(hostile)).toThrow(InvalidResourceIdError);
          expect(tryParseResourceId(hostile)).toBeUndefined();
          expect(sameResourceId(hostile, id)).toBe(false);
        }),
      );
    });

    it('quotes the refused id in the error', () => {
      fc.assert(
        fc.property(anyId, (id) => {
          const hostile = `${id}/../x`;
          expect(() => parseResourceId(hostile)).toThrow(JSON.stringify(hostile));
        }),
      );
    });
  });

  describe('#sameResourceId', () => {
    it('never equates /subscriptions/<a> with /subscriptions/<a><x> for a non-empty x', () => {
      fc.assert(
        fc.property(
          subscriptionId,
          // anything at all may follow, except one lone "/", which is the tolerated trailing slash
          fc.string({ minLength: 1, unit: 'binary' }).filter((x) => x !== '/'),
          (a, x) => {
            expect(sameResourceId(`/subscriptions/${a}`, `/subscriptions/${a}${x}`)).toBe(false);
            const longer = tryParseResourceId(`/subscriptions/${a}${x}`);
            if (longer !== undefined) expect(longer.key).not.toBe(resourceIdKey(`/subscriptions/${a}`));
          },
        ),
      );
    });

    it('never equates resources whose names differ beyond case', () => {
      fc.assert(
        fc.property(builtId, name, (b, other) => {
          fc.pre(other.toLowerCase() !== (b.names[b.names.length - 1] as string).toLowerCase());
          const sibling = resourceInGroupId(b.subscriptionId, b.resourceGroup, `${b.namespace}/${b.types.join('/')}`, ...b.names.slice(0, -1), other);
          expect(sameResourceId(b.id, sibling)).toBe(false);
        }),
      );
    });
  });
});
