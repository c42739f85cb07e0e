/* kehu-targets-editor.c: sales targets by month (销售目标, SPEC §12)
 *
 * For the company, a department or a person, a year and a metric (contract
 * amount, payment amount, new customers): twelve months of targets, money
 * typed in yuan, each beside what was achieved (from the records, through
 * kehu_report_target_completion) and the completion. Next to the grid, in
 * words, every place where the parts do not add up to the whole
 * (kehu_report_targets_check): a department's target against its
 * sub-departments and people, the company's against its departments.
 *
 * Targets are few small rows: they are read and written on the main
 * thread's store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-views"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "kehu-targets-editor.h"
#include "kehu-view-util.h"

typedef struct
{
  KehuTargetScope  scope;
  char            *id;
} ScopeChoice;

struct _KehuTargetsEditor
{
  GtkWidget         parent_instance;

  KehuStore        *store;
  GDateTime        *now;
  KehuTargetScope   scope;
  char             *scope_id;
  int               year;
  KehuTargetMetric  metric;
  GArray           *choices;       /* ScopeChoice */
  gboolean          loading;

  GtkWidget        *scroll;
  GtkDropDown      *scope_dropdown;
  GtkSpinButton    *year_spin;
  GtkDropDown      *metric_dropdown;
  GtkEditable      *entries[12];
  GtkLabel         *actuals[12];
  GtkLabel         *completions[12];
  GtkLabel         *check;
  GtkLabel         *status;
};

G_DEFINE_FINAL_TYPE (KehuTargetsEditor, kehu_targets_editor, GTK_TYPE_WIDGET)

static const char * const metric_members[] = { "contract_amount", "payment_amount", "new_customers" };

static void
choice_clear (gpointer p)
{
  g_free (((ScopeChoice *) p)->id);
}

static gboolean
metric_is_money (KehuTargetMetric metric)
{
  return metric != KEHU_TARGET_NEW_CUSTOMERS;
}

static char *
format_target_value (KehuTargetMetric metric,
                     gint64           value)
{
  return metric_is_money (metric) ? kehu_view_format_money_exact (value) : kehu_view_format_count (value);
}

static const char *
metric_title (const char *member)
{
  if (g_strcmp0 (member, "contract_amount") == 0)
    return _("contract amount");
  if (g_strcmp0 (member, "payment_amount") == 0)
    return _("payment amount");
  return _("new customers");
}

static void
load_scopes (KehuTargetsEditor *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  ScopeChoice company = { KEHU_TARGET_COMPANY, NULL };
  sqlite3_stmt *stmt = NULL;

  g_array_set_size (self->choices, 0);
  gtk_string_list_append (names, _("The Company"));
  g_array_append_val (self->choices, company);
  if (self->store != NULL)
    {
      sqlite3 *db = kehu_store_get_db (self->store);

      if (sqlite3_prepare_v2 (db, "SELECT id, name FROM departments WHERE deleted_at IS NULL ORDER BY position, name, id",
                              -1, &stmt, NULL) == SQLITE_OK)
        while (sqlite3_step (stmt) == SQLITE_ROW)
          {
            ScopeChoice c = { KEHU_TARGET_DEPARTMENT, g_strdup ((const char *) sqlite3_column_text (stmt, 0)) };
            g_autofree char *label = g_strdup_printf (_("Department: %s"), (const char *) sqlite3_column_text (stmt, 1));

            gtk_string_list_append (names, label);
            g_array_append_val (self->choices, c);
          }
      sqlite3_finalize (stmt);
      stmt = NULL;
      if (sqlite3_prepare_v2 (db, "SELECT id, name FROM users WHERE deleted_at IS NULL ORDER BY name, id",
                              -1, &stmt, NULL) == SQLITE_OK)
        while (sqlite3_step (stmt) == SQLITE_ROW)
          {
            ScopeChoice c = { KEHU_TARGET_USER, g_strdup ((const char *) sqlite3_column_text (stmt, 0)) };

            gtk_string_list_append (names, (const char *) sqlite3_column_text (stmt, 1));
            g_array_append_val (self->choices, c);
          }
      sqlite3_finalize (stmt);
    }
  self->loading = TRUE;
  gtk_drop_down_set_model (self->scope_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->scope_dropdown, 0);
  for (guint i = 0; i < self->choices->len; i++)
    {
      ScopeChoice *c = &g_array_index (self->choices, ScopeChoice, i);
      if (c->scope == self->scope && g_strcmp0 (c->id, self->scope_id) == 0)
        gtk_drop_down_set_selected (self->scope_dropdown, i);
    }
  self->loading = FALSE;
}

static void
show_check (KehuTargetsEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) check = kehu_report_targets_check (self->store, self->year, &error);
  g_autoptr(GString) text = g_string_new (NULL);
  JsonArray *mismatches;
  guint n;

  if (check == NULL)
    {
      gtk_label_set_label (self->check, error->message);
      return;
    }
  mismatches = json_object_get_array_member (json_node_get_object (check), "mismatches");
  n = json_array_get_length (mismatches);
  if (n == 0)
    {
      gtk_label_set_label (self->check, _("The targets add up: every department’s target is the sum of its "
                                          "sub-departments’ and people’s, and the company’s the sum of its departments’."));
      return;
    }
  for (guint i = 0; i < n && i < 12; i++)
    {
      JsonObject *m = json_array_get_object_element (mismatches, i);
      const char *scope = json_object_get_string_member (m, "scope");
      const char *member = json_object_get_string_member (m, "metric");
      KehuTargetMetric metric = g_str_equal (member, "contract_amount") ? KEHU_TARGET_CONTRACT_AMOUNT
                              : g_str_equal (member, "payment_amount") ? KEHU_TARGET_PAYMENT_AMOUNT
                              : KEHU_TARGET_NEW_CUSTOMERS;
      g_autofree char *target = format_target_value (metric, json_object_get_int_member (m, "target"));
      g_autofree char *parts = format_target_value (metric, json_object_get_int_member (m, "parts_sum"));
      const char *name = g_str_equal (scope, "company") ? _("The company")
                                                        : json_object_get_string_member_with_default (m, "name", "");
      g_autofree char *sentence = NULL;

      /* TRANSLATORS: "Sales Dept, 2026-03, contract amount: the target is ¥100,000.00 but its parts add up to ¥90,000.00." */
      sentence = g_strdup_printf (_("%s, %d-%02d, %s: the target is %s but its parts add up to %s."),
                                  name, (int) json_object_get_int_member (m, "year"),
                                  (int) json_object_get_int_member (m, "month"),
                                  metric_title (member), target, parts);
      g_string_append_printf (text, "• %s\n", sentence);
    }
  if (n > 12)
    g_string_append_printf (text, ngettext ("…and %u more.", "…and %u more.", n - 12), n - 12);
  gtk_label_set_label (self->check, g_strstrip (text->str));
}

static void
show_completion (KehuTargetsEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr(JsonNode) completion = NULL;
  JsonArray *rows;

  completion = kehu_report_target_completion (self->store, self->scope, self->scope_id, self->year,
                                              tz, NULL, &error);
  if (completion == NULL)
    {
      gtk_label_set_label (self->status, error->message);
      return;
    }
  rows = json_object_get_array_member (json_node_get_object (completion), "rows");
  for (guint i = 0; i < 12; i++)
    {
      JsonObject *row = i < json_array_get_length (rows) ? json_array_get_object_element (rows, i) : NULL;
      JsonObject *figure = row ? json_object_get_object_member (row, metric_members[self->metric]) : NULL;
      g_autofree char *actual = NULL, *percent = NULL;

      if (figure == NULL)
        continue;
      actual = format_target_value (self->metric, json_object_get_int_member (figure, "value"));
      percent = kehu_view_format_basis_points (json_object_get_member (figure, "completion_bp"));
      gtk_label_set_label (self->actuals[i], actual);
      gtk_label_set_label (self->completions[i], percent);
    }
}

static void
show_targets (KehuTargetsEditor *self)
{
  for (int month = 1; month <= 12; month++)
    {
      g_autoptr(GError) error = NULL;
      gint64 value = 0;
      gboolean is_set = FALSE;
      g_autofree char *text = NULL;

      if (!kehu_report_target_get (self->store, self->scope, self->scope_id, self->year, month,
                                   self->metric, &value, &is_set, &error))
        {
          gtk_label_set_label (self->status, error->message);
          return;
        }
      if (is_set)
        text = metric_is_money (self->metric)
               ? g_strdup_printf ("%" G_GINT64_FORMAT ".%02d", value / 100, (int) (value % 100))
               : g_strdup_printf ("%" G_GINT64_FORMAT, value);
      gtk_editable_set_text (self->entries[month - 1], text ? text : "");
    }
}

static void
on_selection_changed_cb (KehuTargetsEditor *self)
{
  guint i = gtk_drop_down_get_selected (self->scope_dropdown);
  ScopeChoice *c;

  if (self->loading || i >= self->choices->len)
    return;
  c = &g_array_index (self->choices, ScopeChoice, i);
  kehu_targets_editor_show (self, c->scope, c->id, gtk_spin_button_get_value_as_int (self->year_spin),
                            (KehuTargetMetric) gtk_drop_down_get_selected (self->metric_dropdown));
}

static void
on_save_clicked_cb (KehuTargetsEditor *self)
{
  g_autoptr(GError) error = NULL;

  if (!kehu_targets_editor_save (self, &error))
    gtk_label_set_label (self->status, error->message);
  else
    gtk_label_set_label (self->status, _("Saved."));
}

static void
kehu_targets_editor_dispose (GObject *object)
{
  KehuTargetsEditor *self = KEHU_TARGETS_EDITOR (object);

  g_clear_pointer (&self->scroll, gtk_widget_unparent);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (kehu_targets_editor_parent_class)->dispose (object);
}

static void
kehu_targets_editor_finalize (GObject *object)
{
  KehuTargetsEditor *self = KEHU_TARGETS_EDITOR (object);

  g_free (self->scope_id);
  g_clear_pointer (&self->now, g_date_time_unref);
  g_array_unref (self->choices);
  G_OBJECT_CLASS (kehu_targets_editor_parent_class)->finalize (object);
}

static void
kehu_targets_editor_class_init (KehuTargetsEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kehu_targets_editor_dispose;
  object_class->finalize = kehu_targets_editor_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static GtkWidget *
header_label (const char *text,
              float       xalign)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  gtk_widget_add_css_class (label, "heading");
  return label;
}

static void
kehu_targets_editor_init (KehuTargetsEditor *self)
{
  GtkWidget *box, *bar, *body, *grid, *save, *check_box, *check_title;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  const char *metrics[] = { _("Contract Amount"), _("Payment Amount"), _("New Customers"), NULL };

  self->choices = g_array_new (FALSE, TRUE, sizeof (ScopeChoice));
  g_array_set_clear_func (self->choices, choice_clear);
  self->year = g_date_time_get_year (now);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);

  bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->scope_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->scope_dropdown), _("Whose targets"));
  self->year_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (2000, 2200, 1));
  gtk_spin_button_set_value (self->year_spin, self->year);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->year_spin), _("Year"));
  self->metric_dropdown = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (metrics));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->metric_dropdown), _("Target metric"));
  save = gtk_button_new_with_mnemonic (_("_Save Targets"));
  gtk_widget_add_css_class (save, "suggested-action");
  g_signal_connect_object (save, "clicked", G_CALLBACK (on_save_clicked_cb), self, G_CONNECT_SWAPPED);
  self->status = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_ellipsize (self->status, PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (GTK_WIDGET (self->status), TRUE);
  gtk_label_set_xalign (self->status, 0.0f);
  gtk_widget_add_css_class (GTK_WIDGET (self->status), "dim-label");
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->scope_dropdown));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->year_spin));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->metric_dropdown));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->status));
  gtk_box_append (GTK_BOX (bar), save);
  gtk_box_append (GTK_BOX (box), bar);

  body = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (body), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (body), 2);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (body), 18);

  grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_widget_set_valign (grid, GTK_ALIGN_START);
  gtk_grid_attach (GTK_GRID (grid), header_label (_("Month"), 0.0f), 0, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), header_label (_("Target"), 0.0f), 1, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), header_label (_("Achieved"), 1.0f), 2, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), header_label (_("Completion"), 1.0f), 3, 0, 1, 1);
  for (int m = 0; m < 12; m++)
    {
      g_autofree char *month = g_strdup_printf ("%02d", m + 1);
      GtkWidget *label = gtk_label_new (month);
      GtkWidget *entry = gtk_entry_new ();
      GtkWidget *actual = gtk_label_new ("");
      GtkWidget *completion = gtk_label_new ("");

      gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
      gtk_entry_set_alignment (GTK_ENTRY (entry), 1.0f);
      gtk_editable_set_width_chars (GTK_EDITABLE (entry), 14);
      gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_NUMBER);
      gtk_label_set_xalign (GTK_LABEL (actual), 1.0f);
      gtk_widget_add_css_class (actual, "numeric");
      gtk_label_set_xalign (GTK_LABEL (completion), 1.0f);
      gtk_widget_add_css_class (completion, "numeric");
      gtk_grid_attach (GTK_GRID (grid), label, 0, m + 1, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), entry, 1, m + 1, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), actual, 2, m + 1, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), completion, 3, m + 1, 1, 1);
      self->entries[m] = GTK_EDITABLE (entry);
      self->actuals[m] = GTK_LABEL (actual);
      self->completions[m] = GTK_LABEL (completion);
    }
  gtk_flow_box_append (GTK_FLOW_BOX (body), grid);

  check_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_valign (check_box, GTK_ALIGN_START);
  gtk_widget_set_size_request (check_box, 260, -1);
  check_title = header_label (_("Do the Parts Add Up?"), 0.0f);
  self->check = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_wrap (self->check, TRUE);
  gtk_label_set_xalign (self->check, 0.0f);
  gtk_label_set_selectable (self->check, TRUE);
  gtk_box_append (GTK_BOX (check_box), check_title);
  gtk_box_append (GTK_BOX (check_box), GTK_WIDGET (self->check));
  gtk_flow_box_append (GTK_FLOW_BOX (body), check_box);
  gtk_box_append (GTK_BOX (box), body);

  self->scroll = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroll), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroll), box);
  gtk_widget_set_parent (self->scroll, GTK_WIDGET (self));

  g_signal_connect_object (self->scope_dropdown, "notify::selected", G_CALLBACK (on_selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->metric_dropdown, "notify::selected", G_CALLBACK (on_selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->year_spin, "value-changed", G_CALLBACK (on_selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
}

GtkWidget *
kehu_targets_editor_new (KehuStore *store)
{
  KehuTargetsEditor *self = g_object_new (KEHU_TYPE_TARGETS_EDITOR, NULL);

  self->store = store ? g_object_ref (store) : NULL;
  load_scopes (self);
  return GTK_WIDGET (self);
}

void
kehu_targets_editor_set_now (KehuTargetsEditor *self,
                             GDateTime         *now)
{
  g_return_if_fail (KEHU_IS_TARGETS_EDITOR (self));

  g_clear_pointer (&self->now, g_date_time_unref);
  self->now = now ? g_date_time_ref (now) : NULL;
  if (now != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (now);
      kehu_targets_editor_show (self, self->scope, self->scope_id, g_date_time_get_year (local), self->metric);
    }
}

void
kehu_targets_editor_show (KehuTargetsEditor *self,
                          KehuTargetScope    scope,
                          const char        *scope_id,
                          int                year,
                          KehuTargetMetric   metric)
{
  g_return_if_fail (KEHU_IS_TARGETS_EDITOR (self));

  self->scope = scope;
  if (g_strcmp0 (self->scope_id, scope_id) != 0)
    {
      g_free (self->scope_id);
      self->scope_id = g_strdup (scope_id);
    }
  self->year = year;
  self->metric = metric;

  self->loading = TRUE;
  for (guint i = 0; i < self->choices->len; i++)
    {
      ScopeChoice *c = &g_array_index (self->choices, ScopeChoice, i);
      if (c->scope == scope && g_strcmp0 (c->id, scope == KEHU_TARGET_COMPANY ? NULL : scope_id) == 0)
        gtk_drop_down_set_selected (self->scope_dropdown, i);
    }
  gtk_spin_button_set_value (self->year_spin, year);
  gtk_drop_down_set_selected (self->metric_dropdown, metric);
  self->loading = FALSE;

  kehu_targets_editor_reload (self);
}

void
kehu_targets_editor_reload (KehuTargetsEditor *self)
{
  g_return_if_fail (KEHU_IS_TARGETS_EDITOR (self));

  if (self->store == NULL)
    return;
  gtk_label_set_label (self->status, "");
  show_targets (self);
  show_completion (self);
  show_check (self);
}

GtkEditable *
kehu_targets_editor_get_entry (KehuTargetsEditor *self,
                               int                month)
{
  g_return_val_if_fail (KEHU_IS_TARGETS_EDITOR (self), NULL);
  g_return_val_if_fail (month >= 1 && month <= 12, NULL);
  return self->entries[month - 1];
}

gboolean
kehu_targets_editor_save (KehuTargetsEditor  *self,
                          GError            **error)
{
  gint64 values[12];

  g_return_val_if_fail (KEHU_IS_TARGETS_EDITOR (self), FALSE);

  if (self->store == NULL)
    {
      g_set_error (error, KEHU_VIEW_ERROR, KEHU_VIEW_ERROR_NO_STORE, _("There is no store to save the targets to"));
      return FALSE;
    }
  for (int m = 0; m < 12; m++)
    {
      const char *text = gtk_editable_get_text (self->entries[m]);
      g_autoptr(GError) local_error = NULL;

      if (metric_is_money (self->metric))
        {
          if (!kehu_view_parse_yuan (text, &values[m], &local_error))
            {
              g_set_error (error, KEHU_VIEW_ERROR, KEHU_VIEW_ERROR_INVALID_AMOUNT,
                           _("Month %d: %s"), m + 1, local_error->message);
              return FALSE;
            }
        }
      else
        {
          guint64 n = 0;
          g_autofree char *stripped = g_strstrip (g_strdup (text));

          if (*stripped != '\0' && !g_ascii_string_to_unsigned (stripped, 10, 0, G_MAXINT32, &n, NULL))
            {
              g_set_error (error, KEHU_VIEW_ERROR, KEHU_VIEW_ERROR_INVALID_AMOUNT,
                           _("Month %d: “%s” is not a number of customers"), m + 1, text);
              return FALSE;
            }
          values[m] = (gint64) n;
        }
    }

  /* Every entry was checked above; each month is its own write. */
  for (int m = 0; m < 12; m++)
    if (!kehu_report_target_set (self->store, self->scope, self->scope_id, self->year, m + 1,
                                 self->metric, values[m], error))
      return FALSE;

  show_completion (self);
  show_check (self);
  return TRUE;
}

const char *
kehu_targets_editor_get_check_text (KehuTargetsEditor *self)
{
  g_return_val_if_fail (KEHU_IS_TARGETS_EDITOR (self), NULL);
  return gtk_label_get_label (self->check);
}

const char *
kehu_targets_editor_get_completion_text (KehuTargetsEditor *self,
                                         int                month)
{
  g_return_val_if_fail (KEHU_IS_TARGETS_EDITOR (self), NULL);
  g_return_val_if_fail (month >= 1 && month <= 12, NULL);
  return gtk_label_get_label (self->completions[month - 1]);
}
