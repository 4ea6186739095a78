/**
 * Azure Backup's job history in the emulator, and what Backup remembers about a vault's private
 * endpoints. Self-contained beside backup.ts, which records its jobs here.
 *
 * ARM (as `@azure/arm-recoveryservicesbackup` 12.x sends it):
 * - `GET …/vaults/{v}/backupJobs` (`backupJobs.list`): the vault's jobs, newest first, in the shape
 *   of the REST example ListJobs.json (`properties.jobType`, `entityFriendlyName`,
 *   `backupManagementType`, `operation`, `status`, `startTime`, `endTime`, `activityId`). A
 *   `$filter` of `operation eq '…'`, `status eq '…'` and `startTime`/`endTime` (`eq` as Backup
 *   reads them: from, to) clauses joined by `and` narrows the list; other clauses are ignored.
 *
 * Backup's memory (never an ARM property, except through the vault's state below):
 * - every registration (`Register`) and protection (`ConfigureBackup` for an item's first backup,
 *   `Backup` after) is a job, failed or not: the seed's FAQ counts any attempt (backup.ts decides
 *   eligibility from the order of attempts and endpoints);
 * - the first time one of the vault's connections was approved: the vault reports
 *   `privateEndpointStateForBackup: Enabled` from then on, even after its last endpoint is removed
 *   (*unconfirmed*: the emulator's reading of the property; vaultlink does not rely on it alone,
 *   see the planner's eligibility table).
 */
import { ArmError, armErrors, type JsonObject, type JsonValue } from '../arm';
import type { EmulatorProvider, ProviderApi } from '../server';
import type { StoredResource } from '../store';
import { parentResourceId, resourceInGroupId, tryParseResourceId } from '../../shared/domain/ids';
import { obj, propsOf, str } from './json';
import { RECOVERY_SERVICES_PROVIDER_NAME, VAULT_CONNECTION_TYPE, VAULT_TYPE, type RecoveryServicesExports } from './recoveryservices';

export const BACKUP_JOBS_PROVIDER_NAME = 'backup-jobs';
const JOB_TYPE = 'Microsoft.RecoveryServices/vaults/backupJobs';

export type BackupJobOperation = 'Register' | 'ConfigureBackup' | 'Backup';

export interface RecordedJob {
  readonly id: string;
  readonly vaultId: string;
  readonly operation: BackupJobOperation;
  readonly status: 'Completed' | 'Failed';
  readonly entity: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly errorCode: string | undefined;
}

export interface BackupJobsExports {
  /** Records a finished job of `vaultId`. */
  record(vaultId: string, job: { operation: BackupJobOperation; status: 'Completed' | 'Failed'; entity: string; errorCode?: string | undefined }): RecordedJob;
  /** The vault's jobs, oldest first. */
  jobs(vaultId: string): RecordedJob[];
}

function keyOf(id: string): string {
  return tryParseResourceId(id)?.key ?? id.toLowerCase();
}

/** `$filter` clauses Backup's job list understands (`operation eq 'Backup' and status eq 'Failed'`…). */
function matchesFilter(job: RecordedJob, filter: string | undefined): boolean {
  if (filter === undefined || filter.trim() === '') return true;
  for (const clause of filter.split(/\s+and\s+/i)) {
    const m = /^\s*(\w+)\s+eq\s+'([^']*)'\s*$/i.exec(clause);
    if (m === null) continue;
    const field = (m[1] ?? '').toLowerCase();
    const value = m[2] ?? '';
    if (field === 'operation' && job.operation.toLowerCase() !== value.toLowerCase()) return false;
    if (field === 'status' && job.status.toLowerCase() !== value.toLowerCase()) return false;
    if (field === 'starttime' && Date.parse(job.startTime) < Date.parse(value.replace(/ (AM|PM)$/i, ''))) return false;
    if (field === 'endtime' && Date.parse(job.endTime) > Date.parse(value.replace(/ (AM|PM)$/i, ''))) return false;
  }
  return true;
}

function renderJob(job: RecordedJob): JsonObject {
  return {
    id: job.id,
    name: job.id.slice(job.id.lastIndexOf('/') + 1),
    type: JOB_TYPE,
    properties: {
      jobType: 'AzureWorkloadJob',
      entityFriendlyName: job.entity,
      backupManagementType: 'AzureWorkload',
      workloadType: 'SQLDataBase',
      operation: job.operation,
      status: job.status,
      startTime: job.startTime,
      endTime: job.endTime,
      duration: 'PT1S',
      activityId: job.id.slice(job.id.lastIndexOf('/') + 1),
      ...(job.errorCode === undefined ? {} : { errorDetails: [{ errorCode: 0, errorString: job.errorCode, errorTitle: job.errorCode, recommendations: [] }] }),
    },
  };
}

export function createBackupJobsProvider(): EmulatorProvider<BackupJobsExports> {
  return {
    name: BACKUP_JOBS_PROVIDER_NAME,
    register(api: ProviderApi): BackupJobsExports {
      const { store } = api;
      const history = new Map<string, RecordedJob[]>();
      const everApproved = new Set<string>();
      let sequence = 0;
      const vaults = (): RecoveryServicesExports => api.provider<RecoveryServicesExports>(RECOVERY_SERVICES_PROVIDER_NAME);

      // Backup's memory of a vault's connections: kept when the connections go.
      store.watch(VAULT_CONNECTION_TYPE, (_key, resource: StoredResource | undefined) => {
        const vaultId = resource === undefined ? undefined : parentResourceId(resource.id);
        if (resource === undefined || vaultId === undefined) return;
        const status = str(obj(propsOf(resource)['privateLinkServiceConnectionState'])?.['status']);
        if (status === 'Approved' && !everApproved.has(keyOf(vaultId))) {
          everApproved.add(keyOf(vaultId));
          if (store.has(vaultId)) vaults().updateVaultState(vaultId, (s) => void (s.privateEndpointStateEverEnabled = true));
        }
      });

      const jobsOf = (vaultId: string): RecordedJob[] => [...(history.get(keyOf(vaultId)) ?? [])];

      api.route(
        'GET',
        '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults/{vaultName}/backupJobs',
        (ctx) => {
          const vaultId = resourceInGroupId(ctx.params['subscriptionId'] as string, ctx.params['resourceGroupName'] as string, VAULT_TYPE, ctx.params['vaultName'] as string);
          if (!store.has(vaultId)) throw armErrors.resourceNotFound(VAULT_TYPE, ctx.params['vaultName'] as string, ctx.params['resourceGroupName']);
          const filter = ctx.query.get('$filter') ?? undefined;
          const value = jobsOf(vaultId)
            .filter((j) => matchesFilter(j, filter))
            .reverse()
            .map(renderJob);
          return { status: 200, body: { value: value as unknown as JsonValue } };
        },
        // Paged like Azure's BackupJobs_List (x-ms-pageable, nextLink); usage summaries are not (no nextLinkName).
        { action: `${VAULT_TYPE}/backupJobs/read`, pageable: true },
      );

      return {
        record(vaultId, job) {
          const parsed = tryParseResourceId(vaultId);
          if (parsed === undefined) throw new ArmError(400, 'InvalidVaultId', `${vaultId} is not a vault id.`);
          const at = new Date(Date.now() + sequence).toISOString();
          const name = `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;
          const recorded: RecordedJob = {
            id: `${parsed.id}/backupJobs/${name}`,
            vaultId: parsed.id,
            operation: job.operation,
            status: job.status,
            entity: job.entity,
            startTime: at,
            endTime: at,
            errorCode: job.errorCode,
          };
          history.set(parsed.key, [...(history.get(parsed.key) ?? []), recorded]);
          return recorded;
        },
        jobs: jobsOf,
      };
    },
  };
}

export const backupJobsProvider = createBackupJobsProvider();

/**
 * Wraps one of Backup's job functions (backup.ts) so that each run, completed or failed, lands in
 * the job history. A malformed request (a thrown ARM error) is no job.
 */
export function recordJobs<O, R extends { readonly vaultId: string; readonly status: 'Completed' | 'Failed'; readonly error?: { readonly code: string } | undefined }>(
  jobs: () => BackupJobsExports,
  operation: (vaultId: string, options: O) => BackupJobOperation,
  entity: (options: O) => string,
  run: (vaultId: string, options?: O) => Promise<R>,
): (vaultId: string, options?: O) => Promise<R> {
  return async (vaultId: string, options?: O) => {
    const o = (options ?? {}) as O;
    const op = operation(vaultId, o);
    const result = await run(vaultId, options);
    jobs().record(result.vaultId, { operation: op, status: result.status, entity: entity(o), errorCode: result.error?.code });
    return result;
  };
}
