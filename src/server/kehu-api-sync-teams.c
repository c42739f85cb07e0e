/* kehu-api-sync-teams.c: records' teams in sync (DESIGN.md "Sync protocol")
 *
 * A pull page carries, beside its "changes", a "teams" section: the
 * team_members rows of the records the page sends (those the user may see),
 * one object a row:
 *
 *   {"module", "record_id", "user_id", "access", "added_at", "added_by"}
 *
 * A record of the page with no row has no team any more: the client
 * replaces the team rows of every record of the page (kehu-sync-teams.c).
 * Adding or removing a member gives the record a new rev
 * (kehu_rules_add_team_member(), kehu_rules_remove_team_member()), so the
 * record and its team come with the next pull.
 *
 * The rows are found from the page's rev range in sync_changes (its rowid)
 * to team_members' primary key, in one statement: a first pull pays an
 * index probe per record (about 60 ms for 100 000 customers), and the
 * visibility check only for the records that have a team.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include "kehu-api.h"
#include "kehu-perm.h"

/**
 * _kehu_api_sync_append_teams:
 * @from: the page's cursor (exclusive)
 * @to: the rev of its last change (inclusive)
 * @sees: whether the page sends the record whole (the user sees it);
 *   asked only of records with a team, and not for a user who sees all
 *
 * Appends `,"teams":[…]` to a pull page's text, or nothing when none of
 * the page's records has a team.
 */
void
_kehu_api_sync_append_teams (KehuApi         *api,
                             KehuPerm        *perm,
                             gint64           from,
                             gint64           to,
                             KehuApiSeesFunc  sees,
                             GString         *out)
{
  gsize start = out->len;
  gboolean sees_all = kehu_perm_sees_all (perm);
  gint64 current = 0;
  sqlite3_stmt *stmt;
  guint n = 0;

  if (to <= from)
    return;
  /* The page's records are those whose latest change lies in its range,
   * as pull_page() reads them; the rows of one record are adjacent.
   * CROSS JOIN: from the page's range to the teams, whatever the size of
   * team_members (scanning it for every page costs pages × rows); the
   * latest-change test names t so that it runs only for records that have
   * a team. */
  stmt = kehu_sql_prepare (kehu_api_get_store (api), NULL,
                           "SELECT json_object ('module', t.module, 'record_id', t.record_id, 'user_id', t.user_id,"
                           "                    'access', t.access, 'added_at', t.added_at, 'added_by', t.added_by),"
                           " t.module, t.record_id, c.rev"
                           " FROM sync_changes c CROSS JOIN team_members t ON t.module = c.module AND t.record_id = c.record_id"
                           " WHERE c.rev > ?1 AND c.rev <= ?2"
                           " AND NOT EXISTS (SELECT 1 FROM sync_changes d WHERE d.module = t.module"
                           "                 AND d.record_id = t.record_id AND d.rev > c.rev)"
                           " ORDER BY c.rev, t.user_id",
                           "ii", from, to);
  g_string_append (out, ",\"teams\":[");
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 rev = sqlite3_column_int64 (stmt, 3);

      if (rev != current)
        {
          current = 0;
          if (!sees_all && !sees (api, perm, (const char *) sqlite3_column_text (stmt, 1),
                                  (const char *) sqlite3_column_text (stmt, 2)))
            continue;
          current = rev;
        }
      g_string_append_printf (out, "%s%s", n++ ? "," : "", (const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);

  if (n == 0)
    g_string_truncate (out, start);
  else
    g_string_append_c (out, ']');
}
