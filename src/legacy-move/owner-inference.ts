import { type SQL, sql } from 'drizzle-orm';

/**
 * The employee owner of each move, as the move infers it: moves -> employees -> users, emails
 * compared trimmed and case-insensitively. `matches` is how many users share the employee's email;
 * `user_id` is set only when exactly one does (none or two: no owner is inserted, and it is reported).
 * Columns: move_id, employee_id, matches, user_id.
 */
export function inferredOwners(moveFilter: SQL = sql`true`): SQL {
  return sql`(
    select m.id as move_id, m.employee_id, pg_catalog.count(u.id)::int as matches,
           case when pg_catalog.count(u.id) = 1 then min(u.id) end as user_id,
           bool_or(u.email = e.email) as exact
    from moves m
    join employees e on e.id = m.employee_id
    left join users u on lower(btrim(u.email, E' \\t\\r\\n')) = lower(btrim(e.email, E' \\t\\r\\n'))
    where ${moveFilter}
    group by m.id, m.employee_id
  )`;
}
