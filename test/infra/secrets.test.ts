import { readFileSync } from 'node:fs';
import { infraFiles, repoRelative } from './files';

/**
 * What a key, a SAS or a connection string with a secret looks like in Bicep or JSON. infra/
 * reaches storage, Application Insights and the Function App by identity only.
 */
const SECRET_PATTERNS: readonly [string, RegExp][] = [
  ['a storage account key in a connection string', /AccountKey\s*=/i],
  ['a connection string with a key', /DefaultEndpointsProtocol\s*=/i],
  ['a key read with listKeys()', /\blistKeys\s*\(/i],
  ['a SAS created with listAccountSas()/listServiceSas()', /\blist(Account|Service)Sas\s*\(/i],
  ['a shared access signature or key', /SharedAccess(Signature|Key)/i],
  ['a SAS token', /[?&]sig=/i],
  ['a literal Application Insights instrumentation key', /InstrumentationKey\s*=/i],
  ['a secret read with listSecrets()/listCredentials()', /\blist(Secrets|Credentials)\s*\(/i],
  ['a primary or secondary key property', /\.(primary|secondary)(Key|ConnectionString|MasterKey)\b/i],
  ['a secure parameter (a secret handed in)', /@secure\s*\(/i],
  ['a password', /password/i],
];

/** The secrets found in a text, as `line: what`. */
function findSecrets(text: string): string[] {
  const findings: string[] = [];
  text.split('\n').forEach((line, index) => {
    for (const [what, pattern] of SECRET_PATTERNS) if (pattern.test(line)) findings.push(`${index + 1}: ${what}`);
  });
  return findings;
}

describe('infra/ (secrets)', () => {
  describe('#findSecrets', () => {
    it.each([
      ["var cs = 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${sa.listKeys().keys[0].value}'"],
      ['AzureWebJobsStorage: storageAccount.listKeys().keys[0].value'],
      ["value: 'https://x.blob.core.windows.net/c?sv=2022-11-02&sig=abc'"],
      ['sas: storageAccount.listAccountSas(\'2023-05-01\', {}).accountSasToken'],
      ["APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000'"],
      ["key: 'Endpoint=sb://x/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=abc'"],
      ['@secure()\nparam adminSecret string'],
      ['key: eventHub.properties.primaryKey'],
      ['functionKey: listSecrets(functionApp.id, \'2024-04-01\')'],
    ])('finds the secret in %s', (snippet) => {
      expect(findSecrets(snippet).length).toBeGreaterThan(0);
    });

    it('finds nothing in identity-based settings', () => {
      expect(findSecrets("AzureWebJobsStorage__accountName: storageAccount.name\nAPPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'")).toEqual([]);
    });
  });

  it('has files to scan', () => {
    expect(infraFiles().length).toBeGreaterThan(5);
  });

  it.each(infraFiles().map((f) => [repoRelative(f), f]))('holds no secret, key, SAS or connection string with a key in %s', (_name, path) => {
    expect(findSecrets(readFileSync(path, 'utf8'))).toEqual([]);
  });
});
