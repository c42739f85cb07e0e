/* kehu-record-actions.h: what the lists do to many records at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-record.h"

G_BEGIN_DECLS

/* Each call is all or nothing (one transaction). */
gboolean kehu_record_actions_delete      (KehuContext        *ctx,
                                          const char         *module,
                                          const char * const *ids,
                                          GError            **error);
gboolean kehu_record_actions_restore     (KehuContext        *ctx,
                                          const char         *module,
                                          const char * const *ids,
                                          GError            **error);
gboolean kehu_record_actions_set_locked  (KehuContext        *ctx,
                                          const char * const *ids,
                                          gboolean            locked,
                                          GError            **error);
/* The public pool: claim for oneself, assign to @user_id, return with a reason. */
gboolean kehu_record_actions_claim       (KehuContext        *ctx,
                                          const char * const *ids,
                                          GError            **error);
gboolean kehu_record_actions_assign      (KehuContext        *ctx,
                                          const char * const *ids,
                                          const char         *user_id,
                                          GError            **error);
gboolean kehu_record_actions_return      (KehuContext        *ctx,
                                          const char * const *ids,
                                          const char         *reason,
                                          GError            **error);

G_END_DECLS
