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
 * to team_members' primary key: a first pull pays one index probe per
 * record, and nothing when no record has a team.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include <string.h>

#include "kehu-api.h"

/**
 * _kehu_api_sync_teams_present:
 *
 * Whether any record has a team at all: when not, a page needs no
 * "teams" section and the pull need not note what it sent.
 */
gboolean
_kehu_api_sync_teams_present (KehuApi *api)
{
  sqlite3_stmt *stmt = kehu_sql_prepare (kehu_api_get_store (api), NULL, "SELECT 1 FROM team_members LIMIT 1", "");
  gboolean present = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;

  sqlite3_finalize (stmt);
  return present;
}

/**
 * _kehu_api_sync_teams_key:
 *
 * Returns: (transfer full): the key of a record in the set of sent records
 */
char *
_kehu_api_sync_teams_key (const char *module,
                          const char *record_id)
{
  return g_strconcat (module, "\037", record_id, NULL);
}

/**
 * _kehu_api_sync_append_teams:
 * @sent: keys (_kehu_api_sync_teams_key()) of the records the page sends
 *   whole; emptied on the way
 * @from: the page's cursor (exclusive)
 * @to: the rev of its last change (inclusive)
 *
 * Appends `,"teams":[…]` to a pull page's text, or nothing when none of
 * the sent records has a team.
 */
void
_kehu_api_sync_append_teams (KehuApi    *api,
                             GHashTable *sent,
                             gint64      from,
                             gint64      to,
                             GString    *out)
{
  gsize start = out->len;
  gint64 current = 0;
  sqlite3_stmt *stmt;
  guint n = 0;

  if (sent == NULL || g_hash_table_size (sent) == 0 || to <= from)
    return;
  /* A record changed twice in the range matches twice: its rows are
   * today's either way, so only its first match (one rev) counts. */
  stmt = kehu_sql_prepare (kehu_api_get_store (api), NULL,
                           "SELECT json_object ('module', t.module, 'record_id', t.record_id, 'user_id', t.user_id,"
                           "                    'access', t.access, 'added_at', t.added_at, 'added_by', t.added_by),"
                           " t.module, t.record_id, c.rev"
                           " FROM sync_changes c JOIN team_members t ON t.module = c.module AND t.record_id = c.record_id"
                           " WHERE c.rev > ?1 AND c.rev <= ?2 ORDER BY c.rev, t.user_id",
                           "ii", from, to);
  g_string_append (out, ",\"teams\":[");
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 rev = sqlite3_column_int64 (stmt, 3);

      if (rev != current)
        {
          g_autofree char *key = _kehu_api_sync_teams_key ((const char *) sqlite3_column_text (stmt, 1),
                                                           (const char *) sqlite3_column_text (stmt, 2));

          current = 0;
          if (!g_hash_table_remove (sent, key))
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
