/* kehu-approval.c: the approval engine (pure logic: no I/O, no clock)
 *
 * A flow (JSON written by an administrator) is checked by
 * kehu_approval_flow_validate(), then resolved against a record and the
 * organisation into a list of stages, each with the users who may decide
 * it; the resolved stages, decisions and history make up the state JSON the
 * caller stores. Every action parses the state into the structs below,
 * changes them, and writes a new state: the input is never modified.
 * The formats and the rules of the tricky cases are in kehu-approval.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-approval"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kehu-approval.h"

#define STATE_VERSION 1
#define MAX_DEPTH 16
#define MAX_SUPERVISOR_LEVELS 20
#define MAX_CHAIN 256

typedef struct
{
  JsonNode  *approver;  /* the spec as written in the flow */
  GPtrArray *users;     /* char *: who may decide; empty = nobody (skipped) */
  char      *decision;  /* NULL, "approve" or "reject" */
  char      *by;
  char      *at;
  char      *comment;
} Slot;

typedef struct
{
  char      *key;
  gboolean   any;
  char      *status;    /* pending, approved, rejected, skipped, withdrawn */
  char      *reason;    /* why a stage was skipped */
  GPtrArray *slots;     /* Slot * */
} Stage;

typedef struct
{
  KehuApprovalStatus  status;
  char               *submitter;
  gint64              round;
  guint               current;
  char               *resume_from;
  GPtrArray          *stages;   /* Stage * */
  GPtrArray          *copy_to;  /* char * */
  JsonArray          *history;
} Instance;

typedef struct
{
  JsonObject                  *record;
  const char                  *submitter;
  const KehuApprovalDirectory *directory;
  GPtrArray                   *stages;
} Resolver;

G_DEFINE_QUARK (kehu-approval-error-quark, kehu_approval_error)

static const char * const status_names[] = {
  "draft", "pending", "approved", "rejected", "withdrawn",
};

static const char * const action_names[] = {
  "approve", "reject", "transfer", "withdraw", "resubmit",
};

static const char * const business_types[] = {
  "contract", "payment", "invoice", "expense", "leave", "generic", NULL,
};

static const char * const operators[] = {
  ">", ">=", "<", "<=", "==", "!=", "in", "empty", "not_empty", NULL,
};

static void
slot_free (Slot *slot)
{
  g_clear_pointer (&slot->approver, json_node_unref);
  g_clear_pointer (&slot->users, g_ptr_array_unref);
  g_free (slot->decision);
  g_free (slot->by);
  g_free (slot->at);
  g_free (slot->comment);
  g_free (slot);
}

static void
stage_free (Stage *stage)
{
  g_free (stage->key);
  g_free (stage->status);
  g_free (stage->reason);
  g_clear_pointer (&stage->slots, g_ptr_array_unref);
  g_free (stage);
}

static Stage *
stage_new (const char *key,
           gboolean    any)
{
  Stage *stage = g_new0 (Stage, 1);

  stage->key = g_strdup (key);
  stage->any = any;
  stage->status = g_strdup ("pending");
  stage->slots = g_ptr_array_new_with_free_func ((GDestroyNotify) slot_free);

  return stage;
}

static void
stage_set_status (Stage      *stage,
                  const char *status,
                  const char *reason)
{
  g_free (stage->status);
  stage->status = g_strdup (status);
  g_free (stage->reason);
  stage->reason = g_strdup (reason);
}

static Instance *
instance_new (void)
{
  Instance *inst = g_new0 (Instance, 1);

  inst->status = KEHU_APPROVAL_STATUS_PENDING;
  inst->round = 1;
  inst->stages = g_ptr_array_new_with_free_func ((GDestroyNotify) stage_free);
  inst->copy_to = g_ptr_array_new_with_free_func (g_free);
  inst->history = json_array_new ();

  return inst;
}

static void
instance_free (Instance *inst)
{
  g_free (inst->submitter);
  g_free (inst->resume_from);
  g_clear_pointer (&inst->stages, g_ptr_array_unref);
  g_clear_pointer (&inst->copy_to, g_ptr_array_unref);
  g_clear_pointer (&inst->history, json_array_unref);
  g_free (inst);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Instance, instance_free)

/* Small JSON helpers */

static JsonNode *
object_member (JsonObject *object,
               const char *name)
{
  return object != NULL ? json_object_get_member (object, name) : NULL;
}

static gboolean
node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_int (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_INT64;
}

static gboolean
node_is_number (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         (json_node_get_value_type (node) == G_TYPE_INT64 ||
          json_node_get_value_type (node) == G_TYPE_DOUBLE);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object_member (object, name);

  return node_is_string (node) ? json_node_get_string (node) : NULL;
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = object_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
is_one_of (const char         *str,
           const char * const *list)
{
  return str != NULL && g_strv_contains (list, str);
}

static gboolean
ptr_array_has_str (GPtrArray  *array,
                   const char *str)
{
  for (guint i = 0; i < array->len; i++)
    if (g_strcmp0 (g_ptr_array_index (array, i), str) == 0)
      return TRUE;
  return FALSE;
}

static char *
format_time (GDateTime *now)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (now);

  return g_date_time_format_iso8601 (utc);
}

/* Validation */

static gboolean
validate_approver (JsonNode                     *node,
                   const char                   *where,
                   const KehuApprovalDirectory  *directory,
                   GError                      **error)
{
  JsonObject *spec;
  JsonNode *user, *role, *supervisor;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("%s must be an object with user, role or supervisor"), where);
      return FALSE;
    }

  spec = json_node_get_object (node);
  user = json_object_get_member (spec, "user");
  role = json_object_get_member (spec, "role");
  supervisor = json_object_get_member (spec, "supervisor");

  if ((user != NULL) + (role != NULL) + (supervisor != NULL) != 1)
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("%s must name exactly one of user, role or supervisor"), where);
      return FALSE;
    }

  if (user != NULL)
    {
      if (!node_is_string (user) || *json_node_get_string (user) == '\0')
        {
          g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                       _("%s: the user must be a non-empty id"), where);
          return FALSE;
        }
      if (directory != NULL && directory->user_exists != NULL &&
          !directory->user_exists (directory->user_data, json_node_get_string (user)))
        {
          g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                       _("%s: there is no user “%s”"), where, json_node_get_string (user));
          return FALSE;
        }
    }
  else if (role != NULL)
    {
      if (!node_is_string (role) || *json_node_get_string (role) == '\0')
        {
          g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                       _("%s: the role must be a non-empty id"), where);
          return FALSE;
        }
      if (directory != NULL && directory->role_exists != NULL &&
          !directory->role_exists (directory->user_data, json_node_get_string (role)))
        {
          g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                       _("%s: there is no role “%s”"), where, json_node_get_string (role));
          return FALSE;
        }
    }
  else if (!node_is_int (supervisor) ||
           json_node_get_int (supervisor) < 1 ||
           json_node_get_int (supervisor) > MAX_SUPERVISOR_LEVELS)
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("%s: the supervisor level must be a whole number from 1 to %d"),
                   where, MAX_SUPERVISOR_LEVELS);
      return FALSE;
    }

  return TRUE;
}

static gboolean validate_steps (JsonArray                    *steps,
                                const char                   *prefix,
                                guint                         depth,
                                const KehuApprovalDirectory  *directory,
                                GError                      **error);

static gboolean
validate_condition (JsonObject                   *step,
                    const char                   *path,
                    guint                         depth,
                    const KehuApprovalDirectory  *directory,
                    GError                      **error)
{
  const char *field = member_string (step, "field");
  const char *op = member_string (step, "op");
  JsonNode *value = json_object_get_member (step, "value");
  JsonNode *then_node = json_object_get_member (step, "then");
  JsonNode *else_node = json_object_get_member (step, "else");
  g_autofree char *then_prefix = NULL;
  g_autofree char *else_prefix = NULL;

  if (field == NULL || *field == '\0')
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("Step %s: a condition needs the record field it tests in “field”"), path);
      return FALSE;
    }

  if (!is_one_of (op, operators))
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("Step %s: unknown operator “%s” (use >, >=, <, <=, ==, !=, in, empty or not_empty)"),
                   path, op != NULL ? op : "");
      return FALSE;
    }

  if (g_str_equal (op, "in"))
    {
      if (value == NULL || !JSON_NODE_HOLDS_ARRAY (value))
        {
          g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                       _("Step %s: operator “in” needs a list as value"), path);
          return FALSE;
        }
    }
  else if (op[0] == '<' || op[0] == '>')
    {
      if (!node_is_number (value) && !node_is_string (value))
        {
          g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                       _("Step %s: operator “%s” needs a number or a string as value"), path, op);
          return FALSE;
        }
    }
  else if (value == NULL && (g_str_equal (op, "==") || g_str_equal (op, "!=")))
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("Step %s: operator “%s” needs a value"), path, op);
      return FALSE;
    }

  if (then_node == NULL || !JSON_NODE_HOLDS_ARRAY (then_node))
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("Step %s: a condition needs a list of steps in “then”"), path);
      return FALSE;
    }
  if (else_node != NULL && !JSON_NODE_HOLDS_ARRAY (else_node))
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("Step %s: “else” must be a list of steps"), path);
      return FALSE;
    }

  then_prefix = g_strdup_printf ("%s.then", path);
  if (!validate_steps (json_node_get_array (then_node), then_prefix, depth + 1, directory, error))
    return FALSE;

  else_prefix = g_strdup_printf ("%s.else", path);
  if (else_node != NULL &&
      !validate_steps (json_node_get_array (else_node), else_prefix, depth + 1, directory, error))
    return FALSE;

  return TRUE;
}

static gboolean
validate_step (JsonNode                     *node,
               const char                   *path,
               guint                         depth,
               const KehuApprovalDirectory  *directory,
               GError                      **error)
{
  JsonObject *step;
  const char *type;
  JsonArray *approvers;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("Step %s must be a JSON object"), path);
      return FALSE;
    }

  step = json_node_get_object (node);
  type = member_string (step, "type");

  if (type == NULL)
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("Step %s needs a type: serial, parallel or condition"), path);
      return FALSE;
    }

  if (g_str_equal (type, "condition"))
    return validate_condition (step, path, depth, directory, error);

  if (!g_str_equal (type, "serial") && !g_str_equal (type, "parallel"))
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("Step %s: unknown step type “%s” (use serial, parallel or condition)"),
                   path, type);
      return FALSE;
    }

  if (g_str_equal (type, "parallel") &&
      !is_one_of (member_string (step, "mode"), (const char * const []) { "all", "any", NULL }))
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("Step %s: a parallel step needs mode all or any"), path);
      return FALSE;
    }

  approvers = member_array (step, "approvers");
  if (approvers == NULL || json_array_get_length (approvers) == 0)
    {
      /* Translators: the first %s is the step's place in the flow, the
       * second its type as written in the flow: serial or parallel. */
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("Step %s: a %s step needs at least one approver in “approvers”"),
                   path, type);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (approvers); i++)
    {
      /* Translators: %s is the step's place in the flow (2, or 2.then.1 for
       * the first step of step 2's then branch), %u counts from 1. The
       * result starts the approver errors ("%s: there is no user …"). */
      g_autofree char *where = g_strdup_printf (_("Step %s, approver %u"), path, i + 1);

      if (!validate_approver (json_array_get_element (approvers, i), where, directory, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
validate_steps (JsonArray                    *steps,
                const char                   *prefix,
                guint                         depth,
                const KehuApprovalDirectory  *directory,
                GError                      **error)
{
  if (depth > MAX_DEPTH)
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("Step %s: conditions are nested more than %d deep"), prefix, MAX_DEPTH);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      g_autofree char *path = prefix != NULL ? g_strdup_printf ("%s.%u", prefix, i + 1)
                                             : g_strdup_printf ("%u", i + 1);

      if (!validate_step (json_array_get_element (steps, i), path, depth, directory, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
kehu_approval_flow_validate (JsonNode                     *flow,
                             const KehuApprovalDirectory  *directory,
                             GError                      **error)
{
  JsonObject *root;
  const char *name;
  JsonNode *restart;
  JsonNode *copy_to;
  JsonArray *steps;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (flow == NULL || !JSON_NODE_HOLDS_OBJECT (flow))
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("An approval flow must be a JSON object"));
      return FALSE;
    }
  root = json_node_get_object (flow);

  name = member_string (root, "name");
  if (name == NULL || *name == '\0')
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("An approval flow needs a name"));
      return FALSE;
    }

  if (!is_one_of (member_string (root, "business_type"), business_types))
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("The business type of an approval flow must be contract, payment, invoice, expense, leave or generic"));
      return FALSE;
    }

  restart = json_object_get_member (root, "restart");
  if (restart != NULL &&
      !is_one_of (node_is_string (restart) ? json_node_get_string (restart) : NULL,
                  (const char * const []) { "first_step", "rejected_step", NULL }))
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("“restart” must be first_step or rejected_step"));
      return FALSE;
    }

  copy_to = json_object_get_member (root, "copy_to");
  if (copy_to != NULL)
    {
      JsonArray *list;

      if (!JSON_NODE_HOLDS_ARRAY (copy_to))
        {
          g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                       _("“copy_to” must be a list of approvers"));
          return FALSE;
        }

      list = json_node_get_array (copy_to);
      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          g_autofree char *where = g_strdup_printf (_("Copy-to entry %u"), i + 1);

          if (!validate_approver (json_array_get_element (list, i), where, directory, error))
            return FALSE;
        }
    }

  steps = member_array (root, "steps");
  if (steps == NULL || json_array_get_length (steps) == 0)
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW,
                   _("An approval flow needs at least one step in “steps”"));
      return FALSE;
    }

  return validate_steps (steps, NULL, 0, directory, error);
}

/* Conditions */

/* Returns a copy of the member a dotted path names, or NULL when missing.
 * A string met on the way is parsed as JSON: `extra` is stored as text.
 */
static JsonNode *
record_lookup (JsonObject *record,
               const char *field)
{
  g_auto(GStrv) parts = g_strsplit (field, ".", -1);
  g_autoptr(JsonNode) current = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (current, record);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(JsonNode) parsed = NULL;
      JsonNode *container = current;
      JsonNode *member;

      if (node_is_string (current))
        {
          parsed = json_from_string (json_node_get_string (current), NULL);
          container = parsed;
        }

      if (container == NULL || !JSON_NODE_HOLDS_OBJECT (container))
        return NULL;

      member = json_object_get_member (json_node_get_object (container), parts[i]);
      if (member == NULL)
        return NULL;

      g_clear_pointer (&current, json_node_unref);
      current = json_node_copy (member);
    }

  return g_steal_pointer (&current);
}

static gboolean
node_is_null (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

static gboolean
values_equal (JsonNode *a,
              JsonNode *b)
{
  if (node_is_null (a) || node_is_null (b))
    return node_is_null (a) && node_is_null (b);

  if (node_is_number (a) && node_is_number (b))
    {
      if (node_is_int (a) && node_is_int (b))
        return json_node_get_int (a) == json_node_get_int (b);
      return json_node_get_double (a) == json_node_get_double (b);
    }

  if (JSON_NODE_HOLDS_VALUE (a) && JSON_NODE_HOLDS_VALUE (b) &&
      json_node_get_value_type (a) != json_node_get_value_type (b))
    return FALSE;

  return json_node_equal (a, b);
}

/* Orders numbers with numbers and strings with strings; FALSE otherwise. */
static gboolean
values_compare (JsonNode *a,
                JsonNode *b,
                int      *result)
{
  if (node_is_number (a) && node_is_number (b))
    {
      if (node_is_int (a) && node_is_int (b))
        {
          gint64 x = json_node_get_int (a), y = json_node_get_int (b);
          *result = (x > y) - (x < y);
        }
      else
        {
          double x = json_node_get_double (a), y = json_node_get_double (b);
          *result = (x > y) - (x < y);
        }
      return TRUE;
    }

  if (node_is_string (a) && node_is_string (b))
    {
      int cmp = strcmp (json_node_get_string (a), json_node_get_string (b));
      *result = (cmp > 0) - (cmp < 0);
      return TRUE;
    }

  return FALSE;
}

static gboolean
value_is_empty (JsonNode *node)
{
  if (node_is_null (node))
    return TRUE;
  if (node_is_string (node))
    return *json_node_get_string (node) == '\0';
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_array_get_length (json_node_get_array (node)) == 0;
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_object_get_size (json_node_get_object (node)) == 0;
  return FALSE;
}

static gboolean
value_in_list (JsonNode  *value,
               JsonArray *list)
{
  for (guint i = 0; i < json_array_get_length (list); i++)
    if (values_equal (value, json_array_get_element (list, i)))
      return TRUE;
  return FALSE;
}

static gboolean
condition_holds (JsonObject *step,
                 JsonObject *record)
{
  const char *op = member_string (step, "op");
  JsonNode *value = json_object_get_member (step, "value");
  g_autoptr(JsonNode) field = record_lookup (record, member_string (step, "field"));
  int cmp;

  if (g_str_equal (op, "empty"))
    return value_is_empty (field);
  if (g_str_equal (op, "not_empty"))
    return !value_is_empty (field);
  if (g_str_equal (op, "=="))
    return values_equal (field, value);
  if (g_str_equal (op, "!="))
    return !values_equal (field, value);

  if (g_str_equal (op, "in"))
    {
      JsonArray *list = json_node_get_array (value);

      if (field != NULL && JSON_NODE_HOLDS_ARRAY (field))
        {
          JsonArray *items = json_node_get_array (field);

          for (guint i = 0; i < json_array_get_length (items); i++)
            if (value_in_list (json_array_get_element (items, i), list))
              return TRUE;
          return FALSE;
        }

      return value_in_list (field, list);
    }

  if (!values_compare (field, value, &cmp))
    return FALSE;

  if (g_str_equal (op, ">"))
    return cmp > 0;
  if (g_str_equal (op, ">="))
    return cmp >= 0;
  if (g_str_equal (op, "<"))
    return cmp < 0;
  return cmp <= 0;
}

/* Resolution */

static gboolean
user_enabled (const KehuApprovalDirectory *directory,
              const char                  *user_id)
{
  return directory->user_enabled (directory->user_data, user_id);
}

static char *
administrator (const KehuApprovalDirectory *directory)
{
  char *admin;

  if (directory->administrator == NULL)
    return NULL;

  admin = directory->administrator (directory->user_data);
  if (admin != NULL && (*admin == '\0' || !user_enabled (directory, admin)))
    g_clear_pointer (&admin, g_free);

  return admin;
}

/* The rule (see the header): n links up, or the highest supervisor when the
 * chain is shorter; past a disabled one to the first enabled above it; the
 * administrator when there is nobody. A cycle in the data ends the walk.
 */
static char *
resolve_supervisor (const KehuApprovalDirectory *directory,
                    const char                  *submitter,
                    gint64                       levels)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  char *found = NULL;

  g_hash_table_add (seen, g_strdup (submitter));

  for (gint64 level = 0; level < levels; level++)
    {
      char *next = directory->supervisor_of (directory->user_data,
                                             found != NULL ? found : submitter);

      if (next == NULL || *next == '\0' || g_hash_table_contains (seen, next))
        {
          g_free (next);
          break;
        }
      g_hash_table_add (seen, g_strdup (next));
      g_free (found);
      found = next;
    }

  while (found != NULL && !user_enabled (directory, found))
    {
      char *next = directory->supervisor_of (directory->user_data, found);

      g_clear_pointer (&found, g_free);
      if (next == NULL || *next == '\0' || g_hash_table_contains (seen, next) ||
          g_hash_table_size (seen) > MAX_CHAIN)
        {
          g_free (next);
          break;
        }
      g_hash_table_add (seen, g_strdup (next));
      found = next;
    }

  if (found == NULL)
    found = administrator (directory);

  return found;
}

/* The enabled users an approver spec names, without the submitter (noted in
 * *had_submitter) and without duplicates, in the directory's order.
 */
static GPtrArray *
resolve_approver (JsonObject                  *spec,
                  const char                  *submitter,
                  const KehuApprovalDirectory *directory,
                  gboolean                    *had_submitter)
{
  GPtrArray *users = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) candidates = NULL;
  const char *user = member_string (spec, "user");
  const char *role = member_string (spec, "role");

  *had_submitter = FALSE;

  if (user != NULL)
    {
      candidates = g_new0 (char *, 2);
      candidates[0] = g_strdup (user);
    }
  else if (role != NULL)
    {
      candidates = directory->users_with_role (directory->user_data, role);
    }
  else
    {
      candidates = g_new0 (char *, 2);
      candidates[0] = resolve_supervisor (directory, submitter,
                                          json_object_get_int_member (spec, "supervisor"));
    }

  for (guint i = 0; candidates != NULL && candidates[i] != NULL; i++)
    {
      const char *candidate = candidates[i];

      if (*candidate == '\0')
        continue;
      if (g_str_equal (candidate, submitter))
        {
          *had_submitter = TRUE;
          continue;
        }
      if (!user_enabled (directory, candidate) || ptr_array_has_str (users, candidate))
        continue;
      g_ptr_array_add (users, g_strdup (candidate));
    }

  return users;
}

static Slot *
slot_new (JsonNode  *approver,
          GPtrArray *users)
{
  Slot *slot = g_new0 (Slot, 1);

  slot->approver = json_node_copy (approver);
  slot->users = users;

  return slot;
}

static gboolean resolve_steps (Resolver    *r,
                               JsonArray   *steps,
                               const char  *prefix,
                               GError     **error);

static gboolean
resolve_step (Resolver    *r,
              JsonObject  *step,
              const char  *path,
              GError     **error)
{
  const char *type = member_string (step, "type");
  JsonArray *approvers;
  guint live = 0, submitter_only = 0;

  if (g_str_equal (type, "condition"))
    {
      gboolean holds = condition_holds (step, r->record);
      JsonArray *branch = member_array (step, holds ? "then" : "else");
      g_autofree char *prefix = g_strdup_printf ("%s.%s", path, holds ? "then" : "else");

      return branch == NULL || resolve_steps (r, branch, prefix, error);
    }

  approvers = member_array (step, "approvers");

  if (g_str_equal (type, "serial"))
    {
      for (guint i = 0; i < json_array_get_length (approvers); i++)
        {
          JsonNode *spec = json_array_get_element (approvers, i);
          g_autofree char *key = g_strdup_printf ("%s/%u", path, i);
          Stage *stage = stage_new (key, FALSE);
          gboolean had_submitter;
          GPtrArray *users = resolve_approver (json_node_get_object (spec), r->submitter,
                                               r->directory, &had_submitter);

          if (users->len > 0)
            live++;
          else if (had_submitter)
            {
              submitter_only++;
              stage_set_status (stage, "skipped", "submitter");
            }
          else
            stage_set_status (stage, "skipped", "unavailable");

          g_ptr_array_add (stage->slots, slot_new (spec, users));
          g_ptr_array_add (r->stages, stage);
        }
    }
  else
    {
      Stage *stage = stage_new (path, g_strcmp0 (member_string (step, "mode"), "any") == 0);

      for (guint i = 0; i < json_array_get_length (approvers); i++)
        {
          JsonNode *spec = json_array_get_element (approvers, i);
          gboolean had_submitter;
          GPtrArray *users = resolve_approver (json_node_get_object (spec), r->submitter,
                                               r->directory, &had_submitter);

          if (users->len > 0)
            live++;
          else if (had_submitter)
            submitter_only++;
          g_ptr_array_add (stage->slots, slot_new (spec, users));
        }

      if (live == 0 && submitter_only > 0)
        stage_set_status (stage, "skipped", "submitter");
      g_ptr_array_add (r->stages, stage);
    }

  if (live == 0 && submitter_only == 0)
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_NO_APPROVERS,
                   _("Step %s has no approver: every approver it names is disabled, unknown or missing"),
                   path);
      return FALSE;
    }

  return TRUE;
}

static gboolean
resolve_steps (Resolver    *r,
               JsonArray   *steps,
               const char  *prefix,
               GError     **error)
{
  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      g_autofree char *path = prefix != NULL ? g_strdup_printf ("%s.%u", prefix, i + 1)
                                             : g_strdup_printf ("%u", i + 1);

      if (!resolve_step (r, json_node_get_object (json_array_get_element (steps, i)), path, error))
        return FALSE;
    }

  return TRUE;
}

static GPtrArray *
resolve_flow (JsonObject                   *flow,
              JsonObject                   *record,
              const char                   *submitter,
              const KehuApprovalDirectory  *directory,
              GError                      **error)
{
  g_autoptr(GPtrArray) stages = g_ptr_array_new_with_free_func ((GDestroyNotify) stage_free);
  Resolver r = { record, submitter, directory, stages };

  if (!resolve_steps (&r, member_array (flow, "steps"), NULL, error))
    return NULL;

  if (stages->len == 0)
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_NO_APPROVERS,
                   _("The approval flow has no step for this record"));
      return NULL;
    }

  return g_steal_pointer (&stages);
}

static GPtrArray *
resolve_copy_to (JsonObject                  *flow,
                 const char                  *submitter,
                 const KehuApprovalDirectory *directory)
{
  GPtrArray *result = g_ptr_array_new_with_free_func (g_free);
  JsonArray *list = member_array (flow, "copy_to");

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      gboolean had_submitter;
      g_autoptr(GPtrArray) users =
        resolve_approver (json_array_get_object_element (list, i), submitter, directory, &had_submitter);

      for (guint j = 0; j < users->len; j++)
        if (!ptr_array_has_str (result, g_ptr_array_index (users, j)))
          g_ptr_array_add (result, g_strdup (g_ptr_array_index (users, j)));
    }

  return result;
}

/* Progress */

static void
history_add (Instance   *inst,
             const char *at,
             const char *actor,
             const char *action,
             const char *comment,
             const char *stage,
             const char *target,
             const char *reason)
{
  JsonObject *entry = json_object_new ();

  json_object_set_int_member (entry, "round", inst->round);
  json_object_set_string_member (entry, "at", at);
  if (actor != NULL)
    json_object_set_string_member (entry, "actor", actor);
  else
    json_object_set_null_member (entry, "actor");
  json_object_set_string_member (entry, "action", action);
  if (comment != NULL)
    json_object_set_string_member (entry, "comment", comment);
  else
    json_object_set_null_member (entry, "comment");
  if (stage != NULL)
    json_object_set_string_member (entry, "stage", stage);
  else
    json_object_set_null_member (entry, "stage");
  if (target != NULL)
    json_object_set_string_member (entry, "target", target);
  if (reason != NULL)
    json_object_set_string_member (entry, "reason", reason);

  json_array_add_object_element (inst->history, entry);
}

static void
history_add_skips (Instance   *inst,
                   const char *at)
{
  for (guint i = 0; i < inst->stages->len; i++)
    {
      Stage *stage = g_ptr_array_index (inst->stages, i);

      if (g_str_equal (stage->status, "skipped"))
        history_add (inst, at, NULL, "skip", NULL, stage->key, NULL, stage->reason);
    }
}

/* Moves `current` to the first stage still pending; none left = approved. */
static void
instance_advance (Instance *inst)
{
  while (inst->current < inst->stages->len)
    {
      Stage *stage = g_ptr_array_index (inst->stages, inst->current);

      if (g_str_equal (stage->status, "pending"))
        return;
      inst->current++;
    }

  inst->status = KEHU_APPROVAL_STATUS_APPROVED;
}

static GPtrArray *
instance_waiting (Instance *inst)
{
  GPtrArray *waiting = g_ptr_array_new_with_free_func (g_free);
  Stage *stage;

  if (inst->status != KEHU_APPROVAL_STATUS_PENDING || inst->current >= inst->stages->len)
    return waiting;

  stage = g_ptr_array_index (inst->stages, inst->current);
  for (guint i = 0; i < stage->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (stage->slots, i);

      if (slot->decision != NULL)
        continue;
      for (guint j = 0; j < slot->users->len; j++)
        if (!ptr_array_has_str (waiting, g_ptr_array_index (slot->users, j)))
          g_ptr_array_add (waiting, g_strdup (g_ptr_array_index (slot->users, j)));
    }

  return waiting;
}

/* Serialisation */

static JsonNode *
string_array_node (GPtrArray *strings)
{
  JsonArray *array = json_array_sized_new (strings->len);
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < strings->len; i++)
    json_array_add_string_element (array, g_ptr_array_index (strings, i));
  json_node_take_array (node, array);

  return node;
}

static void
set_string_or_null (JsonObject *object,
                    const char *name,
                    const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

static JsonNode *
instance_to_json (Instance *inst)
{
  JsonObject *root = json_object_new ();
  JsonArray *stages = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GPtrArray) waiting = instance_waiting (inst);

  json_object_set_int_member (root, "version", STATE_VERSION);
  json_object_set_string_member (root, "status", kehu_approval_status_to_string (inst->status));
  json_object_set_string_member (root, "submitter", inst->submitter);
  json_object_set_int_member (root, "round", inst->round);
  json_object_set_int_member (root, "current", inst->current);
  json_object_set_member (root, "waiting", string_array_node (waiting));
  json_object_set_member (root, "copy_to", string_array_node (inst->copy_to));
  set_string_or_null (root, "resume_from", inst->resume_from);

  for (guint i = 0; i < inst->stages->len; i++)
    {
      Stage *stage = g_ptr_array_index (inst->stages, i);
      JsonObject *object = json_object_new ();
      JsonArray *slots = json_array_new ();

      json_object_set_string_member (object, "key", stage->key);
      json_object_set_string_member (object, "mode", stage->any ? "any" : "all");
      json_object_set_string_member (object, "status", stage->status);
      if (stage->reason != NULL)
        json_object_set_string_member (object, "reason", stage->reason);

      for (guint j = 0; j < stage->slots->len; j++)
        {
          Slot *slot = g_ptr_array_index (stage->slots, j);
          JsonObject *s = json_object_new ();

          json_object_set_member (s, "approver", json_node_copy (slot->approver));
          json_object_set_member (s, "users", string_array_node (slot->users));
          set_string_or_null (s, "decision", slot->decision);
          if (slot->decision != NULL)
            {
              json_object_set_string_member (s, "by", slot->by);
              json_object_set_string_member (s, "at", slot->at);
              set_string_or_null (s, "comment", slot->comment);
            }
          json_array_add_object_element (slots, s);
        }

      json_object_set_array_member (object, "slots", slots);
      json_array_add_object_element (stages, object);
    }

  json_object_set_array_member (root, "stages", stages);
  json_object_set_array_member (root, "history", json_array_ref (inst->history));
  json_node_take_object (node, root);

  return node;
}

static gboolean
damaged (GError     **error,
         const char  *what)
{
  /* Translators: %s names the part of the stored state, in English. */
  g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_STATE,
               _("The approval state is damaged (%s)"), what);
  return FALSE;
}

static gboolean
read_string_array (JsonArray  *array,
                   GPtrArray  *into)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!node_is_string (element))
        return FALSE;
      g_ptr_array_add (into, g_strdup (json_node_get_string (element)));
    }
  return TRUE;
}

static gboolean
read_stage (JsonNode  *node,
            Stage    **out,
            GError   **error)
{
  g_autoptr(GPtrArray) holder = g_ptr_array_new_with_free_func ((GDestroyNotify) stage_free);
  JsonObject *object;
  const char *key, *mode, *status;
  JsonArray *slots;
  Stage *stage;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return damaged (error, "stages");
  object = json_node_get_object (node);
  key = member_string (object, "key");
  mode = member_string (object, "mode");
  status = member_string (object, "status");
  slots = member_array (object, "slots");

  if (key == NULL || slots == NULL ||
      !is_one_of (mode, (const char * const []) { "all", "any", NULL }) ||
      !is_one_of (status, (const char * const []) { "pending", "approved", "rejected",
                                                    "skipped", "withdrawn", NULL }))
    return damaged (error, "stages");

  stage = stage_new (key, g_str_equal (mode, "any"));
  g_ptr_array_add (holder, stage);
  stage_set_status (stage, status, member_string (object, "reason"));

  for (guint i = 0; i < json_array_get_length (slots); i++)
    {
      JsonNode *element = json_array_get_element (slots, i);
      JsonObject *s = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      JsonNode *approver = object_member (s, "approver");
      JsonArray *users = member_array (s, "users");
      const char *decision = member_string (s, "decision");
      Slot *slot;

      if (approver == NULL || !JSON_NODE_HOLDS_OBJECT (approver) || users == NULL ||
          (decision != NULL && !is_one_of (decision, (const char * const []) { "approve", "reject", NULL })))
        return damaged (error, "slots");

      slot = slot_new (approver, g_ptr_array_new_with_free_func (g_free));
      g_ptr_array_add (stage->slots, slot);
      if (!read_string_array (users, slot->users))
        return damaged (error, "users");
      slot->decision = g_strdup (decision);
      slot->by = g_strdup (member_string (s, "by"));
      slot->at = g_strdup (member_string (s, "at"));
      slot->comment = g_strdup (member_string (s, "comment"));
    }

  *out = g_ptr_array_steal_index (holder, 0);
  return TRUE;
}

static Instance *
instance_from_json (JsonNode  *state,
                    GError   **error)
{
  g_autoptr(Instance) inst = instance_new ();
  JsonObject *root;
  JsonNode *version, *round, *current, *resume;
  JsonArray *stages, *copy_to, *history;
  const char *submitter;

  if (state == NULL || !JSON_NODE_HOLDS_OBJECT (state))
    {
      damaged (error, "not an object");
      return NULL;
    }
  root = json_node_get_object (state);

  version = json_object_get_member (root, "version");
  if (!node_is_int (version) || json_node_get_int (version) != STATE_VERSION)
    {
      damaged (error, "version");
      return NULL;
    }

  if (!kehu_approval_status_from_string (member_string (root, "status"), &inst->status))
    {
      damaged (error, "status");
      return NULL;
    }

  submitter = member_string (root, "submitter");
  if (submitter == NULL || *submitter == '\0')
    {
      damaged (error, "submitter");
      return NULL;
    }
  inst->submitter = g_strdup (submitter);

  round = json_object_get_member (root, "round");
  current = json_object_get_member (root, "current");
  if (!node_is_int (round) || json_node_get_int (round) < 1)
    {
      damaged (error, "round");
      return NULL;
    }
  inst->round = json_node_get_int (round);

  resume = json_object_get_member (root, "resume_from");
  if (resume != NULL && !node_is_null (resume) && !node_is_string (resume))
    {
      damaged (error, "resume_from");
      return NULL;
    }
  inst->resume_from = g_strdup (node_is_string (resume) ? json_node_get_string (resume) : NULL);

  stages = member_array (root, "stages");
  copy_to = member_array (root, "copy_to");
  history = member_array (root, "history");
  if (stages == NULL)
    {
      damaged (error, "stages");
      return NULL;
    }
  if (copy_to == NULL || !read_string_array (copy_to, inst->copy_to))
    {
      damaged (error, "copy_to");
      return NULL;
    }
  if (history == NULL)
    {
      damaged (error, "history");
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (stages); i++)
    {
      Stage *stage = NULL;

      if (!read_stage (json_array_get_element (stages, i), &stage, error))
        return NULL;
      g_ptr_array_add (inst->stages, stage);
    }

  if (!node_is_int (current) || json_node_get_int (current) < 0 ||
      json_node_get_int (current) > inst->stages->len ||
      (inst->status == KEHU_APPROVAL_STATUS_PENDING &&
       json_node_get_int (current) == inst->stages->len))
    {
      damaged (error, "current");
      return NULL;
    }
  inst->current = json_node_get_int (current);

  /* The history is copied: the caller's state stays untouched. */
  for (guint i = 0; i < json_array_get_length (history); i++)
    json_array_add_element (inst->history, json_node_copy (json_array_get_element (history, i)));

  return g_steal_pointer (&inst);
}

/* Actions */

static gboolean
check_pending (Instance  *inst,
               GError   **error)
{
  switch (inst->status)
    {
    case KEHU_APPROVAL_STATUS_PENDING:
      return TRUE;
    case KEHU_APPROVAL_STATUS_DRAFT:
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_STATE,
                   _("This approval has not been submitted yet"));
      return FALSE;
    case KEHU_APPROVAL_STATUS_APPROVED:
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_DECIDED,
                   _("This approval has already been approved"));
      return FALSE;
    case KEHU_APPROVAL_STATUS_REJECTED:
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_DECIDED,
                   _("This approval has already been rejected; the submitter can resubmit it"));
      return FALSE;
    case KEHU_APPROVAL_STATUS_WITHDRAWN:
    default:
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_DECIDED,
                   _("This approval has been withdrawn; the submitter can resubmit it"));
      return FALSE;
    }
}

/* The undecided slots of the current stage the actor may decide. */
static GPtrArray *
actor_slots (Instance   *inst,
             const char *actor)
{
  GPtrArray *result = g_ptr_array_new ();
  Stage *stage = g_ptr_array_index (inst->stages, inst->current);

  for (guint i = 0; i < stage->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (stage->slots, i);

      if (slot->decision == NULL && ptr_array_has_str (slot->users, actor))
        g_ptr_array_add (result, slot);
    }

  return result;
}

static gboolean
stage_complete (Stage *stage)
{
  for (guint i = 0; i < stage->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (stage->slots, i);

      if (slot->users->len > 0 && g_strcmp0 (slot->decision, "approve") != 0)
        return FALSE;
    }
  return TRUE;
}

static gboolean
act_decide (Instance            *inst,
            const char          *actor,
            KehuApprovalAction   action,
            const char          *comment,
            const char          *at,
            GError             **error)
{
  Stage *stage = g_ptr_array_index (inst->stages, inst->current);
  g_autoptr(GPtrArray) slots = actor_slots (inst, actor);
  const char *decision = action == KEHU_APPROVAL_ACTION_APPROVE ? "approve" : "reject";

  if (slots->len == 0)
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_NOT_WAITING,
                   _("“%s” is not waiting to act on this approval"), actor);
      return FALSE;
    }

  for (guint i = 0; i < slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (slots, i);

      slot->decision = g_strdup (decision);
      slot->by = g_strdup (actor);
      slot->at = g_strdup (at);
      slot->comment = g_strdup (comment);
    }

  history_add (inst, at, actor, decision, comment, stage->key, NULL, NULL);

  if (action == KEHU_APPROVAL_ACTION_REJECT)
    {
      stage_set_status (stage, "rejected", NULL);
      inst->status = KEHU_APPROVAL_STATUS_REJECTED;
      g_free (inst->resume_from);
      inst->resume_from = g_strdup (stage->key);
      return TRUE;
    }

  if (stage->any || stage_complete (stage))
    {
      stage_set_status (stage, "approved", NULL);
      inst->current++;
      instance_advance (inst);
    }

  return TRUE;
}

static gboolean
act_transfer (Instance                     *inst,
              const char                   *actor,
              const char                   *target,
              const char                   *comment,
              const char                   *at,
              const KehuApprovalDirectory  *directory,
              GError                      **error)
{
  Stage *stage = g_ptr_array_index (inst->stages, inst->current);
  g_autoptr(GPtrArray) slots = actor_slots (inst, actor);
  g_autoptr(GPtrArray) waiting = NULL;

  if (slots->len == 0)
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_NOT_WAITING,
                   _("“%s” is not waiting to act on this approval"), actor);
      return FALSE;
    }

  if (target == NULL || *target == '\0')
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_TARGET,
                   _("Choose the user to transfer this approval to"));
      return FALSE;
    }
  if (g_str_equal (target, actor))
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_TARGET,
                   _("An approval cannot be transferred to yourself"));
      return FALSE;
    }
  if (g_str_equal (target, inst->submitter))
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_TARGET,
                   _("An approval cannot be transferred to its submitter"));
      return FALSE;
    }
  if (!user_enabled (directory, target))
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_TARGET,
                   _("“%s” is not an enabled user"), target);
      return FALSE;
    }
  waiting = instance_waiting (inst);
  if (ptr_array_has_str (waiting, target))
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_TARGET,
                   _("“%s” is already an approver of this step"), target);
      return FALSE;
    }

  for (guint i = 0; i < slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (slots, i);

      g_ptr_array_set_size (slot->users, 0);
      g_ptr_array_add (slot->users, g_strdup (target));
    }

  history_add (inst, at, actor, "transfer", comment, stage->key, target, NULL);
  return TRUE;
}

static gboolean
act_resubmit (Instance                     *inst,
              JsonNode                     *flow,
              JsonNode                     *record,
              const char                   *actor,
              const char                   *comment,
              const char                   *at,
              const KehuApprovalDirectory  *directory,
              GError                      **error)
{
  g_autoptr(GPtrArray) stages = NULL;
  JsonObject *flow_object;
  gboolean keep_approved;

  if (!kehu_approval_flow_validate (flow, NULL, error))
    return FALSE;
  flow_object = json_node_get_object (flow);

  stages = resolve_flow (flow_object, json_node_get_object (record), inst->submitter, directory, error);
  if (stages == NULL)
    return FALSE;

  /* rejected_step: what the previous round approved stays approved, so the
   * first stage that was not (the one that rejected, or was current at the
   * withdrawal) is where the instance resumes. */
  keep_approved = g_strcmp0 (member_string (flow_object, "restart"), "rejected_step") == 0;
  for (guint i = 0; keep_approved && i < stages->len; i++)
    {
      Stage *fresh = g_ptr_array_index (stages, i);

      for (guint j = 0; j < inst->stages->len; j++)
        {
          Stage *old = g_ptr_array_index (inst->stages, j);

          if (g_str_equal (old->key, fresh->key) && g_str_equal (old->status, "approved") &&
              g_str_equal (fresh->status, "pending"))
            {
              g_ptr_array_index (stages, i) = g_ptr_array_steal_index (inst->stages, j);
              stage_free (fresh);
              break;
            }
        }
    }

  g_ptr_array_unref (inst->stages);
  inst->stages = g_steal_pointer (&stages);
  g_ptr_array_unref (inst->copy_to);
  inst->copy_to = resolve_copy_to (flow_object, inst->submitter, directory);
  g_clear_pointer (&inst->resume_from, g_free);
  inst->round++;
  inst->status = KEHU_APPROVAL_STATUS_PENDING;
  inst->current = 0;

  history_add (inst, at, actor, "resubmit", comment, NULL, NULL, NULL);
  history_add_skips (inst, at);
  instance_advance (inst);

  return TRUE;
}

static gboolean
check_record (JsonNode  *record,
              GError   **error)
{
  if (record != NULL && !JSON_NODE_HOLDS_OBJECT (record))
    {
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_RECORD,
                   _("The record under approval must be a JSON object"));
      return FALSE;
    }
  return TRUE;
}

static JsonNode *
empty_object (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

/* Public API */

const char *
kehu_approval_status_to_string (KehuApprovalStatus status)
{
  g_return_val_if_fail (status <= KEHU_APPROVAL_STATUS_WITHDRAWN, NULL);

  return status_names[status];
}

gboolean
kehu_approval_status_from_string (const char         *str,
                                  KehuApprovalStatus *status)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (status_names); i++)
    if (g_str_equal (str, status_names[i]))
      {
        *status = i;
        return TRUE;
      }
  return FALSE;
}

const char *
kehu_approval_action_to_string (KehuApprovalAction action)
{
  g_return_val_if_fail (action <= KEHU_APPROVAL_ACTION_RESUBMIT, NULL);

  return action_names[action];
}

gboolean
kehu_approval_action_from_string (const char         *str,
                                  KehuApprovalAction *action)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (action_names); i++)
    if (g_str_equal (str, action_names[i]))
      {
        *action = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
kehu_approval_start (JsonNode                     *flow,
                     JsonNode                     *record,
                     const char                   *submitter,
                     const KehuApprovalDirectory  *directory,
                     GDateTime                    *now,
                     JsonNode                    **state,
                     GError                      **error)
{
  g_autoptr(Instance) inst = NULL;
  g_autoptr(JsonNode) empty = NULL;
  g_autofree char *at = NULL;
  GPtrArray *stages;

  g_return_val_if_fail (submitter != NULL && *submitter != '\0', FALSE);
  g_return_val_if_fail (directory != NULL, FALSE);
  g_return_val_if_fail (now != NULL, FALSE);
  g_return_val_if_fail (state != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!kehu_approval_flow_validate (flow, NULL, error) || !check_record (record, error))
    return FALSE;

  if (record == NULL)
    record = empty = empty_object ();

  stages = resolve_flow (json_node_get_object (flow), json_node_get_object (record),
                         submitter, directory, error);
  if (stages == NULL)
    return FALSE;

  inst = instance_new ();
  g_ptr_array_unref (inst->stages);
  inst->stages = stages;
  inst->submitter = g_strdup (submitter);
  g_ptr_array_unref (inst->copy_to);
  inst->copy_to = resolve_copy_to (json_node_get_object (flow), submitter, directory);

  at = format_time (now);
  history_add (inst, at, submitter, "submit", NULL, NULL, NULL, NULL);
  history_add_skips (inst, at);
  instance_advance (inst);

  *state = instance_to_json (inst);
  return TRUE;
}

gboolean
kehu_approval_act (JsonNode                     *flow,
                   JsonNode                     *record,
                   JsonNode                     *state,
                   const char                   *actor,
                   KehuApprovalAction            action,
                   const char                   *comment,
                   const char                   *target_user,
                   GDateTime                    *now,
                   const KehuApprovalDirectory  *directory,
                   JsonNode                    **new_state,
                   GError                      **error)
{
  g_autoptr(Instance) inst = NULL;
  g_autoptr(JsonNode) empty = NULL;
  g_autofree char *at = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (actor != NULL && *actor != '\0', FALSE);
  g_return_val_if_fail (now != NULL, FALSE);
  g_return_val_if_fail (directory != NULL, FALSE);
  g_return_val_if_fail (new_state != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  inst = instance_from_json (state, error);
  if (inst == NULL)
    return FALSE;

  at = format_time (now);

  switch (action)
    {
    case KEHU_APPROVAL_ACTION_APPROVE:
    case KEHU_APPROVAL_ACTION_REJECT:
      ok = check_pending (inst, error) &&
           act_decide (inst, actor, action, comment, at, error);
      break;

    case KEHU_APPROVAL_ACTION_TRANSFER:
      ok = check_pending (inst, error) &&
           act_transfer (inst, actor, target_user, comment, at, directory, error);
      break;

    case KEHU_APPROVAL_ACTION_WITHDRAW:
      if (!check_pending (inst, error))
        break;
      if (!g_str_equal (actor, inst->submitter))
        {
          g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_NOT_SUBMITTER,
                       _("Only the submitter can withdraw an approval"));
          break;
        }
      {
        Stage *stage = g_ptr_array_index (inst->stages, inst->current);

        stage_set_status (stage, "withdrawn", NULL);
        inst->status = KEHU_APPROVAL_STATUS_WITHDRAWN;
        g_free (inst->resume_from);
        inst->resume_from = g_strdup (stage->key);
        history_add (inst, at, actor, "withdraw", comment, stage->key, NULL, NULL);
        ok = TRUE;
      }
      break;

    case KEHU_APPROVAL_ACTION_RESUBMIT:
      if (inst->status == KEHU_APPROVAL_STATUS_PENDING)
        {
          g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_STILL_PENDING,
                       _("This approval is still pending; withdraw it before resubmitting"));
          break;
        }
      if (inst->status != KEHU_APPROVAL_STATUS_REJECTED &&
          inst->status != KEHU_APPROVAL_STATUS_WITHDRAWN)
        {
          check_pending (inst, error);
          break;
        }
      if (!g_str_equal (actor, inst->submitter))
        {
          g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_NOT_SUBMITTER,
                       _("Only the submitter can resubmit an approval"));
          break;
        }
      if (!check_record (record, error))
        break;
      if (record == NULL)
        record = empty = empty_object ();
      ok = act_resubmit (inst, flow, record, actor, comment, at, directory, error);
      break;

    default:
      g_set_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_ACTION,
                   _("Unknown approval action"));
      break;
    }

  if (!ok)
    return FALSE;

  *new_state = instance_to_json (inst);
  return TRUE;
}

KehuApprovalStatus
kehu_approval_get_status (JsonNode *state)
{
  KehuApprovalStatus status = KEHU_APPROVAL_STATUS_DRAFT;

  if (state != NULL && JSON_NODE_HOLDS_OBJECT (state))
    kehu_approval_status_from_string (member_string (json_node_get_object (state), "status"), &status);

  return status;
}

static char **
state_string_list (JsonNode   *state,
                   const char *name)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array = NULL;

  if (state != NULL && JSON_NODE_HOLDS_OBJECT (state))
    array = member_array (json_node_get_object (state), name);

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (node_is_string (element))
        g_strv_builder_add (builder, json_node_get_string (element));
    }

  return g_strv_builder_end (builder);
}

char **
kehu_approval_get_waiting (JsonNode *state)
{
  return state_string_list (state, "waiting");
}

char **
kehu_approval_get_copy_to (JsonNode *state)
{
  return state_string_list (state, "copy_to");
}

gboolean
kehu_approval_is_waiting (JsonNode   *state,
                          const char *user_id)
{
  g_auto(GStrv) waiting = kehu_approval_get_waiting (state);

  g_return_val_if_fail (user_id != NULL, FALSE);

  return g_strv_contains ((const char * const *) waiting, user_id);
}
