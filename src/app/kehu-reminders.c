/* kehu-reminders.c: schedule reminders as desktop notifications
 *
 * Once a minute, the schedule entries whose reminder time has passed are
 * taken from the store (kehu_admin_take_due_reminders() marks each
 * reminded in the same transaction, so a reminder fires once even if the
 * app is restarted) and shown as GNotifications. Activating one opens the
 * record it is about.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-app"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-display.h"
#include "kehu-reminders.h"

struct _KehuReminders
{
  GObject       parent_instance;

  GApplication *application;   /* weak */
  KehuStore    *store;
  char         *user_id;
  guint         timeout_id;
};

G_DEFINE_FINAL_TYPE (KehuReminders, kehu_reminders, G_TYPE_OBJECT)

static gboolean
on_timeout_cb (gpointer user_data)
{
  KehuReminders *self = user_data;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  kehu_reminders_check (self, now);
  return G_SOURCE_CONTINUE;
}

static void
kehu_reminders_dispose (GObject *object)
{
  KehuReminders *self = (KehuReminders *)object;

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_weak_pointer (&self->application);
  g_clear_object (&self->store);
  g_clear_pointer (&self->user_id, g_free);

  G_OBJECT_CLASS (kehu_reminders_parent_class)->dispose (object);
}

static void
kehu_reminders_class_init (KehuRemindersClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = kehu_reminders_dispose;
}

static void
kehu_reminders_init (KehuReminders *self)
{
}

KehuReminders *
kehu_reminders_new (GApplication *application,
                    KehuStore    *store)
{
  KehuReminders *self = g_object_new (KEHU_TYPE_REMINDERS, NULL);

  g_set_weak_pointer (&self->application, application);
  self->store = g_object_ref (store);
  return self;
}

/* Checks now, then every minute. */
void
kehu_reminders_start (KehuReminders *self)
{
  g_return_if_fail (KEHU_IS_REMINDERS (self));

  if (self->timeout_id != 0)
    return;

  on_timeout_cb (self);
  self->timeout_id = g_timeout_add_seconds (60, on_timeout_cb, self);
}

void
kehu_reminders_set_user_id (KehuReminders *self,
                            const char    *user_id)
{
  g_free (self->user_id);
  self->user_id = g_strdup (user_id);
}

/**
 * kehu_reminders_check:
 * @now: the time to check against
 *
 * Sends a notification for every schedule entry due at @now.
 *
 * Returns: how many were sent
 */
guint
kehu_reminders_check (KehuReminders *self,
                      GDateTime     *now)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) due = NULL;
  guint n;

  g_return_val_if_fail (KEHU_IS_REMINDERS (self), 0);

  due = kehu_admin_take_due_reminders (self->store, self->user_id, now, &error);
  if (due == NULL)
    {
      g_warning ("Cannot check reminders: %s", error->message);
      return 0;
    }

  n = json_array_get_length (due);
  for (guint i = 0; i < n && self->application != NULL; i++)
    {
      JsonObject *s = json_array_get_object_element (due, i);
      const char *id = json_object_get_string_member (s, "id");
      const char *module = json_object_get_string_member_with_default (s, "target_module", NULL);
      const char *target = json_object_get_string_member_with_default (s, "target_id", NULL);
      const char *description = json_object_get_string_member_with_default (s, "description", NULL);
      g_autofree char *when = kehu_display_time (json_object_get_string_member (s, "start_at"));
      g_autofree char *body = description && *description
        ? g_strdup_printf (_("%s · %s"), when, description) : g_strdup (when);
      g_autofree char *notification_id = g_strconcat ("schedule-", id, NULL);
      g_autoptr(GNotification) notification = g_notification_new (json_object_get_string_member (s, "title"));

      g_notification_set_body (notification, body);
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
      if (module != NULL && target != NULL && !json_object_get_null_member (s, "target_module"))
        g_notification_set_default_action_and_target (notification, "app.open-record", "(ss)",
                                                      module, target);
      g_application_send_notification (self->application, notification_id, notification);
    }

  return n;
}
