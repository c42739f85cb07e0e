/* kehu-sync-indicator.c: the sync status in the header bar
 *
 * A button with an icon and a short word for the state (local only,
 * offline, online, synced, syncing, failed) and the number of changes waiting to
 * go out; its popover says when the last sync finished and, after a
 * failure, what went wrong in words.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-app"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-app-enums.h"
#include "kehu-sync-indicator.h"

struct _KehuSyncIndicator
{
  GtkWidget      parent_instance;

  GtkMenuButton *button;
  GtkImage      *icon;
  GtkLabel      *label;
  GtkLabel      *status_label;
  GtkLabel      *detail_label;
  GtkLabel      *error_label;

  KehuSyncState  state;
  guint          pending;
  GDateTime     *last_sync;
  char          *error;
  char          *summary;
  guint          received;
  guint          total;
};

G_DEFINE_FINAL_TYPE (KehuSyncIndicator, kehu_sync_indicator, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STATE,
  PROP_PENDING,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static const char *
state_icon (KehuSyncState state)
{
  switch (state)
    {
    case KEHU_SYNC_STATE_LOCAL_ONLY: return "computer-symbolic";
    case KEHU_SYNC_STATE_OFFLINE:    return "network-offline-symbolic";
    case KEHU_SYNC_STATE_ONLINE:     return "network-idle-symbolic";
    case KEHU_SYNC_STATE_IDLE:       return "emblem-ok-symbolic";
    case KEHU_SYNC_STATE_SYNCING:    return "emblem-synchronizing-symbolic";
    case KEHU_SYNC_STATE_ERROR:      return "dialog-warning-symbolic";
    default:                         g_assert_not_reached ();
    }
}

static const char *
state_word (KehuSyncState state)
{
  switch (state)
    {
    case KEHU_SYNC_STATE_LOCAL_ONLY: return _("Local only");
    case KEHU_SYNC_STATE_OFFLINE:    return _("Offline");
    case KEHU_SYNC_STATE_ONLINE:     return _("Online");
    case KEHU_SYNC_STATE_IDLE:       return _("Synced");
    case KEHU_SYNC_STATE_SYNCING:    return _("Syncing…");
    case KEHU_SYNC_STATE_ERROR:      return _("Sync failed");
    default:                         g_assert_not_reached ();
    }
}

static const char *
state_explanation (KehuSyncState state)
{
  switch (state)
    {
    case KEHU_SYNC_STATE_LOCAL_ONLY:
      return _("No server is set up: your records stay on this computer. Add a server address in Preferences to share them with your team.");
    case KEHU_SYNC_STATE_OFFLINE:
      return _("The server cannot be reached. Keep working: your changes are saved here and go out when the network is back.");
    case KEHU_SYNC_STATE_ONLINE:
      return _("The server answers.");
    case KEHU_SYNC_STATE_IDLE:
      return _("Your records are up to date with the server.");
    case KEHU_SYNC_STATE_SYNCING:
      return _("Sending your changes and receiving your team’s.");
    case KEHU_SYNC_STATE_ERROR:
      return _("The last sync did not finish. Kehu will try again.");
    default:
      g_assert_not_reached ();
    }
}

static void
update (KehuSyncIndicator *self)
{
  g_autofree char *detail = NULL;
  g_autofree char *when = NULL;
  g_autofree char *pending = NULL;

  gtk_image_set_from_icon_name (self->icon, state_icon (self->state));

  if (self->pending > 0)
    pending = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%u change to send",
                                            "%u changes to send",
                                            self->pending),
                               self->pending);

  g_free (self->summary);
  /* The first sync of a large account: how far it got. */
  if (self->state == KEHU_SYNC_STATE_SYNCING && self->total > 0)
    self->summary = g_strdup_printf (_("Syncing… %u of about %u records"), self->received, self->total);
  else if (pending != NULL)
    self->summary = g_strdup_printf ("%s · %s", state_word (self->state), pending);
  else
    self->summary = g_strdup (state_word (self->state));

  gtk_label_set_label (self->label, self->summary);
  gtk_label_set_label (self->status_label, state_explanation (self->state));

  if (self->last_sync != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (self->last_sync);
      g_autofree char *time = g_date_time_format (local, "%Y-%m-%d %H:%M");

      when = g_strdup_printf (_("Last sync: %s"), time);
    }

  if (when != NULL && pending != NULL)
    detail = g_strdup_printf ("%s\n%s", when, pending);
  else if (when != NULL || pending != NULL)
    detail = g_strdup (when ? when : pending);

  gtk_label_set_label (self->detail_label, detail ? detail : "");
  gtk_widget_set_visible (GTK_WIDGET (self->detail_label), detail != NULL);

  gtk_label_set_label (self->error_label, self->error ? self->error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label),
                          (self->state == KEHU_SYNC_STATE_ERROR || self->state == KEHU_SYNC_STATE_OFFLINE) &&
                          self->error != NULL);

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), self->summary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->summary,
                                  -1);
}

static void
kehu_sync_indicator_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), KEHU_TYPE_SYNC_INDICATOR);

  G_OBJECT_CLASS (kehu_sync_indicator_parent_class)->dispose (object);
}

static void
kehu_sync_indicator_finalize (GObject *object)
{
  KehuSyncIndicator *self = (KehuSyncIndicator *)object;

  g_clear_pointer (&self->last_sync, g_date_time_unref);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->summary, g_free);

  G_OBJECT_CLASS (kehu_sync_indicator_parent_class)->finalize (object);
}

static void
kehu_sync_indicator_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  KehuSyncIndicator *self = KEHU_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PENDING:
      g_value_set_uint (value, self->pending);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kehu_sync_indicator_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  KehuSyncIndicator *self = KEHU_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_STATE:
      kehu_sync_indicator_set_state (self, g_value_get_enum (value));
      break;
    case PROP_PENDING:
      kehu_sync_indicator_set_pending (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kehu_sync_indicator_class_init (KehuSyncIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kehu_sync_indicator_dispose;
  object_class->finalize = kehu_sync_indicator_finalize;
  object_class->get_property = kehu_sync_indicator_get_property;
  object_class->set_property = kehu_sync_indicator_set_property;

  properties [PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       KEHU_TYPE_SYNC_STATE,
                       KEHU_SYNC_STATE_LOCAL_ONLY,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_PENDING] =
    g_param_spec_uint ("pending", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/kehu/Kehu/ui/kehu-sync-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, KehuSyncIndicator, button);
  gtk_widget_class_bind_template_child (widget_class, KehuSyncIndicator, icon);
  gtk_widget_class_bind_template_child (widget_class, KehuSyncIndicator, label);
  gtk_widget_class_bind_template_child (widget_class, KehuSyncIndicator, status_label);
  gtk_widget_class_bind_template_child (widget_class, KehuSyncIndicator, detail_label);
  gtk_widget_class_bind_template_child (widget_class, KehuSyncIndicator, error_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
kehu_sync_indicator_init (KehuSyncIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);
}

KehuSyncState
kehu_sync_indicator_get_state (KehuSyncIndicator *self)
{
  g_return_val_if_fail (KEHU_IS_SYNC_INDICATOR (self), KEHU_SYNC_STATE_LOCAL_ONLY);
  return self->state;
}

void
kehu_sync_indicator_set_state (KehuSyncIndicator *self,
                               KehuSyncState      state)
{
  g_return_if_fail (KEHU_IS_SYNC_INDICATOR (self));

  if (self->state == state)
    return;

  self->state = state;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STATE]);
}

guint
kehu_sync_indicator_get_pending (KehuSyncIndicator *self)
{
  g_return_val_if_fail (KEHU_IS_SYNC_INDICATOR (self), 0);
  return self->pending;
}

void
kehu_sync_indicator_set_pending (KehuSyncIndicator *self,
                                 guint              pending)
{
  g_return_if_fail (KEHU_IS_SYNC_INDICATOR (self));

  if (self->pending == pending)
    return;

  self->pending = pending;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PENDING]);
}

void
kehu_sync_indicator_set_last_sync (KehuSyncIndicator *self,
                                   GDateTime         *last_sync)
{
  g_return_if_fail (KEHU_IS_SYNC_INDICATOR (self));

  g_clear_pointer (&self->last_sync, g_date_time_unref);
  if (last_sync != NULL)
    self->last_sync = g_date_time_ref (last_sync);
  update (self);
}

void
kehu_sync_indicator_set_error (KehuSyncIndicator *self,
                               const char        *message)
{
  g_return_if_fail (KEHU_IS_SYNC_INDICATOR (self));

  g_free (self->error);
  self->error = g_strdup (message);
  update (self);
}

/* The words shown on the button; tests read them. */
const char *
kehu_sync_indicator_get_summary (KehuSyncIndicator *self)
{
  g_return_val_if_fail (KEHU_IS_SYNC_INDICATOR (self), NULL);
  return self->summary;
}

/* Records received of a total estimate while a sync runs; 0, 0 clears. */
void
kehu_sync_indicator_set_progress (KehuSyncIndicator *self,
                                  guint              received,
                                  guint              total)
{
  g_return_if_fail (KEHU_IS_SYNC_INDICATOR (self));

  if (self->received == received && self->total == total)
    return;
  self->received = received;
  self->total = total;
  update (self);
}
