import { RestError } from '@azure/core-rest-pipeline';
import { AzureOperationError, classifyAzureError, describeAzureCall, isAuthorizationFailed, isConflict, isNotFound, isPreconditionFailed, isThrottled, isTransient, readOrUndefined, type AzureErrorKind } from '../../../shared/azure';

function restError(statusCode: number | undefined, code?: string): RestError {
  return new RestError(`status ${statusCode ?? 'none'}`, { statusCode, code });
}

describe('errors', () => {
  describe('#classifyAzureError', () => {
    it.each<[string, unknown, AzureErrorKind, boolean]>([
      ['404', restError(404, 'ResourceNotFound'), 'not-found', false],
      ['409 RoleAssignmentExists', restError(409, 'RoleAssignmentExists'), 'conflict', false],
      ['412', restError(412, 'PreconditionFailed'), 'precondition-failed', false],
      ['429', restError(429), 'throttled', true],
      ['403', restError(403, 'AuthorizationFailed'), 'authorization-failed', false],
      ['401 token tenant', restError(401, 'InvalidAuthenticationTokenTenant'), 'authorization-failed', false],
      ['400 LinkedAuthorizationFailed', restError(400, 'LinkedAuthorizationFailed'), 'authorization-failed', false],
      ['500', restError(500), 'transient', true],
      ['503', restError(503), 'transient', true],
      ['408', restError(408), 'transient', true],
      ['501 Not Implemented (retrying will not help)', restError(501), 'other', false],
      ['a dropped connection', restError(undefined, 'ECONNRESET'), 'transient', true],
      ['a request send error', restError(undefined, 'REQUEST_SEND_ERROR'), 'transient', true],
      ['400', restError(400, 'InvalidRequestContent'), 'other', false],
      ['a plain Error', new Error('bug'), 'other', false],
      ['a thrown string', 'oops', 'other', false],
    ])('classifies %s', (_name, error, kind, transient) => {
      const c = classifyAzureError(error);
      expect([c.kind, c.transient]).toEqual([kind, transient]);
    });

    it('keeps the ARM code, or the status when there is none', () => {
      expect(classifyAzureError(restError(409, 'RoleAssignmentExists')).code).toBe('RoleAssignmentExists');
      expect(classifyAzureError(restError(500)).code).toBe('500');
    });

    it('finds the RestError in a cause chain', () => {
      const wrapped = new Error('outer', { cause: new Error('middle', { cause: restError(404) }) });
      expect(isNotFound(wrapped)).toBe(true);
    });
  });

  describe('type guards', () => {
    it.each([
      [isNotFound, 404],
      [isConflict, 409],
      [isPreconditionFailed, 412],
      [isThrottled, 429],
      [isAuthorizationFailed, 403],
      [isTransient, 502],
    ] as const)('%p is true for its status and false for 400', (guard, status) => {
      expect(guard(restError(status))).toBe(true);
      expect(guard(restError(400))).toBe(false);
    });
  });

  describe('#describeAzureCall', () => {
    it('wraps a failure with the operation, the resource and the SDK error as cause', async () => {
      const cause = restError(412, 'PreconditionFailed');
      const error = await describeAzureCall('updating A record set', '/subscriptions/s/x', () => Promise.reject(cause)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AzureOperationError);
      expect((error as AzureOperationError).message).toBe('updating A record set /subscriptions/s/x: PreconditionFailed: status 412');
      expect((error as AzureOperationError).cause).toBe(cause);
      expect((error as AzureOperationError).kind).toBe('precondition-failed');
      expect(isPreconditionFailed(error)).toBe(true);
    });
  });

  describe('#readOrUndefined', () => {
    it('answers undefined for a 404 and rethrows anything else wrapped', async () => {
      await expect(readOrUndefined('reading zone', 'z', () => Promise.reject(restError(404)))).resolves.toBeUndefined();
      await expect(readOrUndefined('reading zone', 'z', () => Promise.reject(restError(403)))).rejects.toThrow(/^reading zone z: 403/);
      await expect(readOrUndefined('reading zone', 'z', () => Promise.resolve(7))).resolves.toBe(7);
    });
  });
});
