/* kehu-core.h: the public face of libkehu-core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-approval.h"
#include "kehu-approvals.h"
#include "kehu-admin.h"
#include "kehu-demo.h"
#include "kehu-export.h"
#include "kehu-perm.h"
#include "kehu-pinyin.h"
#include "kehu-pool.h"
#include "kehu-query.h"
#include "kehu-record-pager.h"
#include "kehu-record.h"
#include "kehu-report.h"
#include "kehu-rules.h"
#include "kehu-schema.h"
#include "kehu-search.h"
#include "kehu-store.h"
#include "kehu-sync.h"
#include "kehu-sync-engine.h"
#include "kehu-version.h"
