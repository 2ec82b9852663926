import postgres from 'postgres';

/**
 * The bench's view of the server: an admin connection that creates, copies and drops databases.
 * BENCH_DB_PREFIX (default `bench`) replaces the leading `bench` of every database name, so that two
 * benchmark runs on one server (two checkouts, say) never drop each other's databases.
 */
export class BenchServer {
  private readonly prefix = process.env.BENCH_DB_PREFIX || 'bench';
  private readonly admin: postgres.Sql;
  private readonly created = new Set<string>();

  constructor(readonly adminUrl: string) {
    this.admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  }

  urlOf(name: string): string {
    const url = new URL(this.adminUrl);
    url.pathname = `/${this.physical(name)}`;
    return url.toString();
  }

  /** A postgres.js client on one database; TimeZone UTC so legacy timestamps read as UTC. */
  client(name: string, max = 1): postgres.Sql {
    return postgres(this.urlOf(name), { max, onnotice: () => {}, connection: { TimeZone: 'UTC' } });
  }

  async create(name: string, template?: string): Promise<void> {
    await this.drop(name);
    const copyOf = template ? ` TEMPLATE "${this.physical(template)}"` : '';
    await this.admin.unsafe(`CREATE DATABASE "${this.physical(name)}"${copyOf}`);
    this.created.add(name);
  }

  async drop(name: string): Promise<void> {
    await this.admin.unsafe(`DROP DATABASE IF EXISTS "${this.physical(name)}" WITH (FORCE)`);
    this.created.delete(name);
  }

  /** The name on the server of the bench's database `name`. */
  physical(name: string): string {
    return name.replace(/^bench/, this.prefix);
  }

  async version(): Promise<string> {
    const [row] = await this.admin<{ version: string }[]>`select version()`;
    return row?.version ?? 'unknown';
  }

  async setting(name: string): Promise<string> {
    const [row] = await this.admin<{ setting: string }[]>`select current_setting(${name}) as setting`;
    return row?.setting ?? 'unknown';
  }

  /** Drops every database this run created, then closes the admin connection. */
  async close(): Promise<void> {
    for (const name of [...this.created]) await this.drop(name).catch(() => {});
    await this.admin.end({ timeout: 5 });
  }
}
