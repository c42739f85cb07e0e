/* kehu-rules.h: business rules over records (conversion, transfer, stages,
 * totals, product lines, duplicates)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-record.h"

G_BEGIN_DECLS

typedef enum
{
  KEHU_TRANSFER_NONE            = 0,
  /* customers: also move their live contacts, opportunities and contracts */
  KEHU_TRANSFER_CASCADE         = 1 << 0,
  /* keep the old owner as a team member with read or read-write access */
  KEHU_TRANSFER_KEEP_TEAM_READ  = 1 << 1,
  KEHU_TRANSFER_KEEP_TEAM_WRITE = 1 << 2,
} KehuTransferFlags;

gboolean    kehu_rules_convert_lead             (KehuContext        *ctx,
                                                 const char         *lead_id,
                                                 char              **customer_id,
                                                 GError            **error);
gboolean    kehu_rules_convert_leads            (KehuContext        *ctx,
                                                 const char * const *lead_ids,
                                                 GError            **error);
gboolean    kehu_rules_transfer                 (KehuContext        *ctx,
                                                 const char         *module,
                                                 const char * const *ids,
                                                 const char         *new_owner_id,
                                                 KehuTransferFlags   flags,
                                                 GError            **error);
gboolean    kehu_rules_add_team_member          (KehuContext        *ctx,
                                                 const char         *module,
                                                 const char         *record_id,
                                                 const char         *user_id,
                                                 const char         *access,
                                                 GError            **error);
gboolean    kehu_rules_remove_team_member       (KehuContext        *ctx,
                                                 const char         *module,
                                                 const char         *record_id,
                                                 const char         *user_id,
                                                 gboolean           *removed,
                                                 GError            **error);
char       *kehu_rules_dup_default_stage_group  (KehuContext        *ctx);
char       *kehu_rules_dup_first_stage         (KehuContext        *ctx,
                                                const char         *stage_group_id);
gboolean    kehu_rules_change_stage             (KehuContext        *ctx,
                                                 const char         *opportunity_id,
                                                 const char         *stage_id,
                                                 const char         *reason,
                                                 GError            **error);
gboolean    kehu_rules_win                      (KehuContext        *ctx,
                                                 const char         *opportunity_id,
                                                 GError            **error);
gboolean    kehu_rules_lose                     (KehuContext        *ctx,
                                                 const char         *opportunity_id,
                                                 const char         *lost_reason,
                                                 GError            **error);
gint64      kehu_rules_line_subtotal            (gint64              price,
                                                 gint64              quantity,
                                                 gint64              discount);
gboolean    kehu_rules_set_product_lines        (KehuContext        *ctx,
                                                 const char         *module,
                                                 const char         *record_id,
                                                 JsonArray          *lines,
                                                 GError            **error);
JsonArray  *kehu_rules_find_duplicate_customers (KehuContext        *ctx,
                                                 const char         *name,
                                                 const char         *phone,
                                                 const char         *exclude_id);
gboolean    kehu_rules_recompute_contract       (KehuContext        *ctx,
                                                 const char         *contract_id,
                                                 GError            **error);
gboolean    kehu_rules_recompute_customer       (KehuContext        *ctx,
                                                 const char         *customer_id,
                                                 GError            **error);

G_END_DECLS
