import { describe, expect, it } from 'vitest';
import { ConnectionConfigError, parseDatabaseUrl } from '../src/operator/database-url.js';
import { runInProcess } from './support/run.js';

// One parse of DATABASE_URL decides both what the commands print and where the driver connects:
// postgres.js reads some URLs differently from the WHATWG parser (a raw "@" then "," in the password
// is a list of other hosts to it), so those are refused, and the rest reach the driver as parts.

describe('DATABASE_URL the driver and the package would read differently: refused, password unprinted', () => {
  it.each([
    [
      'a raw @ then , in the password',
      'postgres://app:Pw@evil.example,other.example@127.0.0.1:5432/app',
      '%40',
    ],
    ['a raw @ in the password', 'postgres://app:p@ss-Secret1@127.0.0.1/app', '%40'],
    ['a raw @ in the user', 'postgres://ap@p:Secret2@127.0.0.1/app', '%40'],
    ['several hosts', 'postgres://app:Secret3@db1.example,db2.example:5432/app', 'one host'],
    ['a # in the password', 'postgres://app:Sec#ret4@127.0.0.1/app', '#'],
    ['a raw / in the password', 'postgres://app:5432/Secret5@127.0.0.1/app', '/'],
    ['a raw ? in the password', 'postgres://app@127.0.0.1/app?x=Secret6?', 'parameter'],
    ['a / in the database name', 'postgres://app:Secret7@127.0.0.1/app/other', '/'],
    [
      'an unknown parameter',
      'postgres://app:Secret8@127.0.0.1/app?options=-c%20search_path%3Devil',
      'options',
    ],
    ['a relative socket folder', 'postgres:///app?host=tmp&application_name=Secret9', 'absolute'],
    ['a host and a socket folder', 'postgres://app:Secret10@127.0.0.1/app?host=/tmp', 'both'],
    ['no host', 'postgres:///app?application_name=Secret11', 'no host'],
    ['a malformed escape', 'postgres://app:Sec%zzret12@127.0.0.1/app', '%25'],
    ['an unknown sslmode', 'postgres://app:Secret13@127.0.0.1/app?sslmode=maybe', 'sslmode'],
    ['a repeated parameter', 'postgres:///app?host=/tmp&host=/var/run&application_name=Secret14', 'repeats'],
  ])('%s', async (_case, url, mentions) => {
    expect(() => parseDatabaseUrl(url)).toThrow(ConnectionConfigError);
    const secret = /Secret\d+|Pw/.exec(url)?.[0] ?? 'none';
    const result = await runInProcess('db-migrate.ts', [], { DATABASE_URL: url });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^db:migrate: DATABASE_URL /);
    expect(result.stderr).toContain(mentions);
    expect(result.stderr).not.toContain(secret);
  });
});

describe('DATABASE_URL read once, handed to the driver as parts', () => {
  it.each([
    [
      'percent-escapes in user, password and database',
      'postgres://a%40pp:p%40ss%2Cw%2Fo%23rd%3F@db.example:6543/my%20db',
      { host: 'db.example', port: 6543, user: 'a@pp', password: 'p@ss,w/o#rd?', database: 'my db' },
    ],
    [
      'an IPv6 address',
      'postgresql://app:pw@[::1]:5433/app',
      { host: '::1', port: 5433, user: 'app', password: 'pw', database: 'app' },
    ],
    [
      'a Unix socket folder',
      'postgres:///app?host=/var/run/postgresql&user=app',
      { host: undefined, socketPath: '/var/run/postgresql/.s.PGSQL.5432', user: 'app', database: 'app' },
    ],
    [
      'a socket folder and a port parameter',
      'postgres:///app?host=/tmp/&port=6000',
      { port: 6000, socketPath: '/tmp/.s.PGSQL.6000' },
    ],
    ['the default port, no password', 'postgres://app@127.0.0.1/app', { port: 5432, password: undefined }],
    ['sslmode', 'postgres://app@db.example/app?sslmode=require', { sslmode: 'require' }],
  ])('%s', (_case, url, expected) => {
    expect(parseDatabaseUrl(url)).toMatchObject(expected);
  });
});
